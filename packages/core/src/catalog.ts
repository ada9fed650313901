import {
  BUILTIN_PROXIES, BUILTIN_ROWS, EXCLUDED_REFS, GENERIC_GPT5_CAPS, GENERIC_TEXT_CAPS, PROVIDER_COMPAT, PROXY_COMPAT,
} from "./_catalog-data.js";
import { providerConfig, type ModelConfigView, type RouteAuth, type RouteConfig } from "./_route-config.js";
import { RouteError } from "./errors.js";
import { isGpt5ModelId, type ModelRef } from "./model-ref.js";
import { closeMatches } from "./_close-matches.js";
import type { LiveModel } from "./_catalog-live.js";

/** What a model can do. `image` = image generation/editing, `vision` = image input. */
export interface ModelCapabilities {
  text: boolean;
  vision: boolean;
  image: boolean;
  video: boolean;
  tts: boolean;
  stt: boolean;
  realtime: boolean;
  embedding: boolean;
  /** Accepts a `reasoning` block. */
  reasoning: boolean;
  /** Accepts `reasoning: { effort: "none" }` (otherwise disabled reasoning is omitted). */
  supportsReasoningEffortNone: boolean;
  /** Function/tool calling. */
  tools: boolean;
}

/**
 * Request-shaping switches (config `models.providers.<id>.models[].compat` overrides any of
 * them; its `supportsReasoningEffortNone` lands in {@link ModelCapabilities}).
 */
export interface CatalogCompat {
  /** Send `store: true` on native Responses routes (the ChatGPT backend rejects it). */
  supportsStore: boolean;
  /** Default tool schemas to `strict: true`. */
  supportsStrictTools: boolean;
  /** Forward `service_tier` (only ever on native endpoints). */
  supportsServiceTier: boolean;
  /** Forward `prompt_cache_key` / retention hints. */
  supportsPromptCacheKey: boolean;
}

/** Where a catalog row came from. */
export type CatalogSource = "builtin" | "config" | "recovered" | "live" | "generic";

/** One model the catalog knows. `contextWindow` is native metadata; `contextTokens` the runtime budget. */
export interface CatalogEntry {
  provider: string;
  id: string;
  /** `provider/id`. */
  ref: string;
  name: string;
  /** Native context window in tokens; absent for models without one (images, video, speech). */
  contextWindow?: number;
  /** Default runtime context cap; the route caps it at `contextWindow`. */
  contextTokens?: number;
  maxOutputTokens?: number;
  capabilities: ModelCapabilities;
  compat: CatalogCompat;
  /** False while a model is routable but not yet served by the public API key route. */
  apiEnabled: boolean;
  note?: string;
  source: CatalogSource;
  /** True when config lists this model under `models.providers.<id>.models`. */
  configured?: boolean;
}

/** Input to a {@link CatalogRecovery}: the model that lookup or live discovery did not find. */
export interface CatalogRecoveryRequest {
  provider: string;
  modelId: string;
  config?: RouteConfig | undefined;
  auth?: RouteAuth | undefined;
}

/**
 * A provider's hook that synthesizes a catalog row for a model discovery omitted
 * (e.g. `openai-codex/gpt-5.5` while signed in). Return `undefined` to decline. Must be
 * pure: it runs inside route resolution.
 */
export type CatalogRecovery = (request: CatalogRecoveryRequest) => Omit<CatalogEntry, "source" | "ref"> | undefined;

/** A set of catalog rows plus per-provider recovery hooks. */
export interface ModelCatalog {
  readonly entries: readonly CatalogEntry[];
  /** Provider ids with at least one row or a recovery hook, plus the built-in proxies (`openrouter`, `opencode`). */
  providers(): string[];
  /** The row for `provider/id`, ignoring config and recovery. */
  get(provider: string, id: string): CatalogEntry | undefined;
  /** Ask the provider's recovery hook for a row; `undefined` when none applies. */
  recover(request: CatalogRecoveryRequest): CatalogEntry | undefined;
}

const registered = new Map<string, CatalogRecovery>();

/**
 * Register a recovery hook for `provider` in the default catalog ({@link defaultCatalog}).
 * A later registration for the same provider replaces the earlier one.
 * @returns a function that unregisters it.
 */
export function registerCatalogRecovery(provider: string, recover: CatalogRecovery): () => void {
  registered.set(provider, recover);
  return () => {
    if (registered.get(provider) === recover) registered.delete(provider);
  };
}

/**
 * Build a catalog. Defaults: the built-in rows, and the recovery hooks registered with
 * {@link registerCatalogRecovery} (looked up at call time) plus `options.recoveries`.
 */
export function createCatalog(options: { entries?: readonly CatalogEntry[]; recoveries?: Record<string, CatalogRecovery> } = {}): ModelCatalog {
  const entries = options.entries ?? BUILTIN_ROWS;
  const byRef = new Map(entries.map((entry) => [entry.ref, entry]));
  const own = options.recoveries ?? {};
  const hook = (provider: string) => own[provider] ?? registered.get(provider);
  return {
    entries,
    providers: () => [...new Set([...entries.map((e) => e.provider), ...Object.keys(own), ...registered.keys(), ...Object.keys(BUILTIN_PROXIES)])],
    get: (provider, id) => byRef.get(`${provider}/${id}`),
    recover(request) {
      const row = hook(request.provider)?.(request);
      if (!row) return undefined;
      return { ...row, provider: request.provider, id: request.modelId, ref: `${request.provider}/${request.modelId}`, source: "recovered" };
    },
  };
}

const DEFAULT = createCatalog();

/** The built-in catalog with globally registered recovery hooks. */
export function defaultCatalog(): ModelCatalog {
  return DEFAULT;
}

/** The exclusion record for a ref (`openai/gpt-5.3-codex-spark`), or undefined. */
export function excludedRef(ref: string): { why: string; hint: string } | undefined {
  return EXCLUDED_REFS[ref];
}

function withConfig(entry: CatalogEntry, row: ModelConfigView): CatalogEntry {
  // Declaring a model under models.providers is the user asserting their endpoint serves it,
  // which is how a catalog row not yet on the public API (openai/gpt-5.5) is switched on.
  const merged: CatalogEntry = { ...entry, configured: true, apiEnabled: true };
  if (!entry.apiEnabled) merged.note = `Declared under models.providers.${entry.provider}.models, so Genesis treats it as served by the API.`;
  if (row.contextWindow !== undefined) merged.contextWindow = row.contextWindow;
  if (row.name !== undefined) merged.name = row.name;
  if (row.maxTokens !== undefined) merged.maxOutputTokens = row.maxTokens;
  if (row.compat) {
    const compat = { ...entry.compat };
    for (const key of Object.keys(compat) as (keyof CatalogCompat)[]) {
      if (typeof row.compat[key] === "boolean") compat[key] = row.compat[key] as boolean;
    }
    merged.compat = compat;
    // Config keeps every shaping switch under `compat`; the catalog files this one as a capability.
    if (typeof row.compat.supportsReasoningEffortNone === "boolean") {
      merged.capabilities = { ...entry.capabilities, supportsReasoningEffortNone: row.compat.supportsReasoningEffortNone };
    }
  }
  return merged;
}

/** A row for a model Genesis has no metadata for (config-listed, live-only or proxy). */
export function synthesizeEntry(provider: string, id: string, source: CatalogSource): CatalogEntry {
  return {
    provider, id, ref: `${provider}/${id}`, name: id,
    capabilities: isGpt5ModelId(id) ? GENERIC_GPT5_CAPS : GENERIC_TEXT_CAPS,
    compat: PROVIDER_COMPAT[provider] ?? PROXY_COMPAT,
    apiEnabled: true,
    source,
  };
}

/** Lookup context shared by catalog and route functions. */
export interface CatalogContext {
  config?: RouteConfig | undefined;
  auth?: RouteAuth | undefined;
  /** Defaults to {@link defaultCatalog}. */
  catalog?: ModelCatalog | undefined;
  /** A live listing already fetched; an id it lists that nothing else knows becomes a `live` row. */
  live?: readonly LiveModel[] | undefined;
}

/**
 * The effective row for `provider/modelId`: the catalog row merged with its config row,
 * else a config-only row, else a recovered row, else a row synthesized from `context.live`
 * when the live listing has it, else undefined. Excluded refs are not
 * checked here (see {@link requireModel}).
 */
export function lookupModel(provider: string, modelId: string, context: CatalogContext = {}): CatalogEntry | undefined {
  const catalog = context.catalog ?? DEFAULT;
  const configRow = providerConfig(context.config, provider)?.models.find((m) => m.id === modelId);
  const base = catalog.get(provider, modelId);
  if (base) return configRow ? withConfig(base, configRow) : base;
  if (configRow) return withConfig(synthesizeEntry(provider, modelId, "config"), configRow);
  const recovered = catalog.recover({ provider, modelId, config: context.config, auth: context.auth });
  if (recovered) return recovered;
  const listed = context.live?.find((m) => m.provider === provider && m.id === modelId);
  if (!listed) return undefined;
  const row = synthesizeEntry(provider, modelId, "live");
  if (listed.contextWindow !== undefined) row.contextWindow = listed.contextWindow;
  if (listed.name) row.name = listed.name;
  return row;
}

/**
 * Like {@link lookupModel} but throws {@link RouteError}: `model_excluded` for refs Genesis
 * refuses, `unknown_model` (with close matches) on a known provider, `unknown_provider`
 * for a provider with neither catalog rows nor a `models.providers` block. A configured
 * provider that is not in the catalog (an OpenAI-compatible proxy) accepts any model id, and
 * so do the built-in proxies (`openrouter/openai/gpt-5.5`, `opencode/gpt-5.5`).
 */
export function requireModel(ref: ModelRef, context: CatalogContext = {}): CatalogEntry {
  const excluded = excludedRef(ref.ref);
  if (excluded) {
    throw new RouteError("model_excluded", `Genesis does not route ${ref.ref}: ${excluded.why}.`, { ref: ref.ref, hint: excluded.hint });
  }
  const found = lookupModel(ref.provider, ref.model, context);
  if (found) return found;
  const catalog = context.catalog ?? DEFAULT;
  const known = catalog.entries.filter((e) => e.provider === ref.provider).map((e) => e.id);
  const configured = providerConfig(context.config, ref.provider);
  if (known.length === 0) {
    if (configured || BUILTIN_PROXIES[ref.provider]) return synthesizeEntry(ref.provider, ref.model, "generic");
    const providers = catalog.providers();
    const near = closeMatches(ref.provider, providers);
    throw new RouteError("unknown_provider", `Unknown provider "${ref.provider}" in ${ref.ref}.`, {
      ref: ref.ref,
      hint: near.length > 0
        ? `Did you mean ${near.map((p) => `${p}/${ref.model}`).join(" or ")}? Otherwise add models.providers.${ref.provider}.baseUrl for an OpenAI-compatible endpoint.`
        : `Known providers: ${providers.join(", ")}. For an OpenAI-compatible endpoint, set models.providers.${ref.provider}.baseUrl.`,
    });
  }
  const ids = [...known, ...(configured?.models.map((m) => m.id) ?? [])];
  const near = closeMatches(ref.model, ids);
  throw new RouteError("unknown_model", `Unknown model ${ref.ref}.`, {
    ref: ref.ref,
    hint: near.length > 0
      ? `Did you mean ${near.map((id) => `${ref.provider}/${id}`).join(", ")}? Run 'genesis models list --provider ${ref.provider} --all' for the full list.`
      : `Run 'genesis models list --provider ${ref.provider} --all', or declare it under models.providers.${ref.provider}.models.`,
  });
}

/**
 * Every row the catalog and config know, config merged in, sorted by provider then
 * catalog order. `provider` filters.
 */
export function listCatalog(context: CatalogContext & { provider?: string } = {}): CatalogEntry[] {
  const catalog = context.catalog ?? DEFAULT;
  const out: CatalogEntry[] = [];
  const seen = new Set<string>();
  const want = (provider: string) => context.provider === undefined || context.provider === provider;
  for (const entry of catalog.entries) {
    if (!want(entry.provider)) continue;
    out.push(lookupModel(entry.provider, entry.id, { ...context, catalog }) ?? entry);
    seen.add(entry.ref);
  }
  for (const provider of Object.keys(context.config?.models?.providers ?? {})) {
    if (!want(provider)) continue;
    for (const row of providerConfig(context.config, provider)?.models ?? []) {
      const ref = `${provider}/${row.id}`;
      if (seen.has(ref)) continue;
      seen.add(ref);
      out.push(lookupModel(provider, row.id, { ...context, catalog })!);
    }
  }
  return out;
}

/**
 * The built-in OpenAI-compatible proxy for `provider` (`openrouter`, `opencode`): label,
 * default base URL and key env variable. Undefined for any other provider.
 */
export function builtinProxy(provider: string): { label: string; baseUrl: string; envKey: string } | undefined {
  return BUILTIN_PROXIES[provider];
}

export { closeMatches };
export { mergeLiveModels } from "./_catalog-live.js";
export type { LiveModel, LiveStatus, ModelListRow } from "./_catalog-live.js";
