import type { SpeechTarget, TtsFormat } from "./speech-options.js";
import {
  checkSpeechText, requestSpeech, resolveSpeech,
  type SpeechResult, type SpeechSettings, type SynthesizeSpeechOptions,
} from "./synthesize-speech.js";
import type { SpeechContext } from "./_settings.js";
import { streamSpeech, type SpeechStream, type StreamSpeechOptions } from "./stream-speech.js";

/** Options of {@link createOpenAITts}: defaults for every call, plus config/env/HTTP plumbing. */
export interface OpenAITtsOptions extends SpeechSettings, SpeechContext {
  /** Called with each warning of each call. */
  onWarning?: (message: string) => void;
}

/** Per-call overrides of {@link OpenAITts.synthesize}. */
export interface OpenAITtsCallOptions extends SpeechSettings {
  signal?: AbortSignal;
}

/** Per-call overrides of {@link OpenAITts.stream}: those of `synthesize` plus the streaming options. */
export interface OpenAITtsStreamOptions extends OpenAITtsCallOptions, Pick<StreamSpeechOptions, "streamFormat" | "idleTimeoutMs" | "now"> {}

/** The OpenAI speech provider of the `messages.tts` surface. */
export interface OpenAITts {
  readonly provider: "openai";
  /** The model used when a call does not override it. */
  readonly model: string;
  /** The voice used when a call does not override it. */
  readonly voice: string;
  /** The format used when a call sets neither `responseFormat` nor `target` (voice notes: opus unless configured). */
  readonly responseFormat: TtsFormat;
  /** Speak `text`; `target` defaults to `voice-note`. Same errors as {@link synthesizeSpeech}. */
  synthesize(text: string, options?: OpenAITtsCallOptions): Promise<SpeechResult>;
  /** Speak `text` and stream the audio while it is produced; `target` defaults to `voice-note`. See {@link streamSpeech}. */
  stream(text: string, options?: OpenAITtsStreamOptions): Promise<SpeechStream>;
}

/**
 * Create the OpenAI TTS provider for `messages.tts`. Settings resolve like
 * {@link synthesizeSpeech} (options, then `messages.tts.providers.openai`, then env, then
 * defaults) and are checked here, so a bad config fails at start-up rather than on the
 * first voice note. Calls default to `target: "voice-note"` (opus unless configured). The
 * API key stays in a closure: inspecting the provider never shows it.
 */
export function createOpenAITts(options: OpenAITtsOptions = {}): OpenAITts {
  const defaultTarget: SpeechTarget = options.target ?? "voice-note";
  const base = resolveSpeech(options, defaultTarget);
  return {
    provider: "openai",
    model: base.model,
    voice: base.voice,
    responseFormat: base.format,
    async synthesize(text, call = {}) {
      const checked = checkSpeechText(text);
      const merged: SynthesizeSpeechOptions = { ...options, ...definedOnly(call) };
      return requestSpeech(checked, resolveSpeech(merged, defaultTarget), merged);
    },
    stream(text, call = {}) {
      const merged: StreamSpeechOptions = { ...options, ...definedOnly(call) };
      return streamSpeech(text, { ...merged, target: merged.target ?? defaultTarget });
    },
  };
}

/** Drop `undefined` values so they do not erase the provider's defaults. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
