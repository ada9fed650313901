import { defaultCatalog, type AuthStore, type GenesisConfig, type LiveModel } from "@genesis/core";

/** How long the agent waits for a live model listing before keeping the route's own error. */
export const LIVE_LISTING_TIMEOUT_MS = 5_000;

/** What a live listing needs: one snapshot's config, env and auth store, and the agent's fetch. */
export interface LiveListingInput {
  config: GenesisConfig;
  env: NodeJS.ProcessEnv;
  authStore: AuthStore;
  fetch?: typeof globalThis.fetch | undefined;
  timeoutMs?: number | undefined;
}

/**
 * `GET {baseUrl}/models` for the `openai` provider with the route's API key (one retry, bounded
 * by `timeoutMs`), as `models list` / `models route` read it. @genesis/openai is imported here,
 * on the first blocked route, not when the agent starts.
 */
export async function listOpenAILive(input: LiveListingInput & { apiKey: string; baseUrl: string }): Promise<LiveModel[]> {
  const { listOpenAIModels } = await import("@genesis/openai");
  const models = await listOpenAIModels({
    apiKey: input.apiKey,
    baseUrl: input.baseUrl,
    maxRetries: 1,
    signal: AbortSignal.timeout(input.timeoutMs ?? LIVE_LISTING_TIMEOUT_MS),
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  return models.map((m) => ({ provider: "openai", id: m.id, ...(m.ownedBy ? { ownedBy: m.ownedBy } : {}) }));
}

/**
 * The Codex backend's `GET {codexBase}/models` for the signed-in `openai-codex` profile (token
 * refreshed when due). The backend is the one `openai-codex/*` routes use:
 * `models.providers["openai-codex"].baseUrl`, else `auth.openaiCodex.codexBaseUrl` /
 * `GENESIS_CODEX_BASE_URL`, else the ChatGPT backend. Rows the backend hides from its picker
 * are dropped unless the catalog knows them, as `models list` does.
 */
export async function listCodexLive(input: LiveListingInput): Promise<LiveModel[]> {
  const codex = await import("@genesis/codex-oauth");
  const settings = codex.codexSettingsFromConfig(input.config, input.env);
  const configured = input.config.models?.providers?.["openai-codex"]?.baseUrl;
  const credentials = new codex.CodexCredentialManager({
    store: codex.codexCredentialStore(input.authStore),
    settings,
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const models = await codex.listCodexModels({
    credentials,
    settings: configured ? { ...settings, codexBaseUrl: configured } : settings,
    timeoutMs: input.timeoutMs ?? LIVE_LISTING_TIMEOUT_MS,
    maxRetries: 1,
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const catalog = defaultCatalog();
  return models
    .filter((m) => m.visibility === undefined || m.visibility === "list" || catalog.get("openai-codex", m.slug) !== undefined)
    .map((m) => ({ provider: "openai-codex", id: m.slug, name: m.displayName, ...(m.contextWindow !== undefined ? { contextWindow: m.contextWindow } : {}) }));
}
