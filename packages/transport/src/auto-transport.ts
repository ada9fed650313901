import type { TransportContext } from "./_context.js";
import {
  AbortError,
  ApiError,
  ConnectTimeoutError,
  ConnectionError,
  StreamIdleTimeoutError,
  TransportError,
  WebSocketClosedError,
} from "./errors.js";
import type { TurnIdentity } from "./identity.js";
import { runSse } from "./sse-client.js";
import type { StreamSink } from "./stream.js";
import type { WsConnection } from "./ws-client.js";

/** How a turn is carried. `auto`: WebSocket first, SSE fallback. */
export type TransportMode = "auto" | "sse" | "websocket";

/** What to do after a WebSocket attempt failed. */
export type WsFailureAction = "retry" | "sse-now" | "sse-once" | "surface";

/** Close codes after which reconnecting can help (openai-node's `isRecoverableClose`). */
export const RECOVERABLE_CLOSE_CODES: ReadonlySet<number> = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1015]);

/**
 * Classify a WebSocket failure. Anything after the first server event is surfaced (never
 * replayed: the response may be billed). 1009 and our own `maxPayload` overflow use SSE for
 * that request only; recoverable closes and connect failures retry once, then use SSE;
 * permanent closes (1000, 1002, 1008, ...) and auth/rate/usage answers are surfaced.
 */
export function classifyWsFailure(error: unknown): WsFailureAction {
  if (error instanceof AbortError || !(error instanceof TransportError)) return "surface";
  if ((error.partial?.events ?? 0) > 0) return "surface";
  if (error instanceof WebSocketClosedError) {
    if (error.closeCode === 1009 || error.localOverflow) return "sse-once";
    return RECOVERABLE_CLOSE_CODES.has(error.closeCode) ? "retry" : "surface";
  }
  if (error instanceof ConnectionError || error instanceof ConnectTimeoutError || error instanceof StreamIdleTimeoutError) return "retry";
  if (error instanceof ApiError) {
    if (error.code !== "api_error") return "surface"; // 401/403/429/usage limit/redirect: same answer over SSE
    return error.status >= 500 || error.status === 408 ? "retry" : "sse-now";
  }
  return "surface";
}

/** Mutable per-transport state: degraded cool-down and which wire carried the last turn. */
export interface AutoState {
  wsDegradedUntil: number | undefined;
  lastTransport: "sse" | "websocket" | undefined;
}

/** Settings of {@link runTurn} beyond the shared context. */
export interface AutoSettings {
  mode: TransportMode;
  degradedCooldownMs: number;
  wsRetryDelayMs: number;
}

/** Whether `auto` should skip WebSocket right now (inside the degraded cool-down). */
export function isDegraded(ctx: TransportContext, state: AutoState): boolean {
  return state.wsDegradedUntil !== undefined && ctx.now() < state.wsDegradedUntil;
}

/** Start (or extend) the degraded cool-down. */
export function markDegraded(ctx: TransportContext, state: AutoState, settings: AutoSettings, why: string): void {
  state.wsDegradedUntil = ctx.now() + settings.degradedCooldownMs;
  ctx.logger?.warn?.("websocket degraded; using SSE during the cool-down", { why, until: state.wsDegradedUntil });
}

/** The delay before the one WebSocket retry: `wsRetryDelayMs` × jitter in [0.75, 1.0]. */
export function wsRetryDelay(ctx: TransportContext, settings: AutoSettings): number {
  return settings.wsRetryDelayMs * (1 - Math.min(Math.max(ctx.random(), 0), 1) * 0.25);
}

/** Run one turn on the wire the mode and state call for, with the fallback rules above. */
export async function runTurn(
  ctx: TransportContext,
  settings: AutoSettings,
  state: AutoState,
  connection: () => WsConnection,
  body: Record<string, unknown>,
  identity: TurnIdentity,
  sink: StreamSink,
  signal: AbortSignal,
): Promise<void> {
  const sse = async () => {
    state.lastTransport = "sse";
    await runSse(ctx, body, identity, sink, signal);
  };
  if (settings.mode === "sse" || (settings.mode === "auto" && isDegraded(ctx, state))) return sse();
  let retried = false;
  for (;;) {
    try {
      state.lastTransport = "websocket";
      await connection().run(body, identity, sink, signal);
      // A healthy probe after the cool-down clears the degraded mark.
      state.wsDegradedUntil = undefined;
      return;
    } catch (error) {
      const action = classifyWsFailure(error);
      const code = error instanceof WebSocketClosedError ? error.closeCode : undefined;
      ctx.logger?.debug?.("websocket attempt failed", { action, code, error: (error as Error)?.name });
      if (action === "surface") {
        if (settings.mode === "auto" && error instanceof WebSocketClosedError && RECOVERABLE_CLOSE_CODES.has(error.closeCode)) {
          markDegraded(ctx, state, settings, `closed ${error.closeCode} mid-stream`);
        }
        throw error;
      }
      if (action === "retry" && !retried) {
        retried = true;
        await ctx.sleep(wsRetryDelay(ctx, settings), signal);
        continue;
      }
      if (settings.mode === "websocket") throw error;
      if (action !== "sse-once") markDegraded(ctx, state, settings, (error as Error).name);
      return sse();
    }
  }
}
