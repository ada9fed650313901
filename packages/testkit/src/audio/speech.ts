import { AUDIO_CONTENT_TYPES, synthesize, type AudioFormat } from "../_audio.js";
import { digest, errorReply, isReply, jsonObject, roughTokens } from "../_endpoint-util.js";
import type { RouteDef } from "../_types.js";

/**
 * `/v1/audio/speech`: real audio bytes in the requested `response_format` (default mp3).
 * wav/pcm/flac carry a tone whose pitch depends on the voice; mp3/opus/aac are valid
 * silent streams of the same length (see `_audio.ts`). The WAV embeds the input text as a
 * comment so `/v1/audio/transcriptions` can transcribe it back exactly.
 */

const FORMATS = new Set<AudioFormat>(["mp3", "opus", "aac", "flac", "wav", "pcm"]);

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
    handler(req) {
      const body = jsonObject(req);
      if (isReply(body)) return body;
      const input = body["input"];
      if (typeof input !== "string" || input === "") return errorReply(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter");
      const voiceRaw = body["voice"];
      const voice = typeof voiceRaw === "string" ? voiceRaw : typeof voiceRaw === "object" && voiceRaw !== null ? String((voiceRaw as { id?: unknown }).id ?? "") : "";
      if (!voice) return errorReply(400, "Missing required parameter: 'voice'.", "voice", "missing_required_parameter");
      const format = (body["response_format"] ?? "mp3") as AudioFormat;
      if (!FORMATS.has(format)) return errorReply(400, `Invalid value: '${String(format)}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, "response_format", "invalid_value");
      const speed = typeof body["speed"] === "number" ? body["speed"] : 1;
      const seconds = speechSeconds(input, speed);
      const freq = 180 + (digest(voice)[0]! % 160);
      const audio = synthesize(format, seconds, freq, input);
      if (body["stream_format"] === "sse") {
        let out = "";
        const chunk = 16 * 1024;
        for (let i = 0; i < audio.length; i += chunk) {
          out += `data: ${JSON.stringify({ type: "speech.audio.delta", audio: audio.subarray(i, i + chunk).toString("base64") })}\n\n`;
        }
        const inputTokens = roughTokens(input);
        const outputTokens = Math.ceil(seconds * 20);
        out += `data: ${JSON.stringify({ type: "speech.audio.done", usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens } })}\n\n`;
        return { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }, body: out };
      }
      return { status: 200, headers: { "content-type": AUDIO_CONTENT_TYPES[format] }, body: audio };
    },
  },
];
