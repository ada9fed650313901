import type { OpenAIRoute } from "./openai-route.js";
import { isNativeRoute, isOpenAINativeHost } from "./openai-route.js";
import type { FunctionToolSpec, ShapedRequest, TurnRequest } from "./turn-request.js";
import { attributionHeaders } from "./attribution-headers.js";
import { toStrictSchema } from "./_strict-schema.js";

/** The tiers Genesis forwards. */
export const SERVICE_TIERS = ["auto", "default", "flex", "priority"] as const;

/** Compaction threshold when the model's context window is unknown. */
export const DEFAULT_COMPACT_THRESHOLD = 80_000;

/** Per-call facts shaping needs besides the route. */
export interface ShapeContext {
  /** The session id: used as the prompt-cache key on native hosts. */
  sessionId?: string;
  /** Version for the attribution User-Agent (defaults to this package's). */
  version?: string;
}

/**
 * `service_tier` for a call: an explicit per-call tier wins, then `params.serviceTier`, then
 * fast mode (`priority`). Only native OpenAI/Codex hosts get one; elsewhere `undefined`.
 */
export function resolveServiceTier(route: OpenAIRoute, explicit?: string): string | undefined {
  if (!isOpenAINativeHost(route) || route.model?.compat?.supportsServiceTier === false) return undefined;
  if (explicit) return explicit;
  if (route.serviceTier) return route.serviceTier;
  const tier = route.params?.serviceTier;
  if (tier && (SERVICE_TIERS as readonly string[]).includes(tier)) return tier;
  return route.params?.fastMode === true ? "priority" : undefined;
}

/**
 * Whether `store: true` is forced: direct OpenAI and Azure Responses routes, unless the
 * model's compat says `supportsStore: false`. The Codex backend rejects stored responses.
 */
export function resolveStore(route: OpenAIRoute): boolean | undefined {
  if (route.endpointClass === "native-codex") return false;
  if (route.endpointClass === "native-openai" || route.endpointClass === "azure") {
    return route.model?.compat?.supportsStore !== false;
  }
  return undefined;
}

/**
 * The compaction threshold when server-side compaction applies, else `undefined`.
 * On by default for direct OpenAI (when storing); `params.responsesServerCompaction: true`
 * turns it on elsewhere (e.g. Azure), `false` turns it off. Threshold: the param, else 70% of
 * the context window (at least 1000), else 80000.
 */
export function resolveCompactThreshold(route: OpenAIRoute, store: boolean | undefined): number | undefined {
  const flag = route.params?.responsesServerCompaction;
  if (flag === false) return undefined;
  const enabled = flag === true || (route.endpointClass === "native-openai" && store === true);
  if (!enabled) return undefined;
  const explicit = route.params?.responsesCompactThreshold;
  if (typeof explicit === "number" && Number.isFinite(explicit)) return Math.max(1000, Math.floor(explicit));
  const window = route.contextWindow;
  return typeof window === "number" && window > 0 ? Math.max(1000, Math.floor(window * 0.7)) : DEFAULT_COMPACT_THRESHOLD;
}

/**
 * Whether `reasoning.effort: "none"` may be sent: native routes only (proxies and unknown
 * backends reject it), for models whose catalog row says so (else GPT-5.1 and later).
 */
export function supportsReasoningNone(route: OpenAIRoute): boolean {
  if (!isNativeRoute(route)) return false;
  const flag = route.model?.capabilities?.supportsReasoningEffortNone;
  return typeof flag === "boolean" ? flag : /^gpt-5\.[1-9]/.test(route.modelId);
}

/** Reasoning settings with an unsupported `effort: "none"` dropped (`undefined` when empty). */
export function shapeReasoning(route: OpenAIRoute, reasoning: TurnRequest["reasoning"]): Record<string, unknown> | undefined {
  if (!reasoning) return undefined;
  const out: Record<string, unknown> = { ...reasoning };
  if (out.effort === "none" && !supportsReasoningNone(route)) delete out.effort;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Whether tool schemas are sent strict: native routes by default, never proxies. */
export function useStrictTools(route: OpenAIRoute): boolean {
  return isNativeRoute(route) && route.model?.compat?.supportsStrictTools !== false;
}

/** A Responses function tool; strict where allowed and the schema can be made strict. */
export function shapeResponsesTool(tool: FunctionToolSpec, strict: boolean): Record<string, unknown> {
  const strictSchema = strict ? toStrictSchema(tool.parameters) : undefined;
  return {
    type: "function",
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    parameters: strictSchema ?? tool.parameters,
    strict: strictSchema !== undefined,
  };
}

/**
 * The hosted `web_search` tool for a route, or `undefined` when the route's web search is not
 * `native` or the route is not a native OpenAI/Azure endpoint (proxies reject hosted tools).
 * `search_context_size` and `filters.allowed_domains` follow the route; the mode is a Codex
 * backend setting: a `native-codex` route gets `external_web_access` (`live` → true, `cached` →
 * false, as the Codex CLI sends it), the public API and Azure get their own default (live).
 */
export function shapeWebSearchTool(route: OpenAIRoute): Record<string, unknown> | undefined {
  const web = route.webSearch;
  if (web?.status !== "native" || !isNativeRoute(route)) return undefined;
  return {
    type: "web_search",
    ...(route.endpointClass === "native-codex" ? { external_web_access: (web.mode ?? "live") === "live" } : {}),
    ...(web.contextSize ? { search_context_size: web.contextSize } : {}),
    ...(web.allowedDomains && web.allowedDomains.length > 0 ? { filters: { allowed_domains: [...web.allowedDomains] } } : {}),
  };
}

/**
 * Shape one Responses API call for a route. Pure: the same route and request always give the
 * same body and headers (auth headers are the transport's job).
 */
export function shapeResponsesRequest(route: OpenAIRoute, request: TurnRequest, ctx: ShapeContext = {}): ShapedRequest {
  const body: Record<string, unknown> = { model: route.modelId };
  if (request.instructions) body.instructions = request.instructions;
  body.input = request.input;
  const strict = useStrictTools(route);
  const tools = (request.tools ?? []).map((t) => shapeResponsesTool(t, strict));
  const webSearch = shapeWebSearchTool(route);
  if (webSearch) tools.push(webSearch);
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = "auto";
    body.parallel_tool_calls = true;
  }
  const reasoning = shapeReasoning(route, request.reasoning);
  if (reasoning) body.reasoning = reasoning;
  if (request.text) body.text = { ...request.text };
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.previousResponseId) body.previous_response_id = request.previousResponseId;
  const tier = resolveServiceTier(route, request.serviceTier);
  if (tier) body.service_tier = tier;
  else if (request.serviceTier) body.service_tier = request.serviceTier; // proxies: left as the caller set it
  const store = resolveStore(route);
  if (store !== undefined) body.store = store;
  const threshold = resolveCompactThreshold(route, store);
  if (threshold !== undefined) body.context_management = [{ type: "compaction", compact_threshold: threshold }];
  if (ctx.sessionId && isOpenAINativeHost(route) && route.model?.compat?.supportsPromptCacheKey !== false) body.prompt_cache_key = ctx.sessionId;
  return { body, headers: attributionHeaders(route, ctx.version) };
}
