/**
 * The slice of a resolved route (core's `Route`) that request shaping reads. Declared here as
 * a structural subset so shaping stays a pure function that tests and embedding apps can call
 * with a plain object; a full core `Route` satisfies it.
 */

/**
 * Where a route's traffic goes. `native-openai` = api.openai.com, `native-codex` =
 * chatgpt.com/backend-api, `azure` = an Azure OpenAI resource, `compat` = an OpenAI-compatible
 * proxy, `local` = a local OpenAI-compatible server (treated like `compat`).
 * Config may override the class (that is how native shaping is tested on 127.0.0.1).
 */
export type EndpointClass = "native-openai" | "native-codex" | "azure" | "compat" | "local";

/** Wire API of a route. */
export type OpenAIApi = "responses" | "chat-completions" | (string & {});

/** Effective params (catalog < config < session override) that shaping reads (core's `RouteParams`). */
export interface ShapingParams {
  fastMode?: boolean;
  serviceTier?: "auto" | "default" | "flex" | "priority";
  responsesServerCompaction?: boolean;
  responsesCompactThreshold?: number;
  /** Pass-through JSON merged into Chat Completions payloads on compatible proxies. */
  extraBody?: Record<string, unknown>;
  /** The config spelling of {@link extraBody}; accepted too. */
  extra_body?: Record<string, unknown>;
  transport?: "auto" | "sse" | "websocket";
  openaiWsWarmup?: boolean;
}

/** Model compat flags from the catalog (core's `CatalogCompat`). */
export interface ShapingCompat {
  /** `false` when the endpoint rejects `store: true`. */
  supportsStore?: boolean;
  /** `false` to send loose (non-strict) tool schemas even on native routes. */
  supportsStrictTools?: boolean;
  /** `false` when the model/endpoint takes no `service_tier`. */
  supportsServiceTier?: boolean;
  /** `false` when the endpoint takes no `prompt_cache_key`. */
  supportsPromptCacheKey?: boolean;
}

/** Model capabilities from the catalog (core's `ModelCapabilities`); shaping reads one flag. */
export interface ShapingCapabilities {
  /** Whether `reasoning.effort: "none"` is accepted. */
  supportsReasoningEffortNone?: boolean;
}

/**
 * Server-side web search as core's route resolution decided it (core's `RouteWebSearch`).
 * Only `status: "native"` adds the Responses `web_search` tool, and only on native routes.
 */
export interface ShapingWebSearch {
  status: "native" | "off" | "pinned";
  /** Codex backend freshness (`live` default); the public API is always sent its default. */
  mode?: "cached" | "live";
  /** Sent as `search_context_size`. */
  contextSize?: "low" | "medium" | "high";
  /** Sent as `filters.allowed_domains`. */
  allowedDomains?: readonly string[];
}

/**
 * What request shaping needs to know about a route: a structural subset of core's `Route`,
 * so a resolved route is passed as is and tests can pass a plain object.
 */
export interface OpenAIRoute {
  ref?: string;
  provider: string;
  /** The provider's model id, sent as `model`. */
  modelId: string;
  endpointClass: EndpointClass;
  api: OpenAIApi;
  /** API base, e.g. `https://api.openai.com/v1` (no trailing slash needed). */
  baseUrl: string;
  params?: ShapingParams;
  /** The tier core resolved for this route (already limited to native hosts), if any. */
  serviceTier?: string;
  contextWindow?: number;
  contextTokens?: number;
  transport?: "auto" | "sse" | "websocket";
  /** The catalog row: compat flags and capabilities. */
  model?: { compat?: ShapingCompat; capabilities?: ShapingCapabilities };
  /** Native web search; absent means off. */
  webSearch?: ShapingWebSearch;
}

/** OpenAI-only request shaping (service_tier, prompt-cache hints) and attribution headers. */
export function isOpenAINativeHost(route: Pick<OpenAIRoute, "endpointClass">): boolean {
  return route.endpointClass === "native-openai" || route.endpointClass === "native-codex";
}

/** Native transport/compat behaviour (strict tools, store, reasoning compat): OpenAI, Codex, Azure. */
export function isNativeRoute(route: Pick<OpenAIRoute, "endpointClass">): boolean {
  return isOpenAINativeHost(route) || route.endpointClass === "azure";
}

/** The route's `params.extraBody` (or its `extra_body` spelling), when it is an object. */
export function extraBodyOf(route: OpenAIRoute): Record<string, unknown> | undefined {
  const extra = route.params?.extraBody ?? route.params?.extra_body;
  return extra && typeof extra === "object" && !Array.isArray(extra) ? extra : undefined;
}
