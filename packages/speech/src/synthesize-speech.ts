import { joinUrl } from "@genesis/transport";
import { z } from "zod";
import { matchesTtsFormat } from "./audio-container.js";
import { SpeechResponseError } from "./speech-errors.js";
import {
  DEFAULT_AUDIO_BASE_URL, DEFAULT_TTS_FORMATS, DEFAULT_TTS_MODEL, DEFAULT_TTS_VOICE, INSTRUCTION_MODELS, MAX_TTS_INPUT_CHARS,
  TTS_FORMATS, TTS_MIME_TYPES, TTS_MODELS, TTS_SPEED_RANGE, TTS_VOICES, isKnownModel,
  type SpeechTarget, type TtsFormat, type TtsModel, type TtsVoice,
} from "./speech-options.js";
import { assertSpeechAvailable, checkBaseUrl, firstSet, mergedEnv, postOnce, requireApiKey, type SpeechContext } from "./_settings.js";
import { checkShape, invalid, quote } from "./_validate.js";

/** Per-call TTS settings; each falls back to `messages.tts.providers.openai.*`, then the default. */
export interface SpeechSettings {
  /** Default `gpt-4o-mini-tts`. One of `gpt-4o-mini-tts`, `tts-1`, `tts-1-hd` (or a dated snapshot). */
  model?: TtsModel;
  /** Default `coral`. Case-insensitive. */
  voice?: TtsVoice | (string & {});
  /** 0.25–4; unset leaves the API's default (1). */
  speed?: number;
  /**
   * Voice direction, `gpt-4o-mini-tts` only. Passed here with a tts-1 model it is an error;
   * inherited from config while a tts-1 model is used it is dropped with a warning.
   */
  instructions?: string;
  /** Default: `opus` for `target: "voice-note"`, `mp3` for `target: "file"`. */
  responseFormat?: TtsFormat;
  /** Chooses the default format. Default `file` for {@link synthesizeSpeech}. */
  target?: SpeechTarget;
  /** Falls back to `messages.tts.providers.openai.apiKey`, then `OPENAI_API_KEY`. */
  apiKey?: string;
  /**
   * Default: `messages.tts.providers.openai.baseUrl`, then env `OPENAI_TTS_BASE_URL`, then
   * `https://api.openai.com/v1`. Chat traffic never reads `OPENAI_TTS_BASE_URL`.
   */
  baseUrl?: string;
}

/** Options of {@link synthesizeSpeech}. */
export interface SynthesizeSpeechOptions extends SpeechSettings, SpeechContext {
  signal?: AbortSignal;
  /** Called with each warning (also returned on the result). */
  onWarning?: (message: string) => void;
}

/** Synthesized audio and the settings that produced it. */
export interface SpeechResult {
  audio: Uint8Array;
  format: TtsFormat;
  mimeType: string;
  model: string;
  voice: string;
  /** Settings that were dropped (e.g. config `instructions` with a tts-1 model). */
  warnings: string[];
}

const CONFIG_PATH = "messages.tts.providers.openai";

const shape = {
  model: z.string().optional(),
  voice: z.string().optional(),
  speed: z.number().optional(),
  instructions: z.string().optional(),
  responseFormat: z.string().optional(),
  target: z.string().optional(),
  apiKey: z.string().optional(),
  baseUrl: z.string().optional(),
};

/** Resolved settings for one request. Internal: it holds the API key. */
interface Resolved {
  model: string;
  voice: string;
  speed: number | undefined;
  instructions: string | undefined;
  format: TtsFormat;
  apiKey: string;
  baseUrl: string;
  warnings: string[];
}

/** Merge call > config > env > defaults and check every value; throws `ValidationError` / `AuthError`. */
export function resolveSpeech(options: SynthesizeSpeechOptions, defaultTarget: SpeechTarget): Resolved {
  assertSpeechAvailable(options.config, "tts");
  const call = checkShape("synthesizeSpeech", shape, options);
  const cfg = options.config?.messages?.tts?.providers?.openai ?? {};
  const env = mergedEnv(options);
  const from = (key: string, explicit: unknown) => (explicit !== undefined ? key : `${CONFIG_PATH}.${key}`);

  const model = firstSet(call.model, cfg.model) ?? DEFAULT_TTS_MODEL;
  if (!isKnownModel(model, TTS_MODELS)) {
    throw invalid(from("model", call.model), `unknown TTS model ${quote(model)}`, `Use one of: ${TTS_MODELS.join(", ")}.`);
  }
  const voice = (firstSet(call.voice, cfg.voice) ?? DEFAULT_TTS_VOICE).toLowerCase();
  if (!(TTS_VOICES as readonly string[]).includes(voice)) {
    throw invalid(from("voice", call.voice), `unknown voice ${quote(voice)}`, `Use one of: ${TTS_VOICES.join(", ")}.`);
  }
  const speed = call.speed ?? cfg.speed;
  if (speed !== undefined && !(speed >= TTS_SPEED_RANGE.min && speed <= TTS_SPEED_RANGE.max)) {
    throw invalid(from("speed", call.speed), `speed ${speed} is out of range`, "Use a number from 0.25 to 4 (1 is normal speed).");
  }
  const target = (call.target ?? defaultTarget) as SpeechTarget;
  if (target !== "voice-note" && target !== "file") {
    throw invalid("target", `unknown target ${quote(String(target))}`, "Use voice-note or file.");
  }
  const format = (firstSet(call.responseFormat, cfg.responseFormat) ?? DEFAULT_TTS_FORMATS[target]).toLowerCase();
  if (!(TTS_FORMATS as readonly string[]).includes(format)) {
    throw invalid(from("responseFormat", call.responseFormat), `unknown audio format ${quote(format)}`, `Use one of: ${TTS_FORMATS.join(", ")}.`);
  }

  const warnings: string[] = [];
  let instructions = firstSet(call.instructions) ?? firstSet(cfg.instructions);
  if (instructions !== undefined) {
    const path = from("instructions", firstSet(call.instructions));
    if (!isKnownModel(model, INSTRUCTION_MODELS)) {
      if (path === "instructions") {
        throw invalid(path, `${model} does not take instructions`, `Remove the instructions, or use ${INSTRUCTION_MODELS.join(", ")}.`);
      }
      warnings.push(`${path} ignored: ${model} does not take instructions (only ${INSTRUCTION_MODELS.join(", ")} does).`);
      instructions = undefined;
    } else if ([...instructions].length > MAX_TTS_INPUT_CHARS) {
      throw invalid(path, `instructions are longer than ${MAX_TTS_INPUT_CHARS} characters`, "Shorten the instructions.");
    }
  }

  const apiKey = requireApiKey(firstSet(call.apiKey, cfg.apiKey, env.OPENAI_API_KEY), `${CONFIG_PATH}.apiKey`);
  const rawBase = firstSet(call.baseUrl, cfg.baseUrl, env.OPENAI_TTS_BASE_URL) ?? DEFAULT_AUDIO_BASE_URL;
  const basePath = call.baseUrl !== undefined ? "baseUrl" : cfg.baseUrl !== undefined ? `${CONFIG_PATH}.baseUrl` : "OPENAI_TTS_BASE_URL";
  const baseUrl = checkBaseUrl(rawBase, basePath);
  return { model, voice, speed, instructions, format: format as TtsFormat, apiKey, baseUrl, warnings };
}

/** Check the text to speak: a non-blank string of at most 4096 characters. */
export function checkSpeechText(text: unknown): string {
  if (typeof text !== "string" || text.trim() === "") {
    throw invalid("text", "the text to speak is empty", "Pass a non-empty string.");
  }
  const length = [...text].length;
  if (length > MAX_TTS_INPUT_CHARS) {
    throw invalid("text", `the text is ${length} characters; the limit is ${MAX_TTS_INPUT_CHARS}`, "Split it into several requests.");
  }
  return text;
}

/** Send one `POST /audio/speech` with already-resolved settings. */
export async function requestSpeech(text: string, resolved: Resolved, options: SynthesizeSpeechOptions): Promise<SpeechResult> {
  for (const warning of resolved.warnings) options.onWarning?.(warning);
  const body: Record<string, unknown> = { model: resolved.model, input: text, voice: resolved.voice, response_format: resolved.format };
  if (resolved.speed !== undefined) body.speed = resolved.speed;
  if (resolved.instructions !== undefined) body.instructions = resolved.instructions;
  const res = await postOnce(
    joinUrl(resolved.baseUrl, "/audio/speech"),
    { headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    { ...options, apiKey: resolved.apiKey },
  );
  const contentType = res.headers.get("content-type") ?? "";
  const audio = new Uint8Array(await res.arrayBuffer());
  // A proxy or a wrong base URL can answer 200 with JSON or HTML: never hand that back as audio.
  if (audio.length === 0 || /json|html|text\//i.test(contentType) || !matchesTtsFormat(audio, resolved.format)) {
    const what = audio.length === 0 ? "an empty body" : `${audio.length} bytes of ${contentType || "unknown content"}`;
    throw new SpeechResponseError(`/audio/speech answered ${what}, not ${resolved.format} audio`, { endpoint: "/audio/speech" });
  }
  return {
    audio,
    format: resolved.format,
    mimeType: TTS_MIME_TYPES[resolved.format],
    model: resolved.model,
    voice: resolved.voice,
    warnings: [...resolved.warnings],
  };
}

/**
 * Speak `text` with OpenAI TTS (`POST {baseUrl}/audio/speech`) and return the audio bytes.
 * Settings come from `options`, then `config.messages.tts.providers.openai`, then the
 * environment (`OPENAI_API_KEY`, `OPENAI_TTS_BASE_URL`), then the defaults (gpt-4o-mini-tts,
 * coral, mp3 for files / opus for voice notes). Every value is checked before any request.
 * @throws ValidationError for empty or over-long text and unknown model/voice/format/speed,
 *   ConfigError `plugin_disabled` (`plugins.entries.openai.enabled: false`) or
 *   `provider_unavailable` (`messages.tts.provider` other than openai), AuthError `no_api_key`, transport errors (`RateLimitError`, `ApiError`...) after retries,
 *   SpeechResponseError when the answer is not audio of the requested format.
 */
export async function synthesizeSpeech(text: string, options: SynthesizeSpeechOptions = {}): Promise<SpeechResult> {
  const checked = checkSpeechText(text);
  return requestSpeech(checked, resolveSpeech(options, "file"), options);
}
