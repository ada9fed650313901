import { createOpenAIProvider, type OpenAIProvider, type OpenAIProviderOptions, type OpenAIRoute, type ShapingParams, type ShapingWebSearch } from "@genesis/openai";
import { azureAuthHeaders, assertDeploymentName, azureResourceBase } from "./azure-endpoint.js";
import { AzureConfigError } from "./azure-error.js";

/** Options of {@link createAzureResponsesProvider}. */
export interface AzureResponsesProviderOptions {
  /**
   * The resource endpoint: `https://<res>.openai.azure.com` (with or without `/openai` or
   * `/openai/v1`). Default: env `AZURE_OPENAI_ENDPOINT`.
   */
  baseUrl?: string;
  /** The resource key, sent as the `api-key` header. Default: env `AZURE_OPENAI_API_KEY`. */
  apiKey?: string;
  /** The deployment name (the `model` of each request), e.g. `gpt-5-4-prod`. */
  deployment: string;
  /** Canonical ref for messages; default `azure-openai-responses/<deployment>`. */
  ref?: string;
  /** `auto` (default: WebSocket first, SSE fallback), `sse` or `websocket`. */
  transport?: "auto" | "sse" | "websocket";
  /** Route params (server compaction, warm-up...) as core's route resolution produced them. */
  params?: ShapingParams;
  /**
   * Server-side web search: core's `route.webSearch`, or e.g. `{ status: "native", contextSize:
   * "low", allowedDomains: ["learn.microsoft.com"] }` when calling standalone. Only `native`
   * adds the Responses `web_search` tool to each request. Default: off.
   */
  webSearch?: ShapingWebSearch;
  /** Catalog facts used by request shaping (compat flags, capabilities). */
  model?: OpenAIRoute["model"];
  contextWindow?: number;
  contextTokens?: number;
  /** Environment for the fallbacks above; default `process.env`. */
  env?: Record<string, string | undefined>;
  fetch?: typeof globalThis.fetch;
  WebSocket?: OpenAIProviderOptions["WebSocket"];
  transportOptions?: OpenAIProviderOptions["transportOptions"];
}

/**
 * Azure's v1 Responses surface for a resource: `<origin>[/proxy-prefix]/openai/v1`.
 * @throws AzureConfigError `azure_invalid_base_url`.
 */
export function azureResponsesBaseUrl(baseUrl: string): string {
  return `${azureResourceBase(baseUrl, "azure-openai-responses baseUrl")}/openai/v1`;
}

/**
 * The `azure-openai-responses/*` provider: normalizes the resource URL to the v1 Responses
 * surface (`https://<res>.openai.azure.com/openai/v1`), authenticates with `api-key`, sends the
 * deployment name as `model`, and delegates streaming (WebSocket/SSE, retries, typed errors)
 * to `@genesis/openai`'s provider with `endpointClass: "azure"`. The v1 surface takes no
 * `api-version` query.
 * @throws AzureConfigError when the endpoint, key or deployment is missing or malformed.
 */
export function createAzureResponsesProvider(options: AzureResponsesProviderOptions): OpenAIProvider {
  const env = options.env ?? process.env;
  const rawBase = options.baseUrl ?? env.AZURE_OPENAI_ENDPOINT;
  if (!rawBase?.trim()) {
    throw new AzureConfigError("azure_invalid_base_url", "No Azure OpenAI endpoint for azure-openai-responses.", {
      field: 'models.providers["azure-openai-responses"].baseUrl',
      hint: 'Set models.providers["azure-openai-responses"].baseUrl (or AZURE_OPENAI_ENDPOINT) to https://<resource>.openai.azure.com.',
    });
  }
  const deployment = assertDeploymentName(options.deployment, "deployment");
  const apiKey = azureAuthHeaders(options.apiKey ?? env.AZURE_OPENAI_API_KEY)["api-key"];
  const route: OpenAIRoute = {
    ref: options.ref ?? `azure-openai-responses/${deployment}`,
    provider: "azure-openai-responses",
    modelId: deployment,
    endpointClass: "azure",
    api: "responses",
    baseUrl: azureResponsesBaseUrl(rawBase),
    transport: options.transport ?? options.params?.transport ?? "auto",
    params: options.params ?? {},
    ...(options.webSearch ? { webSearch: options.webSearch } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.contextWindow !== undefined ? { contextWindow: options.contextWindow } : {}),
    ...(options.contextTokens !== undefined ? { contextTokens: options.contextTokens } : {}),
  };
  // The OpenAI provider keeps the key in closures and already redacts its inspect output.
  return createOpenAIProvider({
    route,
    apiKey,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    ...(options.transportOptions ? { transportOptions: options.transportOptions } : {}),
  });
}
