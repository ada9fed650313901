import { ValidationError } from "@genesis/core";
import WebSocketImpl from "ws";
import type { HeadersFn, TransportContext, TransportLogger } from "./_context.js";
import { classifyWsFailure, isDegraded, markDegraded, runTurn, wsRetryDelay, type AutoSettings, type AutoState, type TransportMode } from "./auto-transport.js";
import { AbortError } from "./errors.js";
import { fetchPost, nodePost } from "./_http-post.js";
import { TurnIdentity } from "./identity.js";
import { abortableSleep, createRetryPolicy, type SleepFn } from "./retry-policy.js";
import { ResponseStream } from "./stream.js";
import { WsConnection } from "./ws-client.js";

/** The beta header value the Codex backend and OpenAI WebSocket mode accept. */
export const DEFAULT_WS_BETA_HEADER = "responses_websockets=2026-02-06";

/** Options of {@link createResponsesTransport}. */
export interface ResponsesTransportOptions {
  /** API base, e.g. `https://api.openai.com/v1` or `https://chatgpt.com/backend-api/codex`. */
  baseUrl: string;
  /** Path under the base. Default `/responses`. */
  path?: string;
  /** Headers for every attempt (auth included); called per attempt so token refresh is seen. */
  headers?: HeadersFn | Record<string, string>;
  /** Default `auto`: WebSocket first with SSE fallback. */
  mode?: TransportMode;
  /** Send a `generate: false` warm-up from {@link ResponsesTransport.warm}. Default true. */
  warmup?: boolean;
  /** `OpenAI-Beta` value on the WebSocket upgrade. Default {@link DEFAULT_WS_BETA_HEADER}; `""` sends none. */
  wsBetaHeader?: string;
  /** Extra headers for SSE requests only (e.g. `OpenAI-Beta: responses=experimental` for Codex). */
  sseExtraHeaders?: Record<string, string>;
  /**
   * Use this `fetch` for SSE instead of the default `node:http(s)` client (always called with
   * `redirect: "manual"`). Note Node's fetch has its own 300 s header/body timeouts.
   */
  fetch?: typeof fetch;
  /** WebSocket constructor. Default the `ws` package. */
  WebSocket?: typeof WebSocketImpl;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Random source in [0,1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Sleep used for backoff. Default an abortable `setTimeout`. */
  sleep?: SleepFn;
  /** HTTP retries before the response starts. Default 2; a non-negative integer. */
  maxRetries?: number;
  /** Time to response headers per SSE attempt, in ms. Default 600000 (10 min). */
  timeoutMs?: number;
  /** Longest silence inside a stream, in ms. Default 300000 (5 min). */
  idleTimeoutMs?: number;
  /** WebSocket opening handshake limit, in ms. Default 15000. */
  handshakeTimeoutMs?: number;
  /** Ping interval; a missing pong by the next ping terminates the socket. Default 30000; 0 disables. */
  heartbeatMs?: number;
  /** Close a session's WebSocket after this long without turns, in ms. Default 300000; 0 never. */
  idleSocketMs?: number;
  /** Limit for a warm-up's answer, in ms. Default 10000. */
  warmupTimeoutMs?: number;
  /** How long `auto` uses SSE after a WebSocket failure, in ms. Default 60000. */
  degradedCooldownMs?: number;
  /** Delay before the one WebSocket retry (× jitter 0.75–1.0), in ms. Default 500. */
  wsRetryDelayMs?: number;
  /** Largest incoming WebSocket message, in bytes. Default 100 MiB. */
  maxPayload?: number;
  /** Bound of frames queued while a socket opens, in bytes. Default 64 MiB. */
  maxQueueBytes?: number;
  logger?: TransportLogger;
}

/** Per-turn options of {@link ResponsesTransport.stream}. */
export interface StreamOptions {
  /** Stable for the whole conversation; selects the reused WebSocket. */
  sessionId: string;
  /** Stable across every attempt of this turn. Default a random UUID. */
  turnId?: string;
  signal?: AbortSignal;
}

/** A Responses transport: see {@link createResponsesTransport}. */
export interface ResponsesTransport {
  /** Start one turn. `body` is a CreateResponse body (SSE adds `stream: true`). */
  stream(body: Record<string, unknown>, options: StreamOptions): ResponseStream;
  /** Open the session's WebSocket ahead of the first turn (and warm it up with `body`'s model). */
  warm(sessionId: string, body?: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<void>;
  state(): { wsDegradedUntil?: number; lastTransport?: "sse" | "websocket" };
  /** Close one session's WebSocket, or all of them. */
  close(sessionId?: string): void;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ValidationError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number of ms/bytes, got ${String(value)}.`, {
      path: name,
      hint: `Omit ${name} to use the default (${fallback}).`,
    });
  }
  return value;
}

/**
 * Create a transport for the Responses API (OpenAI, the Codex backend, or any compatible
 * server). Options are validated here: a bad value throws {@link ValidationError} at once.
 */
export function createResponsesTransport(options: ResponsesTransportOptions): ResponsesTransport {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new ValidationError("baseUrl must be an absolute http(s) URL.", { path: "baseUrl", hint: "e.g. https://api.openai.com/v1" });
  }
  const mode = options.mode ?? "auto";
  if (mode !== "auto" && mode !== "sse" && mode !== "websocket") {
    throw new ValidationError(`mode must be "auto", "sse" or "websocket", got ${JSON.stringify(mode)}.`, { path: "mode" });
  }
  const path = options.path ?? "/responses";
  const httpUrl = `${base.href.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  const staticHeaders = options.headers;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const ctx: TransportContext = {
    httpUrl,
    wsUrl: httpUrl.replace(/^http/, "ws"),
    headers: typeof staticHeaders === "function" ? staticHeaders : () => staticHeaders ?? {},
    post: options.fetch ? fetchPost(options.fetch) : nodePost,
    WebSocket: options.WebSocket ?? WebSocketImpl,
    retry: createRetryPolicy({ maxRetries: options.maxRetries, random, now }),
    sleep: options.sleep ?? abortableSleep,
    now,
    random,
    timeoutMs: positive("timeoutMs", options.timeoutMs, 600_000),
    idleTimeoutMs: positive("idleTimeoutMs", options.idleTimeoutMs, 300_000),
    handshakeTimeoutMs: positive("handshakeTimeoutMs", options.handshakeTimeoutMs, 15_000),
    heartbeatMs: positive("heartbeatMs", options.heartbeatMs, 30_000, true),
    idleSocketMs: positive("idleSocketMs", options.idleSocketMs, 300_000, true),
    warmupTimeoutMs: positive("warmupTimeoutMs", options.warmupTimeoutMs, 10_000),
    maxPayload: positive("maxPayload", options.maxPayload, 100 * 1024 * 1024),
    maxQueueBytes: positive("maxQueueBytes", options.maxQueueBytes, 64 * 1024 * 1024),
    wsBetaHeader: options.wsBetaHeader === undefined ? DEFAULT_WS_BETA_HEADER : options.wsBetaHeader || undefined,
    sseExtraHeaders: options.sseExtraHeaders ?? {},
    logger: options.logger,
  };
  const settings: AutoSettings = {
    mode,
    degradedCooldownMs: positive("degradedCooldownMs", options.degradedCooldownMs, 60_000, true),
    wsRetryDelayMs: positive("wsRetryDelayMs", options.wsRetryDelayMs, 500, true),
  };
  const warmup = options.warmup ?? true;
  const state: AutoState = { wsDegradedUntil: undefined, lastTransport: undefined };
  const connections = new Map<string, WsConnection>();
  const connectionFor = (sessionId: string) => {
    let conn = connections.get(sessionId);
    if (!conn) {
      conn = new WsConnection(ctx);
      connections.set(sessionId, conn);
    }
    return conn;
  };

  return {
    stream(body, streamOptions) {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new ValidationError("The request body must be a CreateResponse object.", { path: "body" });
      }
      const identity = new TurnIdentity(streamOptions?.sessionId, streamOptions?.turnId);
      return new ResponseStream(
        (sink, signal) => runTurn(ctx, settings, state, () => connectionFor(identity.sessionId), body, identity, sink, signal),
        { signal: streamOptions.signal },
      );
    },
    async warm(sessionId, body, warmOptions = {}) {
      if (mode === "sse" || (mode === "auto" && isDegraded(ctx, state))) return;
      const identity = new TurnIdentity(sessionId);
      const signal = warmOptions.signal ?? new AbortController().signal;
      for (let retried = false; ; retried = true) {
        try {
          await connectionFor(identity.sessionId).warm(warmup ? body : undefined, identity, signal);
          return;
        } catch (error) {
          if (mode === "websocket" || error instanceof AbortError) throw error;
          const action = classifyWsFailure(error);
          // Same rule as a turn: one early recoverable failure (a 1006 blip) is retried, so a
          // single dropped warm-up does not push the session's first turns onto SSE for a minute.
          if (action === "retry" && !retried) {
            await ctx.sleep(wsRetryDelay(ctx, settings), signal);
            continue;
          }
          // 1009 concerns one oversized message, not the socket: nothing to degrade.
          if (action === "sse-once") return;
          // Otherwise the next turn should start on SSE (and probe WebSocket after the cool-down).
          markDegraded(ctx, state, settings, `warm-up failed: ${(error as Error)?.name}`);
          return;
        }
      }
    },
    state() {
      return {
        ...(state.wsDegradedUntil !== undefined && now() < state.wsDegradedUntil ? { wsDegradedUntil: state.wsDegradedUntil } : {}),
        ...(state.lastTransport ? { lastTransport: state.lastTransport } : {}),
      };
    },
    close(sessionId) {
      for (const [id, conn] of connections) {
        if (sessionId !== undefined && id !== sessionId) continue;
        conn.close();
        connections.delete(id);
      }
    },
  };
}
