import { asDict, asString, type RouteConfig } from "./_route-config.js";
import type { EndpointClass } from "./_route-endpoint.js";
import type { RouteReason } from "./_route-params.js";
import { RouteError } from "./errors.js";
import type { RouteApi, RuntimeId } from "./route.js";

/** Codex backend search freshness: `live` may fetch pages, `cached` answers from OpenAI's index. */
export type WebSearchMode = "cached" | "live";
/** `search_context_size` of the Responses `web_search` tool. */
export type WebSearchContextSize = "low" | "medium" | "high";

/**
 * Server-side web search for a route. `native`: the Responses `web_search` tool is sent with
 * the settings below; `off`: disabled, or the route cannot take the native tool; `pinned`:
 * `tools.web.search.provider` names another provider, so the native tool is not sent.
 */
export interface RouteWebSearch {
  status: "native" | "off" | "pinned";
  /** The provider search is pinned to (status `pinned`). */
  provider?: string;
  /** Status `native`: `tools.web.search.mode` (default `live`; only the Codex backend reads it). */
  mode?: WebSearchMode;
  /** Status `native`: `tools.web.search.contextSize`, when set. */
  contextSize?: WebSearchContextSize;
  /** Status `native`: `tools.web.search.allowedDomains`, when set. */
  allowedDomains?: string[];
}

const PATH = "tools.web.search";
const NATIVE_CLASSES: ReadonlySet<EndpointClass> = new Set(["native-openai", "native-codex", "azure"]);
const MODES: readonly string[] = ["cached", "live"];
const SIZES: readonly string[] = ["low", "medium", "high"];
const BARE_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function bad(field: string, message: string, hint: string): RouteError {
  return new RouteError("invalid_param", `${PATH}.${field}: ${message}`, { hint });
}

/** The `tools.web.search` block, type-checked (the config may not have gone through zod). */
function readBlock(config: RouteConfig | undefined): { enabled: boolean; provider?: string; mode: WebSearchMode; contextSize?: WebSearchContextSize; allowedDomains?: string[] } {
  const block = asDict(asDict(config?.tools?.web)?.search) ?? {};
  const { enabled = false, provider, mode = "live", contextSize, allowedDomains } = block;
  if (typeof enabled !== "boolean") throw bad("enabled", `expected true or false, got ${JSON.stringify(enabled)}`, `Set ${PATH}.enabled to true or false.`);
  if (provider !== undefined && asString(provider) === undefined) {
    throw bad("provider", `expected a provider id, got ${JSON.stringify(provider)}`, 'Use "openai" for the native tool, or remove the key.');
  }
  if (typeof mode !== "string" || !MODES.includes(mode)) throw bad("mode", `unknown mode ${JSON.stringify(mode)}`, 'Use "live" (default) or "cached".');
  if (contextSize !== undefined && (typeof contextSize !== "string" || !SIZES.includes(contextSize))) {
    throw bad("contextSize", `unknown size ${JSON.stringify(contextSize)}`, 'Use "low", "medium" or "high".');
  }
  if (allowedDomains !== undefined && (!Array.isArray(allowedDomains) || !allowedDomains.every((d) => asString(d) !== undefined))) {
    throw bad("allowedDomains", "expected a list of domain names", 'Write it as a list, e.g. ["docs.python.org", "nodejs.org"].');
  }
  // Same rule as the config schema: routes may be resolved from configs that skipped zod.
  const notBare = (allowedDomains as string[] | undefined)?.find((d) => !BARE_DOMAIN.test(d.trim()));
  if (notBare !== undefined) {
    throw bad("allowedDomains", `${JSON.stringify(notBare)} is not a bare domain`, 'Drop the scheme, path and port, e.g. "nodejs.org" (subdomains are included).');
  }
  return {
    enabled,
    ...(provider !== undefined ? { provider: asString(provider)!.toLowerCase() } : {}),
    mode: mode as WebSearchMode,
    ...(contextSize !== undefined ? { contextSize: contextSize as WebSearchContextSize } : {}),
    ...(allowedDomains !== undefined ? { allowedDomains: (allowedDomains as string[]).map((d) => d.trim()) } : {}),
  };
}

/**
 * Whether a route gets the native Responses `web_search` tool: `tools.web.search.enabled`,
 * no other provider pinned, a Pi-runner Responses route, and a native endpoint class
 * (`native-openai`, `native-codex`, `azure`). Compatible proxies and local servers never get
 * it: most reject unknown hosted tools. Records one `webSearch` reason.
 * Throws {@link RouteError} `invalid_param` naming the bad `tools.web.search.*` value.
 */
export function resolveWebSearch(
  config: RouteConfig | undefined,
  route: { endpointClass: EndpointClass; api: RouteApi; runtime: RuntimeId },
  reasons: RouteReason[],
): RouteWebSearch {
  const block = readBlock(config);
  const off = (why: string): RouteWebSearch => (reasons.push({ field: "webSearch", value: "off", why }), { status: "off" });
  if (!block.enabled) return off(`${PATH}.enabled is not set (default off)`);
  if (block.provider !== undefined && block.provider !== "openai") {
    reasons.push({ field: "webSearch", value: "pinned", why: `${PATH}.provider is "${block.provider}"; the native OpenAI tool is not sent` });
    return { status: "pinned", provider: block.provider };
  }
  if (route.runtime === "codex") return off("the Codex app-server harness configures its own tools");
  if (route.api !== "responses") return off(`web_search is a Responses tool; this route speaks ${route.api}`);
  if (!NATIVE_CLASSES.has(route.endpointClass)) {
    return off(`${route.endpointClass} endpoints never get the native tool (set models.providers.<id>.endpointClass to force native shaping)`);
  }
  reasons.push({
    field: "webSearch",
    value: "native",
    why: `${PATH}.enabled on a ${route.endpointClass} Responses route${route.endpointClass === "native-codex" ? ` (mode ${block.mode})` : ""}`,
  });
  const out: RouteWebSearch = { status: "native", mode: block.mode };
  if (block.contextSize) out.contextSize = block.contextSize;
  if (block.allowedDomains) out.allowedDomains = block.allowedDomains;
  return out;
}
