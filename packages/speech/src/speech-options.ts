/**
 * Known models, voices and formats of OpenAI's audio endpoints, and the defaults Genesis
 * applies. Model ids also accept dated snapshots (`gpt-4o-mini-tts-2025-12-15`).
 */

/** Text-to-speech models accepted by {@link synthesizeSpeech}. */
export const TTS_MODELS = ["gpt-4o-mini-tts", "tts-1", "tts-1-hd"] as const;
/** A TTS model id; known ids autocomplete, dated snapshots of them are accepted too. */
export type TtsModel = (typeof TTS_MODELS)[number] | (string & {});

/** Models that honour `instructions` (the tts-1 family ignores them server-side). */
export const INSTRUCTION_MODELS: readonly string[] = ["gpt-4o-mini-tts"];

/**
 * Models that can stream `stream_format: "sse"` (the tts-1 family only streams raw audio).
 * Also the models {@link streamSpeech} defaults to SSE for.
 */
export const SSE_TTS_MODELS: readonly string[] = ["gpt-4o-mini-tts"];

/** How `POST /audio/speech` streams: the raw audio body, or SSE `speech.audio.delta` events. */
export const SPEECH_STREAM_FORMATS = ["audio", "sse"] as const;
/** One of {@link SPEECH_STREAM_FORMATS}. */
export type SpeechStreamFormat = (typeof SPEECH_STREAM_FORMATS)[number];

/** Default `idleTimeoutMs` of {@link streamSpeech}: longest wait for the next bytes. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 60_000;

/** Built-in voices. */
export const TTS_VOICES = [
  "alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "juniper", "marin", "onyx", "nova", "sage", "shimmer", "verse",
] as const;
/** A built-in voice name. */
export type TtsVoice = (typeof TTS_VOICES)[number];

/** Audio formats `POST /audio/speech` can answer in. */
export const TTS_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;
/** One of {@link TTS_FORMATS}. */
export type TtsFormat = (typeof TTS_FORMATS)[number];

/**
 * MIME type per format. `opus` is Ogg Opus; `pcm` is raw 24 kHz 16-bit little-endian mono
 * (there is no registered type for little-endian PCM, so the API's own label is kept).
 */
export const TTS_MIME_TYPES: Readonly<Record<TtsFormat, string>> = Object.freeze({
  mp3: "audio/mpeg",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
  wav: "audio/wav",
  pcm: "audio/pcm",
});

/** What the audio is for: a chat voice note (default format opus) or a file (default mp3). */
export type SpeechTarget = "voice-note" | "file";

/** Default `messages.tts.providers.openai.model`. */
export const DEFAULT_TTS_MODEL = "gpt-4o-mini-tts";
/** Default `messages.tts.providers.openai.voice`. */
export const DEFAULT_TTS_VOICE: TtsVoice = "coral";
/** Default format per target when `responseFormat` is unset. */
export const DEFAULT_TTS_FORMATS: Readonly<Record<SpeechTarget, TtsFormat>> = Object.freeze({ "voice-note": "opus", file: "mp3" });
/** The API's limit on `input` (and `instructions`), in characters. */
export const MAX_TTS_INPUT_CHARS = 4096;
/** Allowed `speed` range (inclusive). */
export const TTS_SPEED_RANGE = Object.freeze({ min: 0.25, max: 4 });

/** Batch transcription models accepted by {@link transcribeAudio}. */
export const STT_MODELS = [
  "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-transcribe-diarize", "gpt-transcribe", "whisper-1",
] as const;
/** A transcription model id; known ids autocomplete, dated snapshots are accepted too. */
export type SttModel = (typeof STT_MODELS)[number] | (string & {});
/** Default `tools.media.audio.models[].model` for the openai provider. */
export const DEFAULT_STT_MODEL = "gpt-4o-transcribe";
/** The API's upload limit for `POST /audio/transcriptions` (25 MB). */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** Default API base for both endpoints. */
export const DEFAULT_AUDIO_BASE_URL = "https://api.openai.com/v1";

/** True when `id` is one of `known` or a dated snapshot of one (`<id>-YYYY-MM-DD`). */
export function isKnownModel(id: string, known: readonly string[]): boolean {
  return known.some((k) => id === k || (id.startsWith(`${k}-`) && /^\d{4}-\d{2}-\d{2}$/.test(id.slice(k.length + 1))));
}
