import type { GenesisConfig } from "./config-schema.js";
import type { AuthFile } from "./auth-store.js";

/**
 * Where an API key comes from, in precedence order:
 * `config` (`models.providers.<id>.apiKey`, or a config `env` fallback),
 * `env` (the real process environment), `store` (the Genesis auth store).
 */
export type ApiKeySource = "env" | "store" | "config";

/**
 * What route resolution needs to know about credentials, and nothing secret:
 * which providers have an API key (and from where), which have an OAuth sign-in.
 */
export interface AuthSnapshot {
  apiKeys: Record<string, { source: ApiKeySource }>;
  oauth: Record<string, { accountId: string; expiresAt: number }>;
}

/** Environment variables that carry a provider's API key. */
export const PROVIDER_ENV_KEYS: Readonly<Record<string, string>> = Object.freeze({
  openai: "OPENAI_API_KEY",
  "azure-openai-responses": "AZURE_OPENAI_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  opencode: "OPENCODE_API_KEY",
});

/** Inputs of {@link resolveApiKey} and {@link buildAuthSnapshot}. */
export interface CredentialSources {
  /** The auth store's content (see `AuthStore.read`). */
  file: AuthFile;
  /** The real environment. Default: none (pure). */
  env?: NodeJS.ProcessEnv;
  /** The validated config (`models.providers.<id>.apiKey`, `env` fallbacks). */
  config?: Pick<GenesisConfig, "env" | "models">;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The API key to use for `provider` and where it came from. Precedence: the provider's
 * `apiKey` in config, then the real environment variable, then the config `env` fallback,
 * then a stored `api_key` profile.
 */
export function resolveApiKey(provider: string, sources: CredentialSources): { key: string; source: ApiKeySource } | undefined {
  const fromConfig = nonEmpty(sources.config?.models?.providers?.[provider]?.apiKey);
  if (fromConfig) return { key: fromConfig, source: "config" };
  const variable = PROVIDER_ENV_KEYS[provider];
  if (variable) {
    const fromEnv = nonEmpty(sources.env?.[variable]);
    if (fromEnv) return { key: fromEnv, source: "env" };
    const fromConfigEnv = nonEmpty(sources.config?.env?.[variable]);
    if (fromConfigEnv) return { key: fromConfigEnv, source: "config" };
  }
  const profile = sources.file.profiles[provider];
  if (profile?.kind === "api_key") return { key: profile.key, source: "store" };
  return undefined;
}

/** Summarize credentials for route resolution; the result holds no secrets. */
export function buildAuthSnapshot(sources: CredentialSources): AuthSnapshot {
  const providers = new Set<string>([
    ...Object.keys(PROVIDER_ENV_KEYS),
    ...Object.keys(sources.config?.models?.providers ?? {}),
    ...Object.keys(sources.file.profiles),
  ]);
  const snapshot: AuthSnapshot = { apiKeys: {}, oauth: {} };
  for (const provider of providers) {
    const found = resolveApiKey(provider, sources);
    if (found) snapshot.apiKeys[provider] = { source: found.source };
    const profile = sources.file.profiles[provider];
    if (profile?.kind === "oauth") snapshot.oauth[provider] = { accountId: profile.accountId, expiresAt: profile.expiresAt };
  }
  return snapshot;
}
