import { isIP } from "node:net";
import { RouteError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/**
 * What kind of server a base URL points at. Native classes get OpenAI-only request
 * shaping (service tier, store, strict tools, attribution headers); `compat` and `local`
 * get the looser proxy behaviour.
 */
export type EndpointClass = "native-openai" | "native-codex" | "azure" | "compat" | "local";

/** Every {@link EndpointClass}, for validation and help text. */
export const ENDPOINT_CLASSES: readonly EndpointClass[] = ["native-openai", "native-codex", "azure", "compat", "local"];

/** The public OpenAI Platform API. Override with `models.providers.openai.baseUrl` or `OPENAI_BASE_URL`. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** The ChatGPT/Codex backend. Override with `models.providers["openai-codex"].baseUrl`. */
export const DEFAULT_CODEX_BASE_URL = "https://chatgpt.com/backend-api/codex";

/** Azure OpenAI host suffixes (a resource name goes in front). */
export const AZURE_HOST_SUFFIXES: readonly string[] = [".openai.azure.com", ".services.ai.azure.com", ".cognitiveservices.azure.com"];

function isPrivateIPv4(host: string): boolean {
  const [a, b] = host.split(".").map(Number) as [number, number];
  return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

function isPrivateIPv6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "::1" || h === "::") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return isPrivateIPv4(mapped[1]!);
  return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
}

/** True for loopback, private-network, link-local and `.local`/`localhost` hosts. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) return true;
  const family = isIP(host);
  if (family === 4) return isPrivateIPv4(host);
  if (family === 6) return isPrivateIPv6(host);
  return false;
}

/** Parse a base URL or throw {@link RouteError} `invalid_base_url` naming where it came from. */
export function parseBaseUrl(baseUrl: string, origin: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new RouteError("invalid_base_url", `${origin} is not a valid URL: "${redactSecrets(baseUrl)}".`, {
      hint: "Use an absolute http(s) URL such as https://api.openai.com/v1.",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RouteError("invalid_base_url", `${origin} must be http or https, got ${url.protocol}`, {
      hint: "Use an absolute http(s) URL such as https://api.openai.com/v1.",
    });
  }
  return url;
}

/**
 * Classify a base URL by host: Azure suffixes, `api.openai.com`, `chatgpt.com/backend-api`,
 * loopback/private hosts, and everything else as an OpenAI-compatible proxy.
 */
export function classifyEndpoint(baseUrl: string | URL): EndpointClass {
  const url = typeof baseUrl === "string" ? parseBaseUrl(baseUrl, "base URL") : baseUrl;
  const host = url.hostname.toLowerCase();
  if (AZURE_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))) return "azure";
  if (host === "api.openai.com") return "native-openai";
  if (host === "chatgpt.com" && (url.pathname === "/backend-api" || url.pathname.startsWith("/backend-api/"))) return "native-codex";
  if (isLocalHost(host)) return "local";
  return "compat";
}

/** True for the classes that get OpenAI-native request shaping. */
export function isNativeEndpoint(endpointClass: EndpointClass): boolean {
  return endpointClass === "native-openai" || endpointClass === "native-codex" || endpointClass === "azure";
}
