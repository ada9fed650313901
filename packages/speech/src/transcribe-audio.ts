import { joinUrl } from "@genesis/transport";
import { z } from "zod";
import { SpeechResponseError } from "./speech-errors.js";
import { DEFAULT_AUDIO_BASE_URL, DEFAULT_STT_MODEL, STT_MODELS, isKnownModel, type SttModel } from "./speech-options.js";
import { assertSpeechAvailable, checkBaseUrl, firstSet, mergedEnv, postOnce, requireApiKey, type SpeechConfig, type SpeechContext } from "./_settings.js";
import { loadAudio, type AudioFileSystem, type AudioInput } from "./_audio-file.js";
import { checkShape, checkTimerMs, invalid, quote } from "./_validate.js";

/** Per-call transcription settings; each falls back to the config entry, then the default. */
export interface TranscribeSettings {
  /** Default: the config entry's `model`, else `gpt-4o-transcribe`. */
  model?: SttModel;
  /**
   * ISO-639-1 hint (`en`, `de`...), forwarded as `language`. Default: the config entry's
   * `language`, else the shared `tools.media.audio.language`, else none.
   */
  language?: string;
  /**
   * Style / vocabulary hint, forwarded as `prompt` (not with gpt-4o-transcribe-diarize, which
   * refuses it). Default: the config entry's `prompt`, else `tools.media.audio.prompt`, else none.
   */
  prompt?: string;
  /**
   * Overall limit for the request, retries included, in whole ms. Default: the config entry's
   * `timeoutMs`, else none. `0` = no limit (also lifts the entry's); at most 2147483647.
   */
  timeoutMs?: number;
  /** Falls back to `models.providers.openai.apiKey`, then `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Default `models.providers.openai.baseUrl`, then env `OPENAI_BASE_URL`, then `https://api.openai.com/v1`. */
  baseUrl?: string;
}

/** Options of {@link transcribeAudio}. */
export interface TranscribeAudioOptions extends TranscribeSettings, SpeechContext {
  signal?: AbortSignal;
  /** Filesystem used to read a path input. Default `node:fs/promises`. */
  fs?: AudioFileSystem;
}

/** A transcript. `language` and `durationSec` are set only when the server reports them (whisper-1). */
export interface Transcription {
  text: string;
  language?: string;
  durationSec?: number;
  model: string;
}

const shape = {
  model: z.string().optional(),
  language: z.string().optional(),
  prompt: z.string().optional(),
  timeoutMs: z.number().optional(),
  apiKey: z.string().optional(),
  baseUrl: z.string().optional(),
};

const answerSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().optional(),
  usage: z.object({ type: z.string(), seconds: z.number().optional() }).passthrough().optional(),
});

const ENTRY_PATH = "tools.media.audio.models[]";
const SHARED_PATH = "tools.media.audio";
/** The speaker-labelling transcriber: no `prompt`, and `chunking_strategy` is required above 30 s. */
const DIARIZE_MODEL = "gpt-4o-transcribe-diarize";

/** One `tools.media.audio.models[]` entry. */
type AudioModelEntry = NonNullable<NonNullable<NonNullable<NonNullable<SpeechConfig["tools"]>["media"]>["audio"]>["models"]>[number];

/** The first `tools.media.audio.models[]` entry for the openai provider, with its index. */
function openAIAudioEntry(config: SpeechConfig | undefined): { index: number; entry: AudioModelEntry } | undefined {
  const models = config?.tools?.media?.audio?.models ?? [];
  const index = models.findIndex((m) => m.provider === "openai" && (m.type === undefined || m.type === "provider"));
  return index === -1 ? undefined : { index, entry: models[index]! };
}

/** Merge call > config entry > env > defaults and check them; throws `ValidationError` / `AuthError`. */
export function resolveTranscription(options: TranscribeAudioOptions) {
  assertSpeechAvailable(options.config, "stt");
  const call = checkShape("transcribeAudio", shape, options);
  const found = openAIAudioEntry(options.config);
  const entryPath = found ? `tools.media.audio.models[${found.index}]` : ENTRY_PATH;
  const entry: Partial<AudioModelEntry> = found?.entry ?? {};
  // Hints shared by every transcription; a models[] entry or the call overrides them.
  const shared = options.config?.tools?.media?.audio ?? {};
  const env = mergedEnv(options);
  const model = firstSet(call.model, entry.model) ?? DEFAULT_STT_MODEL;
  if (!isKnownModel(model, STT_MODELS)) {
    const path = call.model !== undefined ? "model" : `${entryPath}.model`;
    throw invalid(path, `unknown transcription model ${quote(model)}`, `Use one of: ${STT_MODELS.join(", ")}.`);
  }
  const language = firstSet(call.language, entry.language, shared.language);
  if (language !== undefined && !/^[a-z]{2,3}$/i.test(language)) {
    const path = call.language !== undefined ? "language" : firstSet(entry.language) !== undefined ? `${entryPath}.language` : `${SHARED_PATH}.language`;
    throw invalid(path, `language ${quote(language)} is not an ISO-639-1 code`, "Use a two-letter code such as en, de or fr.");
  }
  let prompt = firstSet(call.prompt, entry.prompt, shared.prompt);
  if (prompt !== undefined && model.startsWith(DIARIZE_MODEL)) {
    // The diarizing model refuses `prompt`. A config-wide prompt (shared, or the entry's when a
    // call picks that model) is dropped; a prompt set next to it (same call or entry) is a mistake.
    const fromEntry = firstSet(entry.prompt) !== undefined && call.model === undefined;
    const promptPath = firstSet(call.prompt) !== undefined ? "prompt" : fromEntry ? `${entryPath}.prompt` : undefined;
    if (promptPath !== undefined) {
      throw invalid(promptPath, `${model} does not take a prompt`, `Remove the prompt, or use ${DEFAULT_STT_MODEL}.`);
    }
    prompt = undefined;
  }
  const providers = options.config?.models?.providers?.openai;
  const apiKey = requireApiKey(firstSet(call.apiKey, providers?.apiKey, env.OPENAI_API_KEY), "models.providers.openai.apiKey");
  const rawBase = firstSet(call.baseUrl, providers?.baseUrl, env.OPENAI_BASE_URL) ?? DEFAULT_AUDIO_BASE_URL;
  const baseUrl = checkBaseUrl(rawBase, call.baseUrl !== undefined ? "baseUrl" : providers?.baseUrl !== undefined ? "models.providers.openai.baseUrl" : "OPENAI_BASE_URL");
  return {
    model,
    language: language?.toLowerCase(),
    prompt,
    timeoutMs: timeoutOf(call.timeoutMs, entry.timeoutMs, entryPath),
    apiKey,
    baseUrl,
    timeoutHint: found && call.timeoutMs === undefined ? `Raise ${entryPath}.timeoutMs, or check the endpoint.` : "Raise timeoutMs, or check the endpoint.",
  };
}

/** The overall timeout (call > config entry), checked; 0 (either place) means none, so a call can lift the entry's limit. */
function timeoutOf(call: number | undefined, entry: number | undefined, entryPath: string): number | undefined {
  const ms = call !== undefined ? checkTimerMs("timeoutMs", call, "120000 (2 min)") : entry !== undefined ? checkTimerMs(`${entryPath}.timeoutMs`, entry, "120000 (2 min)") : undefined;
  return ms === 0 ? undefined : ms;
}

/** Send one `POST /audio/transcriptions` with already-resolved settings. */
export async function requestTranscription(
  input: AudioInput,
  resolved: ReturnType<typeof resolveTranscription>,
  options: TranscribeAudioOptions,
): Promise<Transcription> {
  const audio = await loadAudio(input, options.fs);
  // whisper-1 reports language and duration only in its verbose answer; the gpt-4o
  // transcribers accept json/text only.
  const verbose = resolved.model.startsWith("whisper");
  const form = new FormData();
  form.append("file", new Blob([audio.data], { type: audio.mimeType }), audio.filename);
  form.append("model", resolved.model);
  form.append("response_format", verbose ? "verbose_json" : "json");
  if (resolved.language !== undefined) form.append("language", resolved.language);
  if (resolved.prompt !== undefined) form.append("prompt", resolved.prompt);
  // "auto" is harmless on short clips and keeps long ones from being refused.
  if (resolved.model.startsWith(DIARIZE_MODEL)) form.append("chunking_strategy", "auto");
  const res = await postOnce(joinUrl(resolved.baseUrl, "/audio/transcriptions"), { headers: { accept: "application/json" }, body: form }, {
    ...options, apiKey: resolved.apiKey, timeoutMs: resolved.timeoutMs, timeoutHint: resolved.timeoutHint,
  });
  const answer = answerSchema.safeParse(await res.json().catch(() => undefined));
  if (!answer.success) {
    throw new SpeechResponseError("/audio/transcriptions answered without a text field", { endpoint: "/audio/transcriptions" });
  }
  const { text, language, duration, usage } = answer.data;
  const durationSec = duration ?? (usage?.type === "duration" ? usage.seconds : undefined);
  return { text, model: resolved.model, ...(language ? { language } : {}), ...(durationSec !== undefined ? { durationSec } : {}) };
}

/**
 * Transcribe an audio file with OpenAI (`POST {baseUrl}/audio/transcriptions`, multipart).
 * `input` is a path or `{ data, filename }`. Model, language, prompt and timeout come from
 * `options`, then the first `tools.media.audio.models[]` entry with `provider: "openai"`, then
 * (language and prompt) the shared `tools.media.audio.language` / `.prompt`, then the default
 * (gpt-4o-transcribe, no hints). The file is checked first (exists, non-empty, ≤ 25 MB,
 * wav/mp3/ogg/flac/m4a/webm by magic bytes), so nothing is sent for a bad file.
 * @throws ConfigError `plugin_disabled` (`plugins.entries.openai.enabled: false`, checked before
 *   the file is read), AudioFileError, ValidationError, AuthError `no_api_key`, transport errors after
 *   retries (`ConnectTimeoutError` when `timeoutMs` passes), SpeechResponseError.
 */
export async function transcribeAudio(input: AudioInput, options: TranscribeAudioOptions = {}): Promise<Transcription> {
  return requestTranscription(input, resolveTranscription(options), options);
}
