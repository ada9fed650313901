import type { ServerResponse } from "node:http";
import { AUDIO_CONTENT_TYPES, synthesize, type AudioFormat } from "../_audio.js";
import type { StreamingReply } from "../_core.js";
import { digest, errorReply, isReply, jsonObject, roughTokens } from "../_endpoint-util.js";
import { pick, type Fault } from "../_faults.js";
import { sleep } from "../responses/_sse-writer.js";
import type { HttpReply, RouteDef } from "../_types.js";

/**
 * `/v1/audio/speech`: real audio bytes in the requested `response_format` (default mp3).
 * wav/pcm/flac carry a tone whose pitch depends on the voice; mp3/opus/aac are valid
 * silent streams of the same length (see `_audio.ts`). The WAV embeds the input text as a
 * comment so `/v1/audio/transcriptions` can transcribe it back exactly.
 *
 * With `stream_format` the answer is streamed (chunked, {@link SPEECH_STREAM_CHUNK} bytes of
 * audio per write, one event-loop turn between writes so a client sees separate chunks):
 * `audio` sends the raw bytes, `sse` sends `speech.audio.delta` events with base64 chunks and a
 * final `speech.audio.done` with usage (refused for the tts-1 family, like the API). Without
 * `stream_format` the audio goes out in one piece with a content-length. Stream faults, counted
 * in chunks: `latency`, `stall`, `sse-destroy` (both modes); `sse-malformed`, `sse-no-terminal`,
 * `sse-no-trailing-blank`, `error-event` (sse only; `{"type":"error","error":{...}}`, then the end).
 */

const FORMATS = new Set<AudioFormat>(["mp3", "opus", "aac", "flac", "wav", "pcm"]);

/** Audio bytes per streamed chunk (a delta event carries the base64 of one chunk). */
export const SPEECH_STREAM_CHUNK = 4096;

/** tts-1, tts-1-hd and their snapshots cannot stream SSE. */
const NO_SSE_MODEL = /^tts-1(?:-hd)?(?:-|$)/;

/** Seconds of audio the emulator produces for `text` at `speed` (about 3 words a second). */
export function speechSeconds(text: string, speed = 1): number {
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  return Math.min(30, Math.max(0.5, (words * 0.33) / speed));
}

/** Routes of this module. */
export const speechRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/v1/audio/speech",
    operationId: "createSpeech",
    handler(req, ctx) {
      const body = jsonObject(req);
      if (isReply(body)) return body;
      const input = body["input"];
      if (typeof input !== "string" || input === "") return errorReply(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter");
      const voiceRaw = body["voice"];
      const voice = typeof voiceRaw === "string" ? voiceRaw : typeof voiceRaw === "object" && voiceRaw !== null ? String((voiceRaw as { id?: unknown }).id ?? "") : "";
      if (!voice) return errorReply(400, "Missing required parameter: 'voice'.", "voice", "missing_required_parameter");
      const format = (body["response_format"] ?? "mp3") as AudioFormat;
      if (!FORMATS.has(format)) return errorReply(400, `Invalid value: '${String(format)}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, "response_format", "invalid_value");
      const model = String(body["model"] ?? "");
      const streamFormat = body["stream_format"];
      if (streamFormat === "sse" && NO_SSE_MODEL.test(model)) {
        return errorReply(400, `stream_format 'sse' is not supported for model '${model}'. Use stream_format 'audio', or a gpt-4o-mini-tts model.`, "stream_format", "unsupported_value");
      }
      const speed = typeof body["speed"] === "number" ? body["speed"] : 1;
      const seconds = speechSeconds(input, speed);
      const freq = 180 + (digest(voice)[0]! % 160);
      const audio = synthesize(format, seconds, freq, input);
      if (streamFormat === undefined) return { status: 200, headers: { "content-type": AUDIO_CONTENT_TYPES[format] }, body: audio };
      const faults = ctx.takeHttpStreamFaults?.(req.path) ?? [];
      const requestId = `req_${req.id}`;
      if (streamFormat === "sse") {
        const inputTokens = roughTokens(input);
        const outputTokens = Math.ceil(seconds * 20);
        const frames = chunksOf(audio).map((c) => `data: ${JSON.stringify({ type: "speech.audio.delta", audio: c.toString("base64") })}\n\n`);
        frames.push(`data: ${JSON.stringify({ type: "speech.audio.done", usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens } })}\n\n`);
        return streamed({ "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": requestId }, frames, faults, true);
      }
      return streamed({ "content-type": AUDIO_CONTENT_TYPES[format], "x-request-id": requestId }, chunksOf(audio), faults, false);
    },
  },
];

function chunksOf(audio: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < audio.length; i += SPEECH_STREAM_CHUNK) out.push(audio.subarray(i, i + SPEECH_STREAM_CHUNK));
  return out;
}

/**
 * A reply that writes itself. Typed as an `HttpReply` as well because endpoint modules return
 * `HttpReply`; the server checks every reply for a `stream` function before sending it.
 */
function streamed(headers: Record<string, string>, frames: (Buffer | string)[], faults: readonly Fault[], sse: boolean): HttpReply & StreamingReply {
  return { status: 200, stream: (res) => writeFrames(res, headers, frames, faults, sse) };
}

/** Resolves after the write reached the socket (or the response closed). */
function written(res: ServerResponse, frame: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(frame, () => resolve());
  });
}

async function writeFrames(res: ServerResponse, headers: Record<string, string>, frames: (Buffer | string)[], faults: readonly Fault[], sse: boolean): Promise<void> {
  const latency = pick(faults, "latency");
  const stall = pick(faults, "stall");
  const destroy = pick(faults, "sse-destroy");
  const malformed = sse ? pick(faults, "sse-malformed") : undefined;
  const errorEvent = sse ? pick(faults, "error-event") : undefined;
  const list = sse && pick(faults, "sse-no-terminal") ? frames.slice(0, -1) : frames;
  if (sse && list.length > 0 && pick(faults, "sse-no-trailing-blank")) list[list.length - 1] = (list.at(-1) as string).slice(0, -1);
  // Delays end when the client goes away or the emulator closes (it destroys every socket).
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  res.writeHead(200, headers);
  res.flushHeaders();
  for (let i = 0; i < list.length; i++) {
    if (gone.signal.aborted) return;
    // A stall at the same chunk runs first: a test can let the client read what was sent before the drop.
    if (stall && i === stall.afterEvents) await sleep(stall.ms, gone.signal);
    if (destroy && i === destroy.afterEvents) return void res.socket?.destroy();
    if (errorEvent && i === (errorEvent.afterEvents ?? 0)) {
      const error = { type: "server_error", code: errorEvent.code ?? "server_error", message: errorEvent.message ?? "The server had an error while processing your request." };
      return void res.end(`data: ${JSON.stringify({ type: "error", error })}\n\n`);
    }
    if (malformed && i === (malformed.atEvent ?? 1)) await written(res, `data: {"type":"speech.audio.delta", not json\n\n`);
    if (latency) await sleep(latency.perFrameMs, gone.signal);
    await written(res, list[i]!);
    // One event-loop turn per chunk: each write leaves as its own chunk instead of being coalesced.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (destroy && destroy.afterEvents >= list.length) return void res.socket?.destroy();
  if (!gone.signal.aborted) res.end();
}
