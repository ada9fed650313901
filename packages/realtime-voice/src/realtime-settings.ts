import { AuthError, ConfigError, ValidationError, redactSecrets, type GenesisConfig } from "@genesis/core";
import { z } from "zod";
import { assertRealtimeAvailable, temperatureWarnings } from "./_realtime-gate.js";

/** Default realtime transcription model (`...streaming.providers.openai.model`). */
export const DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-transcribe";
/** Default realtime voice model (`...realtime.providers.openai.model`). */
export const DEFAULT_REALTIME_MODEL = "gpt-realtime-1.5";
/** Default output voice. */
export const DEFAULT_REALTIME_VOICE = "alloy";
/** The OpenAI GA Realtime WebSocket endpoint. */
export const DEFAULT_REALTIME_URL = "wss://api.openai.com/v1/realtime";
/** Default inbound silence (ms) after which a realtime session pings the server. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Default time (ms) a ping may go unanswered before the connection counts as lost. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;
/** Config path of the realtime transcription settings. */
export const TRANSCRIPTION_CONFIG_PATH = "plugins.entries.voice-call.config.streaming.providers.openai";
/** Config path of the realtime voice settings. */
export const VOICE_CONFIG_PATH = "plugins.entries.voice-call.config.realtime.providers.openai";

/** The parts of the Genesis config this package reads. */
export type RealtimeConfig = Pick<GenesisConfig, "env" | "plugins">;
/** Environment variables, e.g. `process.env`. */
export type EnvLike = Readonly<Record<string, string | undefined>>;

const threshold = z.number({ error: "must be a number between 0 and 1" }).min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" });
const millis = z.number({ error: "must be a whole number of milliseconds" }).int({ error: "must be a whole number of milliseconds" }).min(0, { error: "must not be negative" });
const text = z.string({ error: "must be a string" });
// Node fires longer timers at once (with a warning), so cap at the largest delay setTimeout honours.
const MAX_TIMER_MS = 2_147_483_647;
const timerMs = (what: string) =>
  z
    .number({ error: `must be a whole number of milliseconds${what}` })
    .int({ error: `must be a whole number of milliseconds${what}` })
    .max(MAX_TIMER_MS, { error: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days)` });
// Empty means "no hint" (the config schema allows it); anything else must be ISO-639-1.
const language = text.trim().toLowerCase().regex(/^(?:[a-z]{2,3})?$/i, { error: "must be an ISO-639-1 code such as en, de or fr" });
const nonEmpty = text.trim().min(1, { error: "must not be empty" });
const endpointUrl = nonEmpty
  .regex(/^(?:wss?|https?):\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, { error: "expected a ws(s):// or http(s):// URL" })
  .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), { error: "must not contain credentials (user:password@); use apiKey instead" });

/** Settings shared by transcription and voice (per call, config or default). */
const shared = {
  /** API key; falls back to the config's `apiKey`, then `OPENAI_API_KEY`. */
  apiKey: nonEmpty.optional(),
  /** Realtime endpoint, default `wss://api.openai.com/v1/realtime` (http(s) is mapped to ws(s)). */
  url: endpointUrl.optional(),
  vadThreshold: threshold.optional(),
  silenceDurationMs: millis.optional(),
  /** Audio kept before detected speech; default 300 ms. */
  prefixPaddingMs: millis.optional(),
  /** Upgrade handshake limit; default 10000 ms. */
  handshakeTimeoutMs: millis.min(1, { error: "must be at least 1 ms" }).optional(),
  /** Inbound silence before a ping; default 15000 ms, 0 turns the liveness check off. */
  heartbeatMs: timerMs("; 0 turns the heartbeat off").min(0, { error: "must not be negative; 0 turns the heartbeat off" }).optional(),
  /** How long a ping may go unanswered; default 10000 ms. */
  heartbeatTimeoutMs: timerMs("").min(1, { error: "must be at least 1 ms" }).optional(),
};

/** Per-call transcription settings (validated; unknown keys are ignored). */
export const transcriberSettingsSchema = z.object({ ...shared, model: nonEmpty.optional(), language: language.optional(), prompt: text.optional() });
/** Input transcription inside a voice session (caller speech to text). */
const inputTranscription = z.strictObject({ model: nonEmpty.optional(), language: language.optional(), prompt: text.optional() });
/** Per-call voice settings (validated; unknown keys are ignored). */
export const voiceSettingsSchema = z.object({
  ...shared,
  model: nonEmpty.optional(),
  voice: nonEmpty.optional(),
  temperature: z.number({ error: "must be a number between 0 and 2" }).min(0, { error: "must be between 0 and 2" }).max(2, { error: "must be between 0 and 2" }).optional(),
  instructions: text.optional(),
  inputTranscription: inputTranscription.optional(),
  azureEndpoint: endpointUrl.optional(),
  azureDeployment: nonEmpty.optional(),
  azureApiVersion: nonEmpty.optional(),
});

/** Per-call transcription settings as accepted by {@link resolveTranscriberSettings}. */
export type TranscriberSettingsInput = z.input<typeof transcriberSettingsSchema>;
/** Per-call voice settings as accepted by {@link resolveVoiceSettings}. */
export type VoiceSettingsInput = z.input<typeof voiceSettingsSchema>;

/** Where settings come from besides the call itself. */
export interface SettingsSources {
  /** Genesis config; its `env` block is a fallback under the real environment. */
  config?: RealtimeConfig;
  /** Environment; default `process.env`. */
  env?: EnvLike;
}

/** The endpoint and VAD settings every session resolves to (no secrets). */
export interface ResolvedEndpoint {
  provider: "openai" | "azure";
  /** Full WebSocket URL including `model` / `intent` (never a key). */
  url: string;
  /** Where the key came from: `options`, `config` or `env:<NAME>`. */
  keySource: string;
  vadThreshold: number;
  silenceDurationMs: number;
  prefixPaddingMs: number;
  handshakeTimeoutMs: number;
  /** Inbound silence after which a ping is sent (0: no heartbeat). */
  heartbeatMs: number;
  /** Time a ping may go unanswered before the session fails with RealtimeConnectionLostError. */
  heartbeatTimeoutMs: number;
}

/** Resolved realtime transcription settings. */
export interface TranscriberSettings extends ResolvedEndpoint {
  model: string;
  language: string | undefined;
  prompt: string | undefined;
}

/** Resolved realtime voice settings. */
export interface VoiceSettings extends ResolvedEndpoint {
  model: string;
  voice: string;
  /**
   * Default 0.8. Kept for config compatibility but not sent: the GA session schema has no
   * temperature (the beta protocol had one, and GA rejects unknown session fields).
   */
  temperature: number;
  /** Settings that were resolved but have no effect; e.g. an explicitly set `temperature`. */
  warnings: string[];
  instructions: string | undefined;
  inputTranscription: { model: string; language?: string; prompt?: string } | undefined;
  azureDeployment: string | undefined;
}

/** Settings plus the secret needed to connect; the secret stays out of `settings`. */
export interface ResolvedConnection<S> {
  settings: S;
  headers: Record<string, string>;
  secrets: string[];
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: "options" | "config", base: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = `${base}.${issue.path.join(".")}`;
  const got = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], value);
  const shown = typeof got === "string" ? JSON.stringify(redactSecrets(got)) : typeof got === "number" || typeof got === "boolean" ? String(got) : typeof got;
  const message = `${path}: ${issue.message} (got ${shown}).`;
  const hint = `Fix ${path} ${where === "config" ? "in genesis.json5" : "in the options you pass"}.`;
  if (where === "config") throw new ConfigError("config_invalid", message, { path, hint });
  throw new ValidationError(message, { path, hint });
}

function mergedEnv(sources: SettingsSources): EnvLike {
  const out: Record<string, string | undefined> = { ...(sources.config?.env ?? {}) };
  for (const [key, value] of Object.entries(sources.env ?? process.env)) if (value !== undefined && value.trim() !== "") out[key] = value.trim();
  return out;
}

function section(config: RealtimeConfig | undefined, kind: "streaming" | "realtime"): unknown {
  return config?.plugins?.entries?.["voice-call"]?.config?.[kind]?.providers?.openai;
}

/** `http(s)` → `ws(s)`, no trailing slash. */
function toWs(url: string): URL {
  const parsed = new URL(url.replace(/^http(s?):/i, "ws$1:"));
  parsed.pathname = parsed.pathname.replace(/\/+$/, "");
  return parsed;
}

function pickKey(options: string | undefined, config: string | undefined, env: EnvLike, names: string[], configPath: string): { key: string; source: string } {
  if (options) return { key: options, source: "options" };
  if (config) return { key: config, source: "config" };
  for (const name of names) if (env[name]) return { key: env[name]!, source: `env:${name}` };
  throw new AuthError("no_api_key", "No API key for the realtime connection.", {
    provider: names.includes("AZURE_OPENAI_API_KEY") ? "azure-openai" : "openai",
    hint: `Set ${names.join(" or ")}, or ${configPath}.apiKey (or pass apiKey).`,
  });
}

// The socket timings both session kinds share (per call only: they are not config keys).
function connectionTiming(call: { handshakeTimeoutMs?: number | undefined; heartbeatMs?: number | undefined; heartbeatTimeoutMs?: number | undefined }) {
  return {
    handshakeTimeoutMs: call.handshakeTimeoutMs ?? 10_000,
    heartbeatMs: call.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    heartbeatTimeoutMs: call.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
  };
}

/**
 * Resolves realtime transcription settings: per-call options, then
 * `plugins.entries.voice-call.config.streaming.providers.openai`, then defaults
 * (model `gpt-4o-transcribe`, silence 800 ms, VAD threshold 0.5, prefix padding 300 ms;
 * per call only: handshake 10000 ms, heartbeat 15000 ms, heartbeat timeout 10000 ms);
 * the key falls back to `OPENAI_API_KEY`. With a config, the voice-call and openai plugins must
 * be on and `...streaming.provider` unset or `openai`.
 * @throws ConfigError `plugin_disabled` / `provider_unavailable`; ValidationError / ConfigError
 *   naming the bad field; AuthError `no_api_key`.
 */
export function resolveTranscriberSettings(options: TranscriberSettingsInput, sources: SettingsSources = {}): ResolvedConnection<TranscriberSettings> {
  assertRealtimeAvailable(sources.config, "streaming");
  const call = parse(transcriberSettingsSchema, options, "options", "options");
  const conf = parse(transcriberSettingsSchema, section(sources.config, "streaming"), "config", TRANSCRIPTION_CONFIG_PATH);
  const { key, source } = pickKey(call.apiKey, conf.apiKey, mergedEnv(sources), ["OPENAI_API_KEY"], TRANSCRIPTION_CONFIG_PATH);
  const url = toWs(call.url ?? DEFAULT_REALTIME_URL);
  url.searchParams.set("intent", "transcription");
  return {
    settings: {
      provider: "openai",
      url: url.toString(),
      keySource: source,
      model: call.model ?? conf.model ?? DEFAULT_TRANSCRIPTION_MODEL,
      language: call.language ?? conf.language,
      prompt: call.prompt ?? conf.prompt,
      vadThreshold: call.vadThreshold ?? conf.vadThreshold ?? 0.5,
      silenceDurationMs: call.silenceDurationMs ?? conf.silenceDurationMs ?? 800,
      prefixPaddingMs: call.prefixPaddingMs ?? conf.prefixPaddingMs ?? 300,
      ...connectionTiming(call),
    },
    headers: { authorization: `Bearer ${key}` },
    secrets: [key],
  };
}

/**
 * Resolves realtime voice settings: per-call options, then
 * `plugins.entries.voice-call.config.realtime.providers.openai`, then defaults (model
 * `gpt-realtime-1.5`, voice `alloy`, temperature 0.8, VAD 0.5, silence 500 ms, padding 300 ms;
 * per call only: handshake 10000 ms, heartbeat 15000 ms, heartbeat timeout 10000 ms).
 * With `azureEndpoint` + `azureDeployment` the session goes to
 * `wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>` with an `api-key`
 * header (key: `apiKey`, then `AZURE_OPENAI_API_KEY`; an OpenAI key is never sent to Azure);
 * otherwise to OpenAI with `Authorization: Bearer` (key: `apiKey`, then `OPENAI_API_KEY`).
 * With a config, the voice-call and openai plugins must be on and `...realtime.provider` unset
 * or `openai`. An explicitly set `temperature` is kept but not sent; `settings.warnings` says so.
 * @throws ConfigError `plugin_disabled` / `provider_unavailable`; ValidationError / ConfigError
 *   naming the bad field (also an Azure endpoint without a deployment or the reverse); AuthError
 *   `no_api_key`.
 */
export function resolveVoiceSettings(options: VoiceSettingsInput, sources: SettingsSources = {}): ResolvedConnection<VoiceSettings> {
  assertRealtimeAvailable(sources.config, "realtime");
  const call = parse(voiceSettingsSchema, options, "options", "options");
  const conf = parse(voiceSettingsSchema, section(sources.config, "realtime"), "config", VOICE_CONFIG_PATH);
  const env = mergedEnv(sources);
  const azureEndpoint = call.azureEndpoint ?? conf.azureEndpoint;
  const azureDeployment = call.azureDeployment ?? conf.azureDeployment;
  if (azureEndpoint && !azureDeployment) {
    throw new ConfigError("azure_deployment_missing", "An Azure endpoint is set for realtime voice but no deployment.", {
      path: `${VOICE_CONFIG_PATH}.azureDeployment`,
      hint: `Set ${VOICE_CONFIG_PATH}.azureDeployment (or pass azureDeployment) to the name of your realtime deployment.`,
    });
  }
  if (azureDeployment && !azureEndpoint) {
    throw new ConfigError("azure_endpoint_missing", "An Azure deployment is set for realtime voice but no endpoint.", {
      path: `${VOICE_CONFIG_PATH}.azureEndpoint`,
      hint: `Set ${VOICE_CONFIG_PATH}.azureEndpoint to https://<resource>.openai.azure.com, or remove azureDeployment.`,
    });
  }
  const model = call.model ?? conf.model ?? DEFAULT_REALTIME_MODEL;
  let url: URL;
  let headers: Record<string, string>;
  let key: { key: string; source: string };
  if (azureEndpoint) {
    key = pickKey(call.apiKey, conf.apiKey, env, ["AZURE_OPENAI_API_KEY"], VOICE_CONFIG_PATH);
    url = toWs(azureEndpoint);
    // Accept the resource root or a URL that already names the v1 surface.
    url.pathname = `${url.pathname.replace(/\/+$/, "").replace(/\/openai(?:\/v1)?(?:\/realtime)?$/, "")}/openai/v1/realtime`;
    url.searchParams.set("model", azureDeployment!);
    const apiVersion = call.azureApiVersion ?? conf.azureApiVersion;
    if (apiVersion) url.searchParams.set("api-version", apiVersion);
    headers = { "api-key": key.key };
  } else {
    key = pickKey(call.apiKey, conf.apiKey, env, ["OPENAI_API_KEY"], VOICE_CONFIG_PATH);
    url = toWs(call.url ?? DEFAULT_REALTIME_URL);
    url.searchParams.set("model", model);
    headers = { authorization: `Bearer ${key.key}` };
  }
  const transcription = call.inputTranscription ?? undefined;
  const temperature = call.temperature ?? conf.temperature ?? 0.8;
  return {
    settings: {
      provider: azureEndpoint ? "azure" : "openai",
      url: url.toString(),
      keySource: key.source,
      model,
      voice: call.voice ?? conf.voice ?? DEFAULT_REALTIME_VOICE,
      temperature,
      warnings: temperatureWarnings(temperature, call.temperature !== undefined ? "options.temperature" : conf.temperature !== undefined ? `${VOICE_CONFIG_PATH}.temperature` : undefined),
      instructions: call.instructions ?? conf.instructions,
      inputTranscription: transcription ? { ...transcription, model: transcription.model ?? DEFAULT_TRANSCRIPTION_MODEL } : undefined,
      azureDeployment,
      vadThreshold: call.vadThreshold ?? conf.vadThreshold ?? 0.5,
      silenceDurationMs: call.silenceDurationMs ?? conf.silenceDurationMs ?? 500,
      prefixPaddingMs: call.prefixPaddingMs ?? conf.prefixPaddingMs ?? 300,
      ...connectionTiming(call),
    },
    headers,
    secrets: [key.key],
  };
}
