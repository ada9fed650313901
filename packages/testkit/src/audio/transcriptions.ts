import { wavComment } from "../_audio.js";
import { errorReply, isReply, multipartBody, roughTokens } from "../_endpoint-util.js";
import { fieldValue, fieldValues, filesOf, type MultipartFile } from "../_multipart.js";
import type { RouteDef } from "../_types.js";

/**
 * `/v1/audio/transcriptions` (multipart). The transcript is the text embedded by the
 * emulator's own speech endpoint when the file is one of its WAVs, otherwise a deterministic
 * sentence naming the file. Formats: json, text, verbose_json (whisper-1), srt, vtt;
 * `stream=true` on non-whisper models answers SSE `transcript.text.delta`/`.done`.
 */

/** Container detected from magic bytes, or undefined for formats the API refuses. */
export function audioContainer(data: Buffer): string | undefined {
  const ascii = (a: number, b: number): string => data.toString("latin1", a, b);
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WAVE") return "wav";
  if (ascii(0, 4) === "fLaC") return "flac";
  if (ascii(0, 4) === "OggS") return "ogg";
  if (ascii(0, 3) === "ID3" || (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0)) return "mp3";
  if (ascii(4, 8) === "ftyp") return "mp4";
  if (data.readUInt32BE(0) === 0x1a45dfa3) return "webm";
  return undefined;
}

/** Approximate duration in seconds (exact for PCM WAV). */
function durationOf(file: MultipartFile, container: string): number {
  if (container === "wav") {
    const at = file.data.indexOf("data", 12, "latin1");
    const rate = file.data.readUInt32LE(24) || 24_000;
    if (at > 0 && at + 8 <= file.data.length) return file.data.readUInt32LE(at + 4) / (rate * 2);
  }
  return Math.max(0.1, file.data.length / 16_000);
}

const LANGUAGES: Record<string, string> = { en: "english", de: "german", fr: "french", es: "spanish", it: "italian", ja: "japanese", nl: "dutch", pt: "portuguese" };

function timestamp(sec: number, sep: "," | "."): string {
  const ms = Math.round(sec * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}${sep}${p(ms % 1000, 3)}`;
}

/** Routes of this module. */
export const transcriptionRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/v1/audio/transcriptions",
    operationId: "createTranscription",
    handler(req) {
      const form = multipartBody(req);
      if (isReply(form)) return form;
      const file = filesOf(form, "file")[0];
      if (!file) return errorReply(400, "Missing required parameter: 'file'.", "file", "missing_required_parameter");
      const model = fieldValue(form, "model");
      if (!model) return errorReply(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter");
      const container = file.data.length >= 12 ? audioContainer(file.data) : undefined;
      if (!container) {
        return errorReply(400, "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", "file", "invalid_value");
      }
      const format = fieldValue(form, "response_format") ?? "json";
      const whisper = model.startsWith("whisper");
      const allowed = whisper ? ["json", "text", "srt", "verbose_json", "vtt"] : model.includes("diarize") ? ["json", "text", "diarized_json"] : ["json", "text"];
      if (!allowed.includes(format)) {
        return errorReply(400, `response_format '${format}' is not compatible with model '${model}'. Use one of: ${allowed.join(", ")}.`, "response_format", "unsupported_value");
      }
      const text = wavComment(file.data) ?? `Emulated transcript of ${file.filename || "audio"}.`;
      const duration = durationOf(file, container);
      const language = fieldValue(form, "language") ?? "en";
      const outTokens = roughTokens(text);
      const audioTokens = Math.ceil(duration * 10);
      const promptTokens = roughTokens(fieldValue(form, "prompt") ?? "") * (fieldValue(form, "prompt") ? 1 : 0);
      const usage = whisper
        ? { type: "duration", seconds: Math.ceil(duration) }
        : { type: "tokens", input_tokens: audioTokens + promptTokens, input_token_details: { text_tokens: promptTokens, audio_tokens: audioTokens }, output_tokens: outTokens, total_tokens: audioTokens + promptTokens + outTokens };
      const pieces = text.match(/\S+\s*/g) ?? [text];
      // include[]=logprobs adds one entry per token (here: per word) on the gpt-4o transcribers.
      const wantLogprobs = !whisper && fieldValues(form, "include[]").includes("logprobs");
      const logprob = (token: string): { token: string; logprob: number; bytes: number[] } => ({ token, logprob: -0.01, bytes: [...Buffer.from(token)] });
      if (fieldValue(form, "stream") === "true" && !whisper) {
        let out = "";
        for (const piece of pieces) out += `data: ${JSON.stringify({ type: "transcript.text.delta", delta: piece, ...(wantLogprobs ? { logprobs: [logprob(piece)] } : {}) })}\n\n`;
        out += `data: ${JSON.stringify({ type: "transcript.text.done", text, usage, ...(wantLogprobs ? { logprobs: pieces.map(logprob) } : {}) })}\n\n`;
        return { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }, body: out };
      }
      if (format === "text") return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: `${text}\n` };
      if (format === "srt") return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: `1\n${timestamp(0, ",")} --> ${timestamp(duration, ",")}\n${text}\n\n` };
      if (format === "vtt") return { status: 200, headers: { "content-type": "text/vtt; charset=utf-8" }, body: `WEBVTT\n\n${timestamp(0, ".")} --> ${timestamp(duration, ".")}\n${text}\n\n` };
      if (format === "verbose_json") {
        const words = text.split(/\s+/).filter(Boolean);
        const step = duration / Math.max(1, words.length);
        const wantWords = fieldValues(form, "timestamp_granularities[]").includes("word");
        return {
          status: 200,
          body: {
            task: "transcribe",
            language: LANGUAGES[language] ?? language,
            duration,
            text,
            segments: [{ id: 0, seek: 0, start: 0, end: duration, text, tokens: words.map((_, i) => 1000 + i), temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0.01 }],
            ...(wantWords ? { words: words.map((word, i) => ({ word, start: i * step, end: (i + 1) * step })) } : {}),
            usage,
          },
        };
      }
      if (format === "diarized_json") {
        return { status: 200, body: { task: "transcribe", duration, text, segments: [{ type: "transcript.text.segment", id: "seg_0", start: 0, end: duration, text, speaker: "A" }], usage } };
      }
      return { status: 200, body: { text, usage, ...(wantLogprobs ? { logprobs: pieces.map(logprob) } : {}) } };
    },
  },
];
