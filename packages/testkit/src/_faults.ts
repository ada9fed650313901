import { assertFault } from "./_validate-input.js";

/**
 * Fault injection. Tests arm faults with `emulator.fault(...)`; the server and the stream
 * writers take matching faults at the stage where each kind acts. A fault acts on `times`
 * matching requests or connections (default 1), first armed first served.
 */

/** Which requests a fault applies to. */
export interface FaultMatch {
  /** Exact path (without query) or a RegExp tested against it. */
  path?: string | RegExp;
  transport?: "http" | "websocket";
}

/** The kinds of fault, each with its own parameters. */
export type FaultKind =
  | { kind: "ws-refuse" }
  | { kind: "ws-upgrade-status"; status: 401 | 403 | 429 | 500 | number; body?: object; headers?: Record<string, string> }
  | { kind: "ws-close"; code: 1000 | 1006 | 1009 | 1011 | number; afterEvents?: number }
  | { kind: "ws-blackhole-handshake" }
  | { kind: "ws-no-pong" }
  | { kind: "sse-no-terminal" }
  | { kind: "sse-no-trailing-blank" }
  | { kind: "sse-malformed"; atEvent?: number }
  | { kind: "sse-destroy"; afterEvents: number }
  | { kind: "error-event"; code?: string; message?: string; afterEvents?: number }
  | { kind: "http-status"; status: number; headers?: Record<string, string>; body?: object }
  | { kind: "rate-limit"; retryAfter?: string; retryAfterMs?: string }
  | { kind: "usage-limit"; planType?: string; resetsAt?: number; status?: 429 | number }
  | { kind: "slow-first-byte"; ms: number }
  | { kind: "stall"; afterEvents: number; ms: number }
  | { kind: "latency"; perFrameMs: number }
  | { kind: "connection-reset" }
  /** One extra event of `bytes` padding characters after N events (size limits: maxPayload, line buffers). */
  | { kind: "huge-event"; bytes: number; afterEvents?: number }
  /** SSE: answer 200 and send only `: keep-alive` comments every `intervalMs` (default 1000), never an event. */
  | { kind: "sse-keepalive-only"; intervalMs?: number };

/** A fault to arm: where it applies, how often, and what it does. */
export type Fault = { match?: FaultMatch; times?: number } & FaultKind;

/**
 * Stages where faults act:
 * - `http-request`: before routing an HTTP request (statuses, resets, slow first byte).
 * - `ws-upgrade`: while answering a WebSocket upgrade (refuse, status, blackhole, no-pong,
 *   and the HTTP kinds only when the fault explicitly matches `transport: "websocket"`).
 * - `stream`: when a Responses stream starts (SSE or one WebSocket `response.create`).
 */
export type FaultStage = "http-request" | "ws-upgrade" | "stream";

const HTTP_KINDS = new Set(["http-status", "rate-limit", "usage-limit", "connection-reset", "slow-first-byte"]);
const UPGRADE_KINDS = new Set(["ws-refuse", "ws-upgrade-status", "ws-blackhole-handshake", "ws-no-pong"]);
const SSE_ONLY = new Set(["sse-no-terminal", "sse-no-trailing-blank", "sse-malformed", "sse-destroy", "sse-keepalive-only"]);
const WS_STREAM_ONLY = new Set(["ws-close"]);
const BOTH_STREAM = new Set(["error-event", "stall", "latency", "huge-event"]);

function appliesAt(f: Fault, stage: FaultStage, transport: "http" | "websocket"): boolean {
  switch (stage) {
    case "http-request":
      return HTTP_KINDS.has(f.kind);
    case "ws-upgrade":
      return UPGRADE_KINDS.has(f.kind) || (HTTP_KINDS.has(f.kind) && f.match?.transport === "websocket");
    case "stream":
      return BOTH_STREAM.has(f.kind) || (transport === "http" ? SSE_ONLY.has(f.kind) : WS_STREAM_ONLY.has(f.kind));
  }
}

function matches(f: Fault, path: string, transport: "http" | "websocket"): boolean {
  const m = f.match;
  if (!m) return true;
  if (m.transport && m.transport !== transport) return false;
  if (m.path === undefined) return true;
  return typeof m.path === "string" ? m.path === path : m.path.test(path);
}

interface Armed {
  fault: Fault;
  left: number;
}

/** The queue of armed faults of one emulator. */
export class FaultQueue {
  #armed: Armed[] = [];

  arm(fault: Fault): void {
    assertFault(fault);
    this.#armed.push({ fault, left: fault.times ?? 1 });
  }

  /** Number of armed faults still waiting (useful to assert a fault was consumed). */
  get pending(): number {
    return this.#armed.length;
  }

  clear(): void {
    this.#armed = [];
  }

  /**
   * Takes the faults that act at `stage` for this request: at most one per kind, in arming
   * order. At the `http-request` and `ws-upgrade` stages only the first one is taken, except
   * that `slow-first-byte` / `ws-no-pong` combine with the rest.
   */
  take(stage: FaultStage, path: string, transport: "http" | "websocket"): Fault[] {
    const taken: Fault[] = [];
    const kinds = new Set<string>();
    let primary = false;
    for (const a of this.#armed) {
      const f = a.fault;
      if (kinds.has(f.kind) || !appliesAt(f, stage, transport) || !matches(f, path, transport)) continue;
      const combinable = f.kind === "slow-first-byte" || f.kind === "ws-no-pong";
      if (stage !== "stream" && !combinable) {
        if (primary) continue;
        primary = true;
      }
      kinds.add(f.kind);
      taken.push(f);
      a.left--;
    }
    if (taken.length > 0) this.#armed = this.#armed.filter((a) => a.left > 0);
    return taken;
  }
}

/** Finds a fault of one kind among taken faults. */
export function pick<K extends FaultKind["kind"]>(faults: readonly Fault[], kind: K): Extract<Fault, { kind: K }> | undefined {
  return faults.find((f) => f.kind === kind) as Extract<Fault, { kind: K }> | undefined;
}

/** The HTTP answer for a status-like fault (http-status, rate-limit, usage-limit). */
export function faultReply(f: Fault, nowMs: number): { status: number; headers: Record<string, string>; body: object } | undefined {
  switch (f.kind) {
    case "http-status":
      return {
        status: f.status,
        headers: f.headers ?? {},
        body: f.body ?? { error: { message: `Emulated HTTP ${f.status}`, type: f.status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null } },
      };
    case "rate-limit": {
      const headers: Record<string, string> = {};
      if (f.retryAfter !== undefined) headers["retry-after"] = f.retryAfter;
      if (f.retryAfterMs !== undefined) headers["retry-after-ms"] = f.retryAfterMs;
      return {
        status: 429,
        headers,
        body: { error: { message: "Rate limit reached. Please try again later.", type: "requests", param: null, code: "rate_limit_exceeded" } },
      };
    }
    case "usage-limit": {
      const resetsAt = f.resetsAt ?? Math.floor(nowMs / 1000) + 3600;
      const planType = f.planType ?? "plus";
      return {
        status: f.status ?? 429,
        headers: {},
        body: {
          error: {
            type: "usage_limit_reached",
            code: "usage_limit_reached",
            message: "The usage limit has been reached",
            plan_type: planType,
            resets_at: resetsAt,
            resets_in_seconds: Math.max(0, resetsAt - Math.floor(nowMs / 1000)),
          },
        },
      };
    }
    default:
      return undefined;
  }
}
