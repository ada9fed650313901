import { ValidationError } from "@genesis/core";
import type { Fault } from "./_faults.js";

/**
 * Checks of what tests hand the emulator (start options and faults), so a typo fails at the
 * call with a message naming the field instead of silently arming nothing.
 */

const KINDS: Record<Fault["kind"], readonly string[]> = {
  "ws-refuse": [],
  "ws-upgrade-status": ["status"],
  "ws-close": ["code"],
  "ws-blackhole-handshake": [],
  "ws-no-pong": [],
  "sse-no-terminal": [],
  "sse-no-trailing-blank": [],
  "sse-malformed": [],
  "sse-destroy": ["afterEvents"],
  "error-event": [],
  "http-status": ["status"],
  "rate-limit": [],
  "usage-limit": [],
  "slow-first-byte": ["ms"],
  stall: ["afterEvents", "ms"],
  latency: ["perFrameMs"],
  "connection-reset": [],
  "huge-event": ["bytes"],
  "sse-keepalive-only": [],
};

const COUNTS = ["afterEvents", "atEvent", "ms", "perFrameMs", "bytes", "intervalMs"] as const;

function fail(path: string, message: string, hint: string): never {
  throw new ValidationError(message, { path, code: "invalid_fault", hint });
}

/** Throws a ValidationError naming the first wrong field of `f`. */
export function assertFault(f: Fault): void {
  if (typeof f !== "object" || f === null) fail("fault", "A fault must be an object.", "Pass e.g. { kind: \"rate-limit\" }.");
  const required = KINDS[f.kind];
  if (!required) fail("fault.kind", `Unknown fault kind '${String(f.kind)}'.`, `Use one of: ${Object.keys(KINDS).join(", ")}.`);
  const rec = f as unknown as Record<string, unknown>;
  for (const name of required) {
    if (rec[name] === undefined) fail(`fault.${name}`, `Fault '${f.kind}' needs '${name}'.`, `Add ${name} to the fault.`);
  }
  for (const name of COUNTS) {
    const v = rec[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      fail(`fault.${name}`, `fault.${name} must be a non-negative integer, got ${JSON.stringify(v)}.`, "Use a whole number (events or milliseconds).");
    }
  }
  for (const name of ["status", "code"] as const) {
    // error-event's `code` is an error code string, not a close code.
    if (name === "code" && f.kind !== "ws-close") continue;
    const v = rec[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || (name === "status" && (v < 100 || v > 599)))) {
      fail(`fault.${name}`, `fault.${name} must be an integer${name === "status" ? " HTTP status (100-599)" : " close code"}, got ${JSON.stringify(v)}.`, "Use a number.");
    }
  }
  if (f.times !== undefined && (!Number.isInteger(f.times) || f.times < 1)) fail("fault.times", `fault.times must be a positive integer, got ${JSON.stringify(f.times)}.`, "Omit it for a one-shot fault.");
  const path = f.match?.path;
  if (path !== undefined && typeof path !== "string" && !(path instanceof RegExp)) fail("fault.match.path", "fault.match.path must be a string or a RegExp.", "Use the exact path, e.g. \"/v1/responses\".");
  const transport = f.match?.transport;
  if (transport !== undefined && transport !== "http" && transport !== "websocket") fail("fault.match.transport", `fault.match.transport must be "http" or "websocket", got ${JSON.stringify(transport)}.`, "Omit it to match both.");
}

/** Throws a ValidationError for a bad port or apiKeys option. */
export function assertStartOptions(o: { port?: unknown; apiKeys?: unknown; now?: unknown }): void {
  if (o.port !== undefined && (typeof o.port !== "number" || !Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw new ValidationError(`port must be an integer from 0 to 65535, got ${JSON.stringify(o.port)}.`, { path: "port", hint: "Use 0 for a free port." });
  }
  if (o.apiKeys !== undefined && (!Array.isArray(o.apiKeys) || o.apiKeys.some((k) => typeof k !== "string" || k === ""))) {
    throw new ValidationError("apiKeys must be an array of non-empty strings.", { path: "apiKeys", hint: "Omit it to accept any key." });
  }
  if (o.now !== undefined && typeof o.now !== "function") {
    throw new ValidationError("now must be a function returning milliseconds since epoch.", { path: "now", hint: "Pass e.g. () => Date.now()." });
  }
}
