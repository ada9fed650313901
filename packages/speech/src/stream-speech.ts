import type { Usage } from "@genesis/core";
import { joinUrl } from "@genesis/transport";
import { z } from "zod";
import { SpeechResponseError } from "./speech-errors.js";
import {
  DEFAULT_STREAM_IDLE_TIMEOUT_MS, SPEECH_STREAM_FORMATS, SSE_TTS_MODELS, TTS_MIME_TYPES, isKnownModel,
  type SpeechStreamFormat, type TtsFormat,
} from "./speech-options.js";
import { checkSpeechText, resolveSpeech, type SynthesizeSpeechOptions } from "./synthesize-speech.js";
import { postOnce } from "./_settings.js";
import { checkShape, checkTimerMs, invalid, quote } from "./_validate.js";
import { SpeechStreamReader, consumedError } from "./_speech-stream.js";

/** Options of {@link streamSpeech}: those of {@link synthesizeSpeech} plus the streaming ones. */
export interface StreamSpeechOptions extends SynthesizeSpeechOptions {
  /**
   * How the API streams: `sse` (base64 `speech.audio.delta` events, then `speech.audio.done`
   * with token usage) or `audio` (the raw body as it is produced, no usage). Default `sse` for
   * gpt-4o-mini-tts (and its snapshots), `audio` for tts-1 / tts-1-hd, which cannot stream SSE.
   */
  streamFormat?: SpeechStreamFormat;
  /**
   * Longest wait for the next bytes once the response has started, in whole ms. Default 60000
   * (60 s); `0` = no idle limit; at most 2147483647 (larger values are a `ValidationError`,
   * since Node would fire such a timer at once).
   */
  idleTimeoutMs?: number;
  /** Clock for `timeToFirstAudioMs`, in ms. Default `performance.now`. */
  now?: () => number;
}

/**
 * Audio of one `POST /audio/speech`, delivered while it is produced: a single-use async
 * iterable of `Uint8Array` chunks (concatenated, they are the same bytes the one-shot call
 * returns). Breaking out of `for await`, `cancel()` or the call's `signal` closes the socket.
 */
export interface SpeechStream extends AsyncIterable<Uint8Array> {
  readonly format: TtsFormat;
  readonly mimeType: string;
  readonly model: string;
  readonly voice: string;
  readonly streamFormat: SpeechStreamFormat;
  /** Settings that were dropped (e.g. config `instructions` with a tts-1 model). */
  readonly warnings: string[];
  /** The server's `x-request-id`, when it sent one. */
  readonly requestId: string | undefined;
  /** Audio bytes handed to the consumer so far. */
  readonly bytesDelivered: number;
  /** Audio chunks handed to the consumer so far. */
  readonly chunksDelivered: number;
  /** Token usage from `speech.audio.done` (SSE only); undefined until the stream completed. */
  readonly usage: Usage | undefined;
  /** Milliseconds from the call to the first audio bytes; undefined until they arrived. */
  readonly timeToFirstAudioMs: number | undefined;
  /** True once the stream ended, failed or was cancelled. */
  readonly done: boolean;
  /** Stop reading and close the connection; iteration then ends. Idempotent. */
  cancel(): void;
}

const shape = { streamFormat: z.string().optional(), idleTimeoutMs: z.number().optional() };

/** Check the streaming options against the resolved model; throws `ValidationError` before any request. */
export function resolveStreamFormat(options: StreamSpeechOptions, model: string): { streamFormat: SpeechStreamFormat; idleTimeoutMs: number } {
  const call = checkShape("streamSpeech", shape, options);
  const canSse = isKnownModel(model, SSE_TTS_MODELS);
  const streamFormat = call.streamFormat ?? (canSse ? "sse" : "audio");
  if (!(SPEECH_STREAM_FORMATS as readonly string[]).includes(streamFormat)) {
    throw invalid("streamFormat", `unknown stream format ${quote(streamFormat)}`, `Use one of: ${SPEECH_STREAM_FORMATS.join(", ")}.`);
  }
  if (streamFormat === "sse" && !canSse) {
    throw invalid("streamFormat", `${model} cannot stream SSE`, `Use streamFormat "audio" (the default for ${model}), or the model ${SSE_TTS_MODELS.join(", ")}.`);
  }
  const idleTimeoutMs = checkTimerMs("idleTimeoutMs", call.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS, "60000 (60 s)");
  return { streamFormat: streamFormat as SpeechStreamFormat, idleTimeoutMs };
}

/**
 * Speak `text` with OpenAI TTS and hand the audio over while it is produced. Resolves once the
 * response has started (retries of 408/409/429/5xx and connection failures happen before
 * that, never after); then iterate the chunks. Settings resolve like {@link synthesizeSpeech}.
 * @example
 * const speech = await streamSpeech("Hello!", { responseFormat: "pcm" });
 * for await (const chunk of speech) player.write(chunk);
 * speech.usage; // { input, output, total, ... } with SSE
 * @throws before the response: the errors of {@link synthesizeSpeech}, and `ValidationError`
 *   `streamFormat` (unknown, or `sse` with tts-1 / tts-1-hd) / `idleTimeoutMs`.
 *   While iterating: `SpeechStreamInterruptedError` (socket dropped), `SpeechStreamParseError`
 *   (malformed event), `SpeechStreamIncompleteError` (SSE ended without `speech.audio.done`),
 *   `SpeechStreamIdleTimeoutError`, `SpeechServerStreamError`, `SpeechResponseError` (not audio),
 *   `AbortError`; each stream error carries `bytesDelivered` and `chunksDelivered`.
 */
export async function streamSpeech(text: string, options: StreamSpeechOptions = {}): Promise<SpeechStream> {
  const checked = checkSpeechText(text);
  const resolved = resolveSpeech(options, "file");
  const { streamFormat, idleTimeoutMs } = resolveStreamFormat(options, resolved.model);
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  for (const warning of resolved.warnings) options.onWarning?.(warning);

  const body: Record<string, unknown> = { model: resolved.model, input: checked, voice: resolved.voice, response_format: resolved.format };
  if (resolved.speed !== undefined) body.speed = resolved.speed;
  if (resolved.instructions !== undefined) body.instructions = resolved.instructions;
  body.stream_format = streamFormat;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (streamFormat === "sse") headers.accept = "text/event-stream";
  const res = await postOnce(joinUrl(resolved.baseUrl, "/audio/speech"), { headers, body: JSON.stringify(body) }, { ...options, apiKey: resolved.apiKey, signal });

  const contentType = res.headers.get("content-type") ?? "";
  const wrongType = streamFormat === "sse" ? !/event-stream/i.test(contentType) : /json|html|text\//i.test(contentType);
  if (wrongType || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    const expected = streamFormat === "sse" ? "an SSE stream" : `${resolved.format} audio`;
    throw new SpeechResponseError(`/audio/speech answered ${contentType || "a body without content type"}, not ${expected}`, { endpoint: "/audio/speech" });
  }
  const reader = new SpeechStreamReader({
    reader: res.body.getReader(),
    streamFormat,
    format: resolved.format,
    requestId: res.headers.get("x-request-id") ?? undefined,
    idleTimeoutMs,
    userSignal: options.signal,
    controller,
    secrets: [resolved.apiKey],
    now,
    startedAt,
  });
  let iterated = false;
  return {
    format: resolved.format,
    mimeType: TTS_MIME_TYPES[resolved.format],
    model: resolved.model,
    voice: resolved.voice,
    streamFormat,
    warnings: [...resolved.warnings],
    requestId: res.headers.get("x-request-id") ?? undefined,
    get bytesDelivered() {
      return reader.bytesDelivered;
    },
    get chunksDelivered() {
      return reader.chunksDelivered;
    },
    get usage() {
      return reader.usage;
    },
    get timeToFirstAudioMs() {
      return reader.timeToFirstAudioMs;
    },
    get done() {
      return reader.done;
    },
    cancel: () => reader.cancel(),
    [Symbol.asyncIterator]() {
      if (iterated) throw consumedError();
      iterated = true;
      return {
        next: () => reader.next(),
        return: async () => {
          reader.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
