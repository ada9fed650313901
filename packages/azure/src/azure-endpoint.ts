import { AZURE_HOST_SUFFIXES, redactSecrets } from "@genesis/core";
import { AzureConfigError } from "./azure-error.js";

/** `api-version` used when `AZURE_OPENAI_API_VERSION` is unset. */
export const DEFAULT_AZURE_API_VERSION = "2024-12-01-preview";

/** Deployment-scoped operations Genesis sends to Azure. */
export type AzureOperation = "images/generations" | "images/edits" | "chat/completions" | "embeddings" | "audio/speech" | "audio/transcriptions";

const OPERATIONS: ReadonlySet<string> = new Set<AzureOperation>(["images/generations", "images/edits", "chat/completions", "embeddings", "audio/speech", "audio/transcriptions"]);

// Azure deployment names: letters, digits, '-', '_' and '.', at most 64 characters. Anything
// else (slashes, '?', '..') would change the path, so it is refused rather than escaped away.
const DEPLOYMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// `2024-12-01-preview`, `2025-04-01`, and the v1 surface's `preview` / `latest`.
const API_VERSION = /^(?:\d{4}-\d{2}-\d{2}(?:-preview)?|preview|latest|v1)$/;

function parseUrl(baseUrl: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new AzureConfigError("azure_invalid_base_url", `${field} is not a valid URL: "${redactSecrets(baseUrl)}".`, {
      field,
      hint: "Use your resource endpoint, e.g. https://<resource>.openai.azure.com.",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AzureConfigError("azure_invalid_base_url", `${field} must be an http(s) URL, got ${url.protocol}`, {
      field,
      hint: "Use your resource endpoint, e.g. https://<resource>.openai.azure.com.",
    });
  }
  if (url.username || url.password) {
    throw new AzureConfigError("azure_invalid_base_url", `${field} must not carry credentials in the URL.`, {
      field,
      hint: "Remove user:password@ from the URL and pass the key as apiKey (sent as the api-key header).",
    });
  }
  return url;
}

/**
 * True when `url`'s host ends with an Azure OpenAI suffix (`*.openai.azure.com`,
 * `*.services.ai.azure.com`, `*.cognitiveservices.azure.com`; see core's
 * `AZURE_HOST_SUFFIXES`). Unparseable input is simply not Azure.
 */
export function isAzureHost(url: string | URL): boolean {
  try {
    const parsed = typeof url === "string" ? new URL(url) : url;
    const host = parsed.hostname.toLowerCase();
    return AZURE_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
  } catch {
    return false;
  }
}

/**
 * The `api-version` to send: `AZURE_OPENAI_API_VERSION` when set (trimmed), else
 * {@link DEFAULT_AZURE_API_VERSION} (`2024-12-01-preview`).
 * @throws AzureConfigError `azure_invalid_api_version` for a value Azure would refuse.
 */
export function resolveAzureApiVersion(env: Record<string, string | undefined> = process.env): string {
  const raw = env.AZURE_OPENAI_API_VERSION?.trim();
  if (!raw) return DEFAULT_AZURE_API_VERSION;
  if (!API_VERSION.test(raw)) {
    throw new AzureConfigError("azure_invalid_api_version", `AZURE_OPENAI_API_VERSION "${redactSecrets(raw).slice(0, 40)}" is not an Azure api-version.`, {
      field: "AZURE_OPENAI_API_VERSION",
      hint: `Use a dated version such as ${DEFAULT_AZURE_API_VERSION} or 2025-04-01-preview, or unset it for the default.`,
    });
  }
  return raw;
}

// Web portals (Azure portal, Azure AI Foundry, Azure OpenAI Studio) show the resource but do
// not serve the API; their URLs are a common paste mistake.
const PORTAL_HOSTS = ["portal.azure.com", "ai.azure.com", "oai.azure.com"];

/** True when `url` is an Azure web portal page rather than a resource endpoint. */
export function isAzurePortalUrl(url: string | URL): boolean {
  try {
    const host = (typeof url === "string" ? new URL(url) : url).hostname.toLowerCase().replace(/\.$/, "");
    // Tenant portals live under *.portal.azure.com; *.ai.azure.com holds real resources.
    return PORTAL_HOSTS.includes(host) || host.endsWith(".portal.azure.com");
  } catch {
    return false;
  }
}

/**
 * The resource origin plus any path prefix a proxy adds, without a trailing `/openai`
 * (or `/openai/v1`), so both spellings users paste from the portal work. Portal pages
 * (`portal.azure.com`, `ai.azure.com`, `oai.azure.com`) and full deployment URLs are refused.
 * @throws AzureConfigError `azure_invalid_base_url`.
 */
export function azureResourceBase(baseUrl: string, field = "baseUrl"): string {
  const url = parseUrl(baseUrl, field);
  if (isAzurePortalUrl(url)) {
    throw new AzureConfigError("azure_invalid_base_url", `${field} is an Azure portal page (${url.hostname}), not the resource endpoint.`, {
      field,
      hint: "Copy the Endpoint shown under the resource's Keys and Endpoint page, e.g. https://<resource>.openai.azure.com.",
    });
  }
  // The portal also shows full operation URLs; a deployment path here would be doubled later.
  if (/\/openai\/deployments(?:\/|$)/i.test(url.pathname)) {
    throw new AzureConfigError("azure_invalid_base_url", `${field} points at a deployment (${url.origin}${url.pathname.slice(0, 80)}), not at the resource.`, {
      field,
      hint: `Use the resource endpoint only, e.g. ${url.origin}; Genesis adds /openai/deployments/<name>/... and the model ref names the deployment.`,
    });
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/openai(?:\/v1)?$/i, "");
  return `${url.origin}${path}`;
}

/** Check a deployment name; returns it unchanged. */
export function assertDeploymentName(deployment: string, field = "deployment"): string {
  if (!DEPLOYMENT.test(deployment)) {
    throw new AzureConfigError("azure_invalid_deployment", `"${redactSecrets(deployment).slice(0, 80)}" is not a valid Azure deployment name.`, {
      field,
      hint: "Use the deployment name from the Azure portal (letters, digits, '-', '_' or '.', up to 64 characters), e.g. gpt-image-2-prod; a model ref puts the provider in front (openai/gpt-image-2-prod).",
    });
  }
  return deployment;
}

/**
 * A deployment-scoped URL:
 * `https://<res>.openai.azure.com/openai/deployments/<dep>/<op>?api-version=<v>`.
 * `baseUrl` may end with or without `/openai`; the deployment name is validated and encoded.
 * @throws AzureConfigError for a bad base URL, deployment, operation or api-version.
 */
export function azureDeploymentUrl(baseUrl: string, deployment: string, operation: AzureOperation, apiVersion: string = DEFAULT_AZURE_API_VERSION): string {
  const base = azureResourceBase(baseUrl);
  assertDeploymentName(deployment);
  if (!OPERATIONS.has(operation)) {
    throw new AzureConfigError("azure_invalid_operation", `Unknown Azure deployment operation "${String(operation)}".`, {
      field: "operation",
      hint: `Use one of ${[...OPERATIONS].join(", ")}.`,
    });
  }
  if (!API_VERSION.test(apiVersion)) {
    throw new AzureConfigError("azure_invalid_api_version", `"${redactSecrets(apiVersion).slice(0, 40)}" is not an Azure api-version.`, {
      field: "apiVersion",
      hint: `Use a dated version such as ${DEFAULT_AZURE_API_VERSION}.`,
    });
  }
  return `${base}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${encodeURIComponent(apiVersion)}`;
}

/**
 * Azure's key header: `{ "api-key": key }` (never `Authorization: Bearer`).
 * @throws AzureConfigError `azure_missing_api_key` when the key is empty.
 */
export function azureAuthHeaders(apiKey: string | undefined): { "api-key": string } {
  const key = apiKey?.trim();
  if (!key) {
    throw new AzureConfigError("azure_missing_api_key", "No Azure OpenAI API key.", {
      field: "apiKey",
      hint: "Set models.providers.openai.apiKey (images) or AZURE_OPENAI_API_KEY to the resource key from the Azure portal.",
    });
  }
  return { "api-key": key };
}
