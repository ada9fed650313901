import type { GenesisConfig, LiveModel } from "@genesis/core/lite";

/**
 * The live `GET /v1/models` listing for `openai`, when an API key is configured (config,
 * env or auth store). Returns undefined when there is no key; a failed call is reported as a
 * one-line note and the catalog is shown without live data.
 */
export async function fetchOpenAILive(
  config: GenesisConfig,
  env: NodeJS.ProcessEnv,
  note: (line: string) => void,
): Promise<LiveModel[] | undefined> {
  const core = await import("@genesis/core/lite");
  const file = await core.openAuthStore({ env }).read();
  const apiKey = core.resolveApiKey("openai", { file, env, config })?.key;
  if (!apiKey) return undefined;
  const merged = core.resolveEnv(config, env);
  const baseUrl = config.models?.providers?.openai?.baseUrl ?? merged.OPENAI_BASE_URL ?? core.DEFAULT_OPENAI_BASE_URL;
  try {
    const { listOpenAIModels } = await import("@genesis/openai");
    const models = await listOpenAIModels({ apiKey, baseUrl, maxRetries: 1 });
    return models.map((m) => ({ provider: "openai", id: m.id, ...(m.ownedBy ? { ownedBy: m.ownedBy } : {}) }));
  } catch (error) {
    const e = error as { describe?: () => string; message?: string };
    note(`note: live model listing failed (${typeof e.describe === "function" ? e.describe().split("\n")[0] : e.message}); showing the catalog only`);
    return undefined;
  }
}
