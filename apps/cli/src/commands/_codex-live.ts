import type { GenesisConfig, LiveModel } from "@genesis/core/lite";

/** `models list` should not hang on a slow backend: a short bound, one retry. */
const LIST_TIMEOUT_MS = 5_000;

/**
 * The live Codex model listing (`GET {codexBase}/models`) for the signed-in `openai-codex`
 * profile, with the provider's token refresh. Registers the Codex catalog recovery first, so
 * merging this list synthesizes `openai-codex/gpt-5.5` when the backend omits it. Models the
 * backend hides from its picker are dropped unless the catalog knows them. A failed call is
 * reported as a one-line note and the built-in rows are shown instead (returns undefined).
 */
export async function fetchCodexLive(
  config: GenesisConfig,
  env: NodeJS.ProcessEnv,
  note: (line: string) => void,
): Promise<LiveModel[] | undefined> {
  const core = await import("@genesis/core/lite");
  try {
    const codex = await import("@genesis/codex-oauth");
    codex.registerCodexCatalogRecovery();
    const settings = codex.codexSettingsFromConfig(config, env);
    const credentials = new codex.CodexCredentialManager({ store: codex.codexCredentialStore(core.openAuthStore({ env })), settings });
    const models = await codex.listCodexModels({ credentials, settings, timeoutMs: LIST_TIMEOUT_MS, maxRetries: 1 });
    const catalog = core.defaultCatalog();
    return models
      .filter((m) => m.visibility === undefined || m.visibility === "list" || catalog.get("openai-codex", m.slug) !== undefined)
      .map((m) => ({
        provider: "openai-codex",
        id: m.slug,
        name: m.displayName,
        ...(m.contextWindow !== undefined ? { contextWindow: m.contextWindow } : {}),
      }));
  } catch (error) {
    const e = error as { describe?: () => string; message?: string };
    const why = core.redactSecrets(typeof e.describe === "function" ? e.describe().split("\n")[0]! : String(e.message));
    note(`note: live Codex model listing failed (${why}); showing the built-in openai-codex rows`);
    return undefined;
  }
}
