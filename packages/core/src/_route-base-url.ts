import { asString, providerConfig, type RouteConfig } from "./_route-config.js";
import {
  DEFAULT_CODEX_BASE_URL, DEFAULT_OPENAI_BASE_URL, ENDPOINT_CLASSES, classifyEndpoint, parseBaseUrl, type EndpointClass,
} from "./_route-endpoint.js";
import type { RouteReason } from "./_route-params.js";
import { builtinProxy } from "./catalog.js";
import { RouteError } from "./errors.js";

/** Where a route sends requests (base URL) and what kind of server that is (endpoint class), with reasons. */

/**
 * The Codex backend may be written as `.../backend-api`, `.../backend-api/codex` or the full
 * `.../codex/responses` (the same forms @genesis/codex-oauth accepts); routes carry `.../codex`.
 */
function codexBase(url: string): string {
  const base = url.trim().replace(/\/+$/, "");
  if (base.endsWith("/codex/responses")) return base.slice(0, -"/responses".length);
  return base.endsWith("/codex") ? base : `${base}/codex`;
}

/** The base URL for `provider`: config, env fallbacks, built-in defaults (OpenAI, Codex, proxies), else "". */
export function pickBaseUrl(provider: string, config: RouteConfig | undefined, env: Record<string, string | undefined>, reasons: RouteReason[]): string {
  const fromConfig = providerConfig(config, provider)?.baseUrl;
  const say = (value: string, why: string) => (reasons.push({ field: "baseUrl", value, why }), value);
  if (fromConfig) return say(fromConfig, `config models.providers["${provider}"].baseUrl`);
  if (provider === "openai" && env.OPENAI_BASE_URL) return say(env.OPENAI_BASE_URL, "env OPENAI_BASE_URL");
  if (provider === "openai") return say(DEFAULT_OPENAI_BASE_URL, "default OpenAI Platform API");
  if (provider === "openai-codex") {
    const backend = asString(config?.auth?.openaiCodex?.codexBaseUrl);
    if (backend) return say(codexBase(backend), "config auth.openaiCodex.codexBaseUrl");
    if (env.GENESIS_CODEX_BASE_URL) return say(codexBase(env.GENESIS_CODEX_BASE_URL), "env GENESIS_CODEX_BASE_URL");
    return say(DEFAULT_CODEX_BASE_URL, "default ChatGPT/Codex backend");
  }
  if (provider === "azure-openai-responses" && env.AZURE_OPENAI_ENDPOINT) return say(env.AZURE_OPENAI_ENDPOINT, "env AZURE_OPENAI_ENDPOINT");
  const proxy = builtinProxy(provider);
  if (proxy) return say(proxy.baseUrl, `built-in ${proxy.label} endpoint (OpenAI-compatible proxy; models.providers["${provider}"].baseUrl overrides it)`);
  return say("", `no base URL: set models.providers["${provider}"].baseUrl`);
}

/** The endpoint class: config `endpointClass` when set (validated), else detected from the host. */
export function pickEndpointClass(provider: string, baseUrl: string, config: RouteConfig | undefined, reasons: RouteReason[]): EndpointClass {
  const forced = providerConfig(config, provider)?.endpointClass;
  if (forced !== undefined) {
    if (!(ENDPOINT_CLASSES as readonly string[]).includes(forced)) {
      throw new RouteError("invalid_param", `models.providers["${provider}"].endpointClass: unknown class "${forced}"`, {
        hint: `Use one of ${ENDPOINT_CLASSES.join(", ")}.`,
      });
    }
    reasons.push({ field: "endpointClass", value: forced, why: `config models.providers["${provider}"].endpointClass overrides host detection` });
    return forced as EndpointClass;
  }
  if (baseUrl === "") {
    reasons.push({ field: "endpointClass", value: "compat", why: "no base URL to classify" });
    return "compat";
  }
  const url = parseBaseUrl(baseUrl, `base URL for ${provider}`);
  const value = classifyEndpoint(url);
  const why: Record<EndpointClass, string> = {
    "native-openai": "host is api.openai.com",
    "native-codex": "host is chatgpt.com/backend-api",
    azure: "host ends with an Azure OpenAI suffix",
    local: `${url.hostname} is a loopback/private host (set models.providers["${provider}"].endpointClass to force native shaping)`,
    compat: `${url.hostname} is not a known OpenAI host; treated as an OpenAI-compatible proxy`,
  };
  reasons.push({ field: "endpointClass", value, why: why[value] });
  return value;
}
