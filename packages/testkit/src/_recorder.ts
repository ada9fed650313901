import type { IncomingHttpHeaders } from "node:http";
import { multipartBoundary, parseMultipart } from "./_multipart.js";

/** A multipart body as recorded: text fields plus file metadata (bytes are not kept). */
export interface RecordedMultipart {
  fields: Record<string, string | string[]>;
  files: { field: string; filename: string; contentType: string; size: number }[];
}

/** One request the emulator received, in arrival order. Secrets in headers are redacted. */
export interface RecordedRequest {
  /** Index in `emulator.requests`. */
  id: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names; authorization/api-key/cookie/x-api-key values redacted. */
  headers: Record<string, string>;
  /** Parsed JSON, a {@link RecordedMultipart}, the raw text for other bodies, or undefined when empty. */
  body: unknown;
  transport: "http" | "websocket";
  /** Client→server WebSocket messages (parsed JSON when possible), appended as they arrive. */
  frames?: unknown[];
}

const SECRET_HEADERS = new Set(["authorization", "api-key", "cookie", "x-api-key", "proxy-authorization", "openai-api-key"]);

/** `Bearer abc` → `Bearer [redacted]`; a bare value → `[redacted]`. */
export function redactHeaderValue(value: string): string {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)\s+\S/.exec(value);
  return m ? `${m[1]} [redacted]` : "[redacted]";
}

function flatten(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

/**
 * Keeps every request in order. Raw authorization values are held apart (never in
 * `requests`, never printed) so tests can still assert exact credentials via `authHeaderOf`.
 */
export class Recorder {
  readonly requests: RecordedRequest[] = [];
  readonly #rawAuth = new Map<number, string>();

  /** Reserves the next id (ids equal indexes in `requests`). */
  get nextId(): number {
    return this.requests.length;
  }

  record(input: {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    rawBody?: Buffer;
    json?: unknown;
    transport: "http" | "websocket";
  }): RecordedRequest {
    const id = this.requests.length;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers)) {
      const flat = flatten(value);
      headers[name] = SECRET_HEADERS.has(name) ? redactHeaderValue(flat) : flat;
    }
    const auth = flatten(input.headers["authorization"]) || flatten(input.headers["api-key"]);
    if (auth) this.#rawAuth.set(id, auth);
    const rec: RecordedRequest = {
      id,
      method: input.method,
      path: input.path,
      query: Object.fromEntries(input.query),
      headers,
      body: input.json !== undefined ? input.json : describeBody(input.rawBody, input.headers["content-type"]),
      transport: input.transport,
    };
    if (input.transport === "websocket") rec.frames = [];
    this.requests.push(rec);
    return rec;
  }

  /** The raw `authorization` (or `api-key`) value of request `id`. */
  authHeaderOf(id: number): string | undefined {
    return this.#rawAuth.get(id);
  }

  clear(): void {
    this.requests.length = 0;
    this.#rawAuth.clear();
  }
}

function describeBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  if (multipartBoundary(contentType)) {
    try {
      const parsed = parseMultipart(raw, contentType);
      return {
        fields: parsed.fields,
        files: parsed.files.map((f) => ({ field: f.field, filename: f.filename, contentType: f.contentType, size: f.data.length })),
      } satisfies RecordedMultipart;
    } catch {
      // A malformed multipart body is recorded as text; the handler answers 400 for it.
    }
  }
  if (contentType && /x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  return raw.toString("utf8");
}
