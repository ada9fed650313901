import type { CatalogEntry, ModelCapabilities, CatalogCompat } from "./catalog.js";

/**
 * The built-in catalog: the models the product spec names, with native metadata
 * (`contextWindow`) kept apart from the runtime budget (`contextTokens`).
 * Figures follow OpenAI's published model pages; config can override any of them.
 */

const NO_CAPS: ModelCapabilities = {
  text: false, vision: false, image: false, video: false, tts: false, stt: false,
  realtime: false, embedding: false, reasoning: false, supportsReasoningEffortNone: false, tools: false,
};

/** Native OpenAI Platform shaping: stored responses, strict tools, tiers, cache keys. */
const OPENAI_COMPAT: CatalogCompat = {
  supportsStore: true, supportsStrictTools: true, supportsServiceTier: true, supportsPromptCacheKey: true,
};
/** The ChatGPT backend rejects `store: true`; everything else matches the platform. */
const CODEX_COMPAT: CatalogCompat = { ...OPENAI_COMPAT, supportsStore: false };
/** Azure keeps native shaping but priority tiers are an OpenAI-platform feature. */
const AZURE_COMPAT: CatalogCompat = { ...OPENAI_COMPAT, supportsServiceTier: false };

const GPT5_CAPS: ModelCapabilities = {
  ...NO_CAPS, text: true, vision: true, reasoning: true, supportsReasoningEffortNone: true, tools: true,
};

type Row = Omit<CatalogEntry, "ref" | "source" | "capabilities" | "compat" | "apiEnabled"> &
  Partial<Pick<CatalogEntry, "capabilities" | "compat" | "apiEnabled">>;

function rows(provider: string, compat: CatalogCompat, list: Omit<Row, "provider">[]): CatalogEntry[] {
  return list.map((row) => ({
    apiEnabled: true,
    capabilities: GPT5_CAPS,
    ...row,
    compat: row.compat ?? compat,
    provider,
    ref: `${provider}/${row.id}`,
    source: "builtin" as const,
  }));
}

const media = (caps: Partial<ModelCapabilities>): ModelCapabilities => ({ ...NO_CAPS, ...caps });

/** Every built-in row, in display order (provider, then the spec's order). */
export const BUILTIN_ROWS: readonly CatalogEntry[] = [
  ...rows("openai", OPENAI_COMPAT, [
    { id: "gpt-5.4", name: "GPT-5.4", contextWindow: 1_050_000, contextTokens: 272_000, maxOutputTokens: 128_000 },
    { id: "gpt-5.4-mini", name: "GPT-5.4 mini", contextWindow: 400_000, contextTokens: 400_000, maxOutputTokens: 128_000 },
    {
      id: "gpt-5.5", name: "GPT-5.5", contextWindow: 1_000_000, contextTokens: 272_000, maxOutputTokens: 128_000,
      apiEnabled: false,
      note: "Not yet enabled on the public OpenAI API; use openai-codex/gpt-5.5 or the Codex harness until it is.",
    },
    {
      id: "gpt-4.1", name: "GPT-4.1", contextWindow: 1_047_576, contextTokens: 1_047_576, maxOutputTokens: 32_768,
      capabilities: media({ text: true, vision: true, tools: true }),
    },
    { id: "gpt-image-2", name: "GPT Image 2", capabilities: media({ image: true, vision: true }), note: "Default image model; works with an API key or a Codex sign-in." },
    { id: "gpt-image-1", name: "GPT Image 1", capabilities: media({ image: true, vision: true }) },
    { id: "sora-2", name: "Sora 2", capabilities: media({ video: true }), note: "Default video model." },
    { id: "gpt-4o-mini-tts", name: "GPT-4o mini TTS", capabilities: media({ tts: true }), note: "Default speech model." },
    { id: "tts-1", name: "TTS-1", capabilities: media({ tts: true }) },
    { id: "tts-1-hd", name: "TTS-1 HD", capabilities: media({ tts: true }) },
    { id: "gpt-4o-transcribe", name: "GPT-4o Transcribe", contextWindow: 16_000, contextTokens: 16_000, capabilities: media({ stt: true }), note: "Default transcription model." },
    { id: "gpt-realtime-1.5", name: "GPT Realtime 1.5", contextWindow: 32_000, contextTokens: 32_000, capabilities: media({ realtime: true, tools: true, text: true }), note: "Default realtime voice model." },
    { id: "text-embedding-3-small", name: "text-embedding-3-small", contextWindow: 8_192, contextTokens: 8_192, capabilities: media({ embedding: true }), note: "Default embedding model." },
    { id: "text-embedding-3-large", name: "text-embedding-3-large", contextWindow: 8_192, contextTokens: 8_192, capabilities: media({ embedding: true }) },
  ]),
  ...rows("openai-codex", CODEX_COMPAT, [
    { id: "gpt-5.5", name: "GPT-5.5 (Codex)", contextWindow: 1_000_000, contextTokens: 272_000, maxOutputTokens: 128_000 },
    { id: "gpt-5.4", name: "GPT-5.4 (Codex)", contextWindow: 1_050_000, contextTokens: 272_000, maxOutputTokens: 128_000 },
    { id: "gpt-5.4-mini", name: "GPT-5.4 mini (Codex)", contextWindow: 400_000, contextTokens: 400_000, maxOutputTokens: 128_000 },
  ]),
  ...rows("azure-openai-responses", AZURE_COMPAT, [
    { id: "gpt-5.5", name: "GPT-5.5 (Azure)", contextWindow: 1_000_000, contextTokens: 272_000, maxOutputTokens: 128_000 },
    { id: "gpt-5.4", name: "GPT-5.4 (Azure)", contextWindow: 1_050_000, contextTokens: 272_000, maxOutputTokens: 128_000 },
  ]),
];

/** Refs Genesis refuses to route, with the reason and what to use instead. */
export const EXCLUDED_REFS: Readonly<Record<string, { why: string; hint: string }>> = {
  "openai/gpt-5.3-codex-spark": {
    why: "the public OpenAI API rejects this model and the current Codex catalog does not list it",
    hint: "Use openai/gpt-5.4 with an API key, or openai-codex/gpt-5.5 with a Codex sign-in.",
  },
  "openai-codex/gpt-5.3-codex-spark": {
    why: "the current Codex catalog does not list this model",
    hint: "Use openai-codex/gpt-5.5 (or openai-codex/gpt-5.4-mini for a faster model).",
  },
};

/** Capabilities for a model Genesis knows nothing about: a tool-using text model. */
export const GENERIC_TEXT_CAPS: ModelCapabilities = media({ text: true, tools: true });
/** GPT-5-family capabilities, used when config or discovery adds a GPT-5 id. */
export const GENERIC_GPT5_CAPS: ModelCapabilities = GPT5_CAPS;
/** Compat flags per provider when a row is synthesized; others get loose proxy flags. */
export const PROVIDER_COMPAT: Readonly<Record<string, CatalogCompat>> = {
  openai: OPENAI_COMPAT,
  "openai-codex": CODEX_COMPAT,
  "azure-openai-responses": AZURE_COMPAT,
};
/** Proxies get no native-only shaping by default. */
export const PROXY_COMPAT: CatalogCompat = {
  supportsStore: false, supportsStrictTools: false, supportsServiceTier: false, supportsPromptCacheKey: false,
};

/** An OpenAI-compatible gateway Genesis can reach without a `models.providers` block. */
export interface BuiltinProxy {
  /** Display name for explanations. */
  label: string;
  /** Default base URL (`models.providers.<id>.baseUrl` overrides it). */
  baseUrl: string;
  /** Env variable carrying the key (`models.providers.<id>.apiKey` overrides it). */
  envKey: string;
}

/**
 * Built-in OpenAI-compatible proxies: any model id routes through them (e.g.
 * `openrouter/openai/gpt-5.5`, `opencode/gpt-5.5`) as `compat` endpoints, over Chat
 * Completions unless config picks another `api`. OpenCode here is the Zen gateway.
 */
export const BUILTIN_PROXIES: Readonly<Record<string, BuiltinProxy>> = {
  openrouter: { label: "OpenRouter", baseUrl: "https://openrouter.ai/api/v1", envKey: "OPENROUTER_API_KEY" },
  opencode: { label: "OpenCode Zen", baseUrl: "https://opencode.ai/zen/v1", envKey: "OPENCODE_API_KEY" },
};
