import type { FaultQueue } from "./_faults.js";
import type { RecordedRequest, Recorder } from "./_recorder.js";
import type { SpecValidator } from "./_spec-validator.js";
import type { EmulatorContext, HttpReply } from "./_types.js";
import type { TurnQueue } from "./responses/_turn.js";
import type { ServerResponse } from "node:http";

/** Everything the emulator's own endpoints share (one per emulator instance). */
export interface EmulatorCore {
  ctx: EmulatorContext;
  /** Validate JSON bodies against the spec (default true). */
  validate: boolean;
  /** Accepted API keys; undefined = any non-empty key. */
  apiKeys: readonly string[] | undefined;
  defaultReply: string | undefined;
  recorder: Recorder;
  faults: FaultQueue;
  turns: TurnQueue;
  validator: SpecValidator;
  /** Responses stored for `previous_response_id` and `GET /v1/responses/:id` (store !== false). */
  stored: Map<string, Record<string, unknown>>;
  /** Next deterministic response id. */
  nextResponseId(): string;
  /** Called after each request is recorded (dev-server logging). */
  onRequest: ((rec: RecordedRequest) => void) | undefined;
  /** Aborted by `close()`: pending stalls and latencies end at once. */
  signal: AbortSignal;
}

/** A reply the handler streams itself (SSE). The server writes nothing else for it. */
export interface StreamingReply {
  stream(res: ServerResponse): Promise<void>;
}

/** What the emulator's own handlers may return. */
export type CoreReply = HttpReply | StreamingReply;

/** True for a {@link StreamingReply}. */
export function isStreaming(reply: CoreReply): reply is StreamingReply {
  return typeof (reply as StreamingReply).stream === "function";
}
