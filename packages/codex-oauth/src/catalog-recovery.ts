import { defaultCatalog, registerCatalogRecovery, type CatalogEntry, type CatalogRecovery, type CatalogRecoveryRequest } from "@genesis/core";

/** Native context window of openai-codex/gpt-5.5. */
export const CODEX_GPT55_CONTEXT_WINDOW = 1_000_000;
/** Default runtime context cap of openai-codex/gpt-5.5 (better latency and quality than the full window). */
export const CODEX_GPT55_CONTEXT_TOKENS = 272_000;

/** Rows used as templates, best first, when discovery omits gpt-5.5 (same family and shape). */
const TEMPLATES = ["gpt-5.5", "gpt-5.4", "gpt-5.4-mini"];

/** Models this hook vouches for while signed in. */
const RECOVERABLE = new Set(["gpt-5.5"]);

/**
 * The openai-codex catalog recovery hook: when live Codex discovery (or the catalog) lacks
 * `openai-codex/gpt-5.5` and the auth snapshot shows a Codex sign-in, return a synthesized
 * row so scheduled, sub-agent and default-model runs never fail with "Unknown model".
 * Signed out, or for any other model, it declines (returns undefined). Pure: it reads only
 * the request and the built-in catalog rows.
 */
export const codexCatalogRecovery: CatalogRecovery = (request: CatalogRecoveryRequest) => {
  if (request.provider !== "openai-codex" || !RECOVERABLE.has(request.modelId)) return undefined;
  const signIn = request.auth?.oauth?.["openai-codex"];
  if (!signIn) return undefined;
  const catalog = defaultCatalog();
  const template = TEMPLATES.map((id) => catalog.get("openai-codex", id)).find((row): row is CatalogEntry => row !== undefined);
  const row: Omit<CatalogEntry, "source" | "ref"> = template
    ? { ...template, capabilities: { ...template.capabilities }, compat: { ...template.compat } }
    : {
        provider: "openai-codex",
        id: request.modelId,
        name: "",
        capabilities: {
          text: true, vision: true, image: false, video: false, tts: false, stt: false, realtime: false,
          embedding: false, reasoning: true, supportsReasoningEffortNone: false, tools: true,
        },
        // The ChatGPT backend rejects store: true; service tier and cache key are native features.
        compat: { supportsStore: false, supportsStrictTools: false, supportsServiceTier: true, supportsPromptCacheKey: true },
        apiEnabled: true,
      };
  delete (row as Partial<CatalogEntry>).source;
  delete (row as Partial<CatalogEntry>).ref;
  delete (row as Partial<CatalogEntry>).configured;
  const configured = configuredSizes(request);
  return {
    ...row,
    provider: "openai-codex",
    id: request.modelId,
    name: "GPT-5.5 (Codex)",
    contextWindow: configured.contextWindow ?? CODEX_GPT55_CONTEXT_WINDOW,
    contextTokens: configured.contextTokens ?? CODEX_GPT55_CONTEXT_TOKENS,
    maxOutputTokens: 128_000,
    apiEnabled: true,
    note: "Synthesized: live Codex discovery did not list this model, but the account is signed in.",
  };
};

/** `models.providers["openai-codex"].models[{id, contextWindow?, contextTokens?}]` for this id. */
function configuredSizes(request: CatalogRecoveryRequest): { contextWindow?: number; contextTokens?: number } {
  const block = request.config?.models?.providers?.["openai-codex"] as { models?: unknown } | undefined;
  const rows = Array.isArray(block?.models) ? (block.models as Record<string, unknown>[]) : [];
  const row = rows.find((r) => r && typeof r === "object" && r.id === request.modelId);
  const size = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined);
  const out: { contextWindow?: number; contextTokens?: number } = {};
  const window = size(row?.contextWindow);
  const tokens = size(row?.contextTokens);
  if (window !== undefined) out.contextWindow = window;
  if (tokens !== undefined) out.contextTokens = tokens;
  return out;
}

/**
 * Register {@link codexCatalogRecovery} for `openai-codex` in core's default catalog.
 * Idempotent; returns the unregister function.
 */
export function registerCodexCatalogRecovery(): () => void {
  return registerCatalogRecovery("openai-codex", codexCatalogRecovery);
}
