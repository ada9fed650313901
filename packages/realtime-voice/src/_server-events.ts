import { z } from "zod";

/**
 * Minimal schemas of the GA Realtime server events this package reads (names checked against
 * the official OpenAPI `RealtimeServerEvent*` schemas). Only the fields used are required.
 */

const id = z.string().min(1);

export const speechStarted = z.object({ item_id: id, audio_start_ms: z.number() });
export const speechStopped = z.object({ item_id: id, audio_end_ms: z.number() });
// `delta` is optional in the spec (an event may carry only logprobs).
export const transcriptionDelta = z.object({ item_id: id, delta: z.string().default("") });
export const transcriptionCompleted = z.object({ item_id: id, transcript: z.string() });
export const transcriptionFailed = z.object({
  item_id: id,
  error: z.object({ code: z.string().nullish(), message: z.string().nullish(), type: z.string().nullish() }).optional(),
});
export const responseCreated = z.object({ response: z.object({ id }) });
export const audioDelta = z.object({ response_id: id, item_id: id, delta: z.string() });
export const transcriptDelta = z.object({ response_id: id, item_id: id, delta: z.string() });
export const functionCallDone = z.object({ response_id: id, item_id: id, call_id: id, name: z.string().min(1), arguments: z.string() });

const usage = z
  .object({
    total_tokens: z.number().optional(),
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    output_token_details: z.object({ text_tokens: z.number().optional(), audio_tokens: z.number().optional() }).optional(),
  })
  .nullish();

export const responseDone = z.object({
  response: z.object({
    id,
    status: z.enum(["completed", "cancelled", "failed", "incomplete", "in_progress"]),
    status_details: z
      .object({ reason: z.string().nullish(), error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish() })
      .nullish(),
    usage,
  }),
});

/** Parses `event` with `schema`; undefined (and a reported problem) when it does not fit. */
export function read<T extends z.ZodType>(schema: T, event: unknown, report: (detail: string) => void): z.output<T> | undefined {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  report(`with a bad ${issue.path.join(".") || "shape"} (${issue.message})`);
  return undefined;
}

/** Server VAD events as both session kinds report them. */
export type VadEvent =
  /** The server heard speech start in the input audio (`audioStartMs` into the stream). */
  | { type: "speech-started"; itemId: string; audioStartMs: number }
  /** The server heard speech stop; the utterance is committed. */
  | { type: "speech-stopped"; itemId: string; audioEndMs: number };

/** Maps `input_audio_buffer.speech_started/stopped` to a {@link VadEvent}; undefined for other or malformed events. */
export function vadEvent(event: { type: string }, report: (detail: string) => void): VadEvent | undefined {
  if (event.type === "input_audio_buffer.speech_started") {
    const e = read(speechStarted, event, report);
    return e && { type: "speech-started", itemId: e.item_id, audioStartMs: e.audio_start_ms };
  }
  if (event.type === "input_audio_buffer.speech_stopped") {
    const e = read(speechStopped, event, report);
    return e && { type: "speech-stopped", itemId: e.item_id, audioEndMs: e.audio_end_ms };
  }
  return undefined;
}
