import type { Usage } from "./usage.js";

/**
 * One Responses output item as the server sent it (message, function_call, reasoning,
 * compaction, ...). Kept verbatim so it can be replayed as input on the next turn.
 */
export type OutputItem = { type: string; id?: string } & Record<string, unknown>;

/** How a turn ended. */
export type TurnStatus = "completed" | "incomplete" | "failed";

/** Which wire carried a turn. `app-server` is the Codex harness. */
export type TransportKind = "sse" | "websocket" | "app-server";

/**
 * The one event stream every transport and runtime produces (SSE, WebSocket, Codex app-server).
 * Consumers switch on `type`; unknown server events are dropped, not passed through.
 */
export type StreamEvent =
  | { type: "response.started"; responseId: string; model?: string; transport: TransportKind }
  | { type: "text.delta"; itemId: string; delta: string }
  | { type: "text.done"; itemId: string; text: string }
  | { type: "reasoning.delta"; itemId: string; delta: string }
  | { type: "tool_call.started"; itemId: string; callId: string; name: string }
  | { type: "tool_call.delta"; itemId: string; callId: string; delta: string }
  | { type: "tool_call.done"; itemId: string; callId: string; name: string; arguments: string }
  | { type: "item.done"; item: OutputItem }
  | { type: "usage"; usage: Usage }
  | {
      type: "response.done";
      status: TurnStatus;
      responseId: string;
      /** Every output item of the response, for replay as the next turn's input. */
      output: OutputItem[];
      usage: Usage;
      /** The service tier the server actually used, when it said. */
      serviceTier?: string;
      /** Why the response is incomplete (e.g. `max_output_tokens`), or the failure. */
      reason?: string;
      error?: { code: string; message: string };
    };
