/**
 * The slice of the config file that catalog lookup and route resolution read.
 *
 * Deliberately wide (leaves are `unknown`, read through guards) so that the full,
 * zod-inferred `GenesisConfig` is assignable to it and a hand-built object works too.
 */
export interface RouteConfig {
  env?: Record<string, unknown> | undefined;
  agents?: { defaults?: RouteAgentDefaults | undefined } | undefined;
  models?: { providers?: Record<string, unknown> | undefined } | undefined;
  plugins?: { entries?: Record<string, unknown> | undefined } | undefined;
  auth?: { openaiCodex?: { codexBaseUrl?: unknown } | undefined } | undefined;
  /** Only `tools.web.search` is read (native web search). */
  tools?: { web?: unknown } | undefined;
}

/** `agents.defaults` as the route reads it. */
export interface RouteAgentDefaults {
  models?: Record<string, unknown> | undefined;
  embeddedHarness?: { runtime?: unknown } | undefined;
  embeddedPi?: { executionContract?: unknown } | undefined;
  promptOverlays?: { gpt5?: { personality?: unknown } | undefined } | undefined;
  contextTokens?: unknown;
}

/** One `models.providers.<id>` block, normalized. */
export interface ProviderConfigView {
  baseUrl?: string;
  apiKey?: string;
  endpointClass?: string;
  api?: string;
  models: ModelConfigView[];
}

/** One `models.providers.<id>.models[]` row, normalized. */
export interface ModelConfigView {
  id: string;
  name?: string;
  maxTokens?: number;
  contextWindow?: number;
  contextTokens?: number;
  compat?: Record<string, unknown>;
}

type Dict = Record<string, unknown>;

/** `value` as a plain object, or undefined for anything else (arrays included). */
export function asDict(value: unknown): Dict | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Dict) : undefined;
}

/** A trimmed non-empty string, or undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** A finite positive number (floored), or undefined. */
export function asPositiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
}

/** `models.providers.<provider>` normalized, or undefined when absent. */
export function providerConfig(config: RouteConfig | undefined, provider: string): ProviderConfigView | undefined {
  const block = asDict(asDict(config?.models?.providers)?.[provider]);
  if (!block) return undefined;
  const models: ModelConfigView[] = [];
  for (const item of Array.isArray(block.models) ? block.models : []) {
    const row = asDict(item);
    const id = asString(row?.id);
    if (!row || !id) continue;
    const view: ModelConfigView = { id };
    const contextWindow = asPositiveInt(row.contextWindow);
    const contextTokens = asPositiveInt(row.contextTokens);
    const compat = asDict(row.compat);
    if (contextWindow !== undefined) view.contextWindow = contextWindow;
    if (contextTokens !== undefined) view.contextTokens = contextTokens;
    if (compat) view.compat = compat;
    const name = asString(row.name);
    const maxTokens = asPositiveInt(row.maxTokens);
    if (name) view.name = name;
    if (maxTokens !== undefined) view.maxTokens = maxTokens;
    models.push(view);
  }
  const view: ProviderConfigView = { models };
  const baseUrl = asString(block.baseUrl);
  const apiKey = asString(block.apiKey);
  const endpointClass = asString(block.endpointClass);
  const api = asString(block.api);
  if (baseUrl) view.baseUrl = baseUrl;
  if (apiKey) view.apiKey = apiKey;
  if (endpointClass) view.endpointClass = endpointClass;
  if (api) view.api = api;
  return view;
}

/** `agents.defaults.models["<ref>"].params`, or undefined. */
export function modelParams(config: RouteConfig | undefined, ref: string): Dict | undefined {
  return asDict(asDict(asDict(config?.agents?.defaults?.models)?.[ref])?.params);
}

/** `plugins.entries.<id>.config`, or undefined. */
export function pluginConfig(config: RouteConfig | undefined, id: string): Dict | undefined {
  return asDict(asDict(asDict(config?.plugins?.entries)?.[id])?.config);
}

/**
 * The environment a route sees: config `env` entries are fallbacks, the real environment
 * (passed in, never read from `process`) wins.
 */
export function effectiveEnv(config: RouteConfig | undefined, env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(asDict(config?.env) ?? {})) {
    if (typeof value === "string") merged[key] = value;
  }
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === "string" && value !== "") merged[key] = value;
  }
  return merged;
}

/**
 * The auth facts a route needs: which providers have an API key (and where it came
 * from) and which have an OAuth sign-in. Shaped so the auth store's `AuthSnapshot`
 * is assignable to it. Holds no secrets.
 */
export interface RouteAuth {
  apiKeys?: Record<string, { source: string } | undefined> | undefined;
  oauth?: Record<string, { accountId?: string; expiresAt?: number } | undefined> | undefined;
}
