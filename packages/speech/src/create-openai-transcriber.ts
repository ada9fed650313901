import type { AudioInput } from "./_audio-file.js";
import { requestTranscription, resolveTranscription, type TranscribeAudioOptions, type TranscribeSettings, type Transcription } from "./transcribe-audio.js";

/** Options of {@link createOpenAITranscriber}: defaults for every call, plus config/env/HTTP plumbing. */
export type OpenAITranscriberOptions = TranscribeAudioOptions;

/** Per-call overrides of {@link OpenAITranscriber.transcribe}. */
export interface OpenAITranscriberCallOptions extends TranscribeSettings {
  signal?: AbortSignal;
}

/** The OpenAI batch transcriber of the `tools.media.audio` surface. */
export interface OpenAITranscriber {
  readonly provider: "openai";
  /** The model used when a call does not override it. */
  readonly model: string;
  /** Transcribe a path or `{ data, filename }`. Same errors as {@link transcribeAudio}. */
  transcribe(input: AudioInput, options?: OpenAITranscriberCallOptions): Promise<Transcription>;
}

/**
 * Create the OpenAI transcriber for `tools.media.audio`. Settings resolve like
 * {@link transcribeAudio} (options, then the first `tools.media.audio.models[]` entry with
 * `provider: "openai"`, then env, then gpt-4o-transcribe) and are checked here, so a bad
 * config fails at start-up. The API key stays in a closure, out of `util.inspect` output.
 */
export function createOpenAITranscriber(options: OpenAITranscriberOptions = {}): OpenAITranscriber {
  const base = resolveTranscription(options);
  return {
    provider: "openai",
    model: base.model,
    async transcribe(input, call = {}) {
      const overrides = Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined));
      const merged: TranscribeAudioOptions = { ...options, ...overrides };
      return requestTranscription(input, resolveTranscription(merged), merged);
    },
  };
}
