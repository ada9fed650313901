import { AuthError, ValidationError, assertOpenAIProviderSelected, assertPluginEnabled, type GenesisConfig } from "@genesis/core";
import { AbortError, ConnectTimeoutError, sendRequest, type HttpBody, type HttpRequestOptions } from "@genesis/transport";

/** The parts of the Genesis config the speech package reads. */
export type SpeechConfig = Pick<GenesisConfig, "env" | "models" | "messages" | "tools" | "plugins">;

/** Environment variables, e.g. `process.env`. */
export type EnvLike = Readonly<Record<string, string | undefined>>;

/** Dependencies shared by every call: config, environment and HTTP plumbing. */
export interface SpeechContext extends Pick<HttpRequestOptions, "fetch" | "maxRetries" | "sleep"> {
  /** Validated Genesis config; its `env` block is a fallback under the real environment. */
  config?: SpeechConfig;
  /** Environment to read `OPENAI_API_KEY`, `OPENAI_TTS_BASE_URL`, `OPENAI_BASE_URL` from. Default `process.env`. */
  env?: EnvLike;
}

/**
 * Refuse before any work when config takes the surface away: `plugins.entries.openai.enabled:
 * false` (ConfigError `plugin_disabled`) or, for TTS, a `messages.tts.provider` other than
 * openai (ConfigError `provider_unavailable`). Without a config nothing is checked.
 */
export function assertSpeechAvailable(config: SpeechConfig | undefined, surface: "tts" | "stt"): void {
  if (surface === "tts") {
    assertPluginEnabled(config, "openai", "Text-to-speech (messages.tts)");
    assertOpenAIProviderSelected(config?.messages?.tts?.provider, "messages.tts.provider", "text-to-speech");
  } else {
    assertPluginEnabled(config, "openai", "Speech-to-text (tools.media.audio)");
  }
}

/** Real environment first, then the config's `env` block (the way core resolves it). */
export function mergedEnv(context: SpeechContext): EnvLike {
  const out: Record<string, string | undefined> = { ...(context.config?.env ?? {}) };
  for (const [key, value] of Object.entries(context.env ?? process.env)) {
    if (value !== undefined && value.trim() !== "") out[key] = value.trim();
  }
  return out;
}

/** The first value that is a non-blank string. */
export function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => typeof v === "string" && v.trim() !== "")?.trim();
}

/** Throws the typed "no API key" error naming where a key can come from. */
export function requireApiKey(key: string | undefined, where: string): string {
  if (key) return key;
  throw new AuthError("no_api_key", "No OpenAI API key for speech.", {
    provider: "openai",
    hint: `Set OPENAI_API_KEY or ${where}.`,
  });
}

/** Check a base URL is http(s) and return it without a trailing slash. */
export function checkBaseUrl(value: string, path: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ValidationError(`${path}: expected an http(s) URL`, { path, hint: "Use a URL such as https://api.openai.com/v1." });
  }
  return value.replace(/\/+$/, "");
}

/** One POST with the transport retry norm, a typed abort, and an optional overall timeout. */
export async function postOnce(
  url: string,
  init: { headers: Record<string, string>; body: HttpBody },
  options: SpeechContext & { apiKey: string; signal?: AbortSignal; timeoutMs?: number; timeoutHint?: string },
): Promise<Response> {
  if (options.signal?.aborted) throw new AbortError();
  const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  try {
    return await sendRequest(
      url,
      { method: "POST", headers: { authorization: `Bearer ${options.apiKey}`, ...init.headers }, body: init.body },
      { fetch: options.fetch, maxRetries: options.maxRetries, sleep: options.sleep, signal, secrets: [options.apiKey] },
    );
  } catch (error) {
    if (options.signal?.aborted) throw new AbortError({ cause: options.signal.reason });
    if (timeout?.aborted) {
      throw new ConnectTimeoutError(options.timeoutMs!, { hint: options.timeoutHint ?? "Raise timeoutMs, or check the endpoint." });
    }
    throw error;
  }
}
