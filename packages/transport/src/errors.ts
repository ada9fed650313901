import { inspect } from "node:util";
import { GenesisError, redactSecrets, type GenesisErrorOptions, type OutputItem, type Usage } from "@genesis/core";

/** A tool call seen on the wire so far (arguments may be incomplete). */
export interface PartialToolCall {
  itemId: string;
  callId: string;
  name: string;
  arguments: string;
  done: boolean;
}

/** What a stream produced before it failed: never thrown away, so callers can show or keep it. */
export interface StreamPartial {
  /** Concatenated output text deltas. */
  text: string;
  toolCalls: PartialToolCall[];
  /** Output items that were completed (`response.output_item.done`). */
  output: OutputItem[];
  usage: Usage | undefined;
  /** The last `sequence_number` seen, or -1 when no event carried one. */
  lastSequenceNumber: number;
  /** Number of server events received. */
  events: number;
}

/** One failed attempt of a retried request, kept on the final error. */
export interface AttemptRecord {
  attempt: number;
  status?: number;
  code?: string;
  message: string;
  /** How long the policy waited before the next attempt. */
  delayMs?: number;
}

/** Which wire an error happened on. */
export type WireKind = "sse" | "websocket";

/** Common fields of every transport error. */
export interface TransportErrorFields extends GenesisErrorOptions {
  transport?: WireKind;
  requestId?: string;
  partial?: StreamPartial;
  attempts?: AttemptRecord[];
  /** WebSocket frames that were queued but never sent. */
  unsent?: string[];
  /** Exact secret values to scrub from the message (not stored). */
  secrets?: Iterable<string | undefined>;
}

/**
 * Base class of every error thrown by `@genesis/transport`. Messages are redacted at
 * construction; `partial` keeps whatever the stream delivered before failing.
 */
export class TransportError extends GenesisError {
  readonly transport: WireKind | undefined;
  readonly requestId: string | undefined;
  readonly partial: StreamPartial | undefined;
  readonly attempts: AttemptRecord[];
  /** WebSocket frames queued but never sent (empty for SSE). */
  unsent: string[];
  constructor(code: string, message: string, fields: TransportErrorFields = {}) {
    super(code, redactSecrets(message, fields.secrets), fields);
    this.transport = fields.transport;
    this.requestId = fields.requestId;
    this.partial = fields.partial;
    this.unsent = fields.unsent ?? [];
    // Attempt messages come from server answers: scrub them like the main message.
    this.attempts = (fields.attempts ?? []).map((a) => ({ ...a, message: redactSecrets(a.message, fields.secrets) }));
  }

  /** Inspect output stays secret-free even if a cause carries a raw server body. */
  [inspect.custom](): string {
    return redactSecrets(`${this.name} [${this.code}]: ${this.message}${this.hint ? ` (hint: ${this.hint})` : ""}`);
  }
}

/** Fields of an HTTP/upgrade error answer. */
export interface ApiErrorFields extends TransportErrorFields {
  status: number;
  /** The server's own error code (`rate_limit_exceeded`, ...). */
  serverCode?: string;
}

/** The server answered with an error status. */
export class ApiError extends TransportError {
  readonly status: number;
  readonly serverCode: string | undefined;
  constructor(message: string, fields: ApiErrorFields, code = "api_error") {
    super(code, message, fields);
    this.status = fields.status;
    this.serverCode = fields.serverCode;
  }
}

/** 401: the key or token was rejected. */
export class AuthenticationError extends ApiError {
  constructor(message: string, fields: Omit<ApiErrorFields, "status">) {
    super(message, { hint: "Check the API key, or sign in again for subscription routes.", ...fields, status: 401 }, "auth_failed");
  }
}

/** 403: the credentials are valid but not allowed to do this. */
export class PermissionError extends ApiError {
  constructor(message: string, fields: Omit<ApiErrorFields, "status">) {
    super(message, { hint: "The account or project lacks access to this model or endpoint.", ...fields, status: 403 }, "permission_denied");
  }
}

/** 429 after the retries ran out. `retryAfterMs` is the server's suggestion (may exceed the 60 s cap). */
export class RateLimitError extends ApiError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, fields: Omit<ApiErrorFields, "status"> & { retryAfterMs?: number }) {
    super(message, { hint: "Wait and retry, or lower the request rate.", ...fields, status: 429 }, "rate_limited");
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/**
 * A ChatGPT plan's usage limit (`usage_limit_reached` / `usage_not_included`). Never retried.
 * `resetsAt` is epoch seconds; the message says "resets in N min" when known.
 */
export class UsageLimitError extends ApiError {
  readonly plan: string | undefined;
  readonly resetsAt: number | undefined;
  constructor(fields: Omit<ApiErrorFields, "status"> & { status?: number; plan?: string; resetsAt?: number; now?: number }) {
    const now = fields.now ?? Date.now();
    const minutes = fields.resetsAt === undefined ? undefined : Math.max(0, Math.ceil((fields.resetsAt * 1000 - now) / 60_000));
    const plan = fields.plan ? ` (${fields.plan} plan)` : "";
    const when = minutes === undefined ? "" : `; resets in ${minutes} min`;
    super(`You have hit your ChatGPT usage limit${plan}${when}.`, {
      hint: "Wait for the reset, or switch to an API-key route (openai/*).",
      ...fields,
      status: fields.status ?? 429,
    }, "usage_limit");
    this.plan = fields.plan;
    this.resetsAt = fields.resetsAt;
  }
}

/** A redirect that would leave the configured origin (credentials are never sent there). */
export class RedirectError extends ApiError {
  readonly location: string;
  constructor(location: string, fields: ApiErrorFields) {
    super(`The server redirected to another origin (${redactSecrets(location)}); not followed.`, {
      hint: "Point baseUrl at the final endpoint; credentials are never forwarded across origins.",
      ...fields,
    }, "redirect_blocked");
    this.location = redactSecrets(location);
  }
}

/** The connection failed before any response (refused, reset, DNS). */
export class ConnectionError extends TransportError {
  constructor(message: string, fields: TransportErrorFields = {}) {
    super("connection_failed", message, { hint: "Check that the endpoint is reachable (baseUrl, proxy, network).", ...fields });
  }
}

/** No response headers (or no WebSocket handshake) within the timeout. */
export class ConnectTimeoutError extends TransportError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, fields: TransportErrorFields = {}) {
    super("connect_timeout", `No response within ${timeoutMs} ms.`, { hint: "Raise timeoutMs / handshakeTimeoutMs, or check the endpoint.", ...fields });
    this.timeoutMs = timeoutMs;
  }
}

/** The stream ended without `response.completed` / `.incomplete` / `.failed` / `error`. */
export class StreamIncompleteError extends TransportError {
  constructor(message: string, fields: TransportErrorFields) {
    super("stream_incomplete", message, { hint: "The server closed the stream early; the partial output is on `partial`.", ...fields });
  }
}

/** The connection dropped mid-stream. Never replayed automatically (the response may be billed). */
export class StreamInterruptedError extends TransportError {
  constructor(message: string, fields: TransportErrorFields) {
    super("stream_interrupted", message, { hint: "Retry the turn if appropriate; the partial output is on `partial`.", ...fields });
  }
}

/** A `data:` payload was not valid JSON. */
export class StreamParseError extends TransportError {
  readonly eventIndex: number;
  /** First characters of the bad payload, redacted. */
  readonly snippet: string;
  constructor(eventIndex: number, raw: string, fields: TransportErrorFields) {
    const snippet = redactSecrets(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw);
    super("stream_parse_error", `Malformed stream event #${eventIndex}: ${snippet}`, fields);
    this.eventIndex = eventIndex;
    this.snippet = snippet;
  }
}

/** No bytes arrived for `idleTimeoutMs`. */
export class StreamIdleTimeoutError extends TransportError {
  readonly idleMs: number;
  constructor(idleMs: number, fields: TransportErrorFields) {
    super("stream_idle_timeout", `No stream data for ${idleMs} ms.`, { hint: "Raise idleTimeoutMs if the model thinks for long.", ...fields });
    this.idleMs = idleMs;
  }
}

/** The server sent an `error` event (or the response failed) inside the stream. */
export class ServerStreamError extends TransportError {
  readonly serverCode: string | undefined;
  constructor(serverCode: string | undefined, message: string, fields: TransportErrorFields) {
    super("server_stream_error", `Server error${serverCode ? ` (${serverCode})` : ""}: ${message}`, fields);
    this.serverCode = serverCode;
  }
}

/** The WebSocket closed. `unsent` holds frames that were queued but never sent. */
export class WebSocketClosedError extends TransportError {
  readonly closeCode: number;
  readonly reason: string;
  /** True when our own `maxPayload` limit closed it (ws reports 1006): not worth a reconnect. */
  readonly localOverflow: boolean;
  constructor(closeCode: number, reason: string, fields: TransportErrorFields & { unsent?: string[]; localOverflow?: boolean }) {
    super("websocket_closed", `WebSocket closed (${closeCode}${reason ? `: ${redactSecrets(reason)}` : ""}).`, fields);
    this.closeCode = closeCode;
    this.reason = redactSecrets(reason);
    this.localOverflow = fields.localOverflow ?? false;
  }
}

/** The caller aborted (AbortSignal). */
export class AbortError extends TransportError {
  constructor(fields: TransportErrorFields = {}) {
    super("aborted", "The request was aborted.", fields);
  }
}

/** One line for logs and CLI output: code, message, hint; always redacted. */
export function describeError(error: unknown): string {
  if (GenesisError.isInstance(error)) return redactSecrets(`[${error.code}] ${error.describe()}`);
  if (error instanceof Error) return redactSecrets(`${error.name}: ${error.message}`);
  return redactSecrets(String(error));
}
