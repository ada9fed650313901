import type WebSocket from "ws";
import type { PostFn } from "./_http-post.js";
import type { RetryPolicy, SleepFn } from "./retry-policy.js";

/** Optional structured logger; messages are already redacted. */
export interface TransportLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** Supplies request headers per attempt (so an auth refresh between attempts is picked up). */
export type HeadersFn = () => Record<string, string> | Promise<Record<string, string>>;

/** Resolved settings shared by the SSE and WebSocket clients. */
export interface TransportContext {
  /** `http(s)://…/responses`. */
  httpUrl: string;
  /** `ws(s)://…/responses`. */
  wsUrl: string;
  headers: HeadersFn;
  /** Sends the SSE POST: `node:http(s)` by default, or the injected `fetch`. */
  post: PostFn;
  WebSocket: typeof WebSocket;
  retry: RetryPolicy;
  sleep: SleepFn;
  now: () => number;
  random: () => number;
  timeoutMs: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  heartbeatMs: number;
  idleSocketMs: number;
  warmupTimeoutMs: number;
  maxPayload: number;
  maxQueueBytes: number;
  wsBetaHeader: string | undefined;
  sseExtraHeaders: Record<string, string>;
  logger: TransportLogger | undefined;
}

/** Lower-case header names; later sources win. */
export function mergeHeaders(...sources: (Record<string, string> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) {
    if (!source) continue;
    for (const name in source) {
      const value = source[name];
      if (typeof value === "string") out[name.toLowerCase()] = value;
    }
  }
  return out;
}
