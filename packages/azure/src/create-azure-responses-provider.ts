import { inspect } from "node:util";
import { createOpenAIProvider, type OpenAIProvider, type OpenAIProviderOptions, type OpenAIRoute, type ShapingParams, type ShapingWebSearch } from "@genesis/openai";
import { AuthenticationError } from "@genesis/transport";
import { assertDeploymentName, azureResourceBase } from "./azure-endpoint.js";
import { AzureConfigError } from "./azure-error.js";

const KEY_FIELD = 'models.providers["azure-openai-responses"].apiKey';
const KEY_HINT = `Use the resource key from the Azure portal (Keys and Endpoint): set ${KEY_FIELD} or AZURE_OPENAI_API_KEY, or run 'genesis onboard --auth-choice azure-openai'.`;

/** Azure answers 401 for a wrong key and for a key of another resource; say where the key comes from. */
function withAzureHint(error: unknown): unknown {
  if (!(error instanceof AuthenticationError)) return error;
  return new AuthenticationError(error.message, {
    transport: error.transport, requestId: error.requestId, partial: error.partial, attempts: error.attempts, unsent: error.unsent,
    serverCode: error.serverCode, cause: error, hint: `Azure rejected the key. ${KEY_HINT} The key must belong to the resource in baseUrl.`,
  });
}

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
  const apiKey = (options.apiKey ?? env.AZURE_OPENAI_API_KEY)?.trim();
  if (!apiKey) throw new AzureConfigError("azure_missing_api_key", "No Azure OpenAI API key for azure-openai-responses.", { field: KEY_FIELD, hint: KEY_HINT });
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
  const inner = createOpenAIProvider({
    route,
    apiKey,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    ...(options.transportOptions ? { transportOptions: options.transportOptions } : {}),
  });
  const provider: OpenAIProvider = {
    route,
    shape: (request, sessionId) => inner.shape(request, sessionId),
    streamTurn(request, opts) {
      // A caller's newer route (e.g. after `/fast on`) only changes params; the Azure shape stays.
      const forRoute = opts.route ? { ...opts.route, provider: route.provider, modelId: deployment, endpointClass: route.endpointClass, api: route.api, baseUrl: route.baseUrl } : undefined;
      const stream = inner.streamTurn(request, { ...opts, ...(forRoute ? { route: forRoute } : {}) });
      return {
        async *[Symbol.asyncIterator]() {
          try {
            yield* stream;
          } catch (error) {
            throw withAzureHint(error);
          }
        },
      };
    },
    warm: (sessionId, request) => inner.warm(sessionId, request).catch((error: unknown) => Promise.reject(withAzureHint(error))),
    state: () => inner.state(),
    close: () => inner.close(),
  };
  Object.defineProperty(provider, inspect.custom, { value: () => `AzureResponsesProvider { route: ${route.ref}, key: [redacted] }` });
  return provider;
}
