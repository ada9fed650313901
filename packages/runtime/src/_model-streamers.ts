import type { GenesisConfig, Route } from "@genesis/core";
import { createOpenAIProvider, type OpenAIProvider, type OpenAIProviderOptions } from "@genesis/openai";
import { createCodexStreamers } from "@genesis/codex-oauth";
import type { ModelStreamer } from "./pi-runner.js";

/** Makes the model streamer for a route whose provider the built-in factory does not handle. */
export type ProviderFactory = (route: Route, ctx: { apiKey?: string }) => ModelStreamer | Promise<ModelStreamer>;

/** What the streamer pool needs from the agent's options. */
export interface StreamerPoolOptions {
  env: NodeJS.ProcessEnv;
  providers?: Record<string, ProviderFactory>;
  fetch?: typeof globalThis.fetch;
  WebSocket?: OpenAIProviderOptions["WebSocket"];
  transportOptions?: OpenAIProviderOptions["transportOptions"];
  /** The agent's explicit config; codex-oauth reads its `auth.openaiCodex` sign-in endpoints. */
  config?: GenesisConfig;
  /** The agent's explicit config file, for the same reason. */
  configPath?: string;
}

const AZURE = "azure-openai-responses";

/**
 * `azure-openai-responses/<deployment>` through @genesis/azure (imported on first use, so
 * start-up stays lazy): the resource URL becomes Azure's v1 Responses surface
 * (`<resource>/openai/v1`, no `api-version`), the key goes in `api-key`, the deployment is the
 * `model`, and core's web-search decision is passed on. Portal or deployment URLs, a missing key
 * and a non-Responses `api` are refused with a typed `AzureConfigError` before any request.
 */
async function createAzureProvider(route: Route, apiKey: string | undefined, o: StreamerPoolOptions): Promise<OpenAIProvider> {
  const { createAzureResponsesProvider, AzureConfigError } = await import("@genesis/azure");
  if (route.api !== "responses") {
    throw new AzureConfigError("azure_unsupported_api", `${route.ref} is configured for the ${route.api} API; azure-openai-responses speaks the Responses API only.`, {
      field: `models.providers["${AZURE}"].api`,
      hint: `Remove models.providers["${AZURE}"].api or set it to "azure-openai-responses".`,
    });
  }
  return createAzureResponsesProvider({
    deployment: route.modelId,
    ref: route.ref,
    ...(route.baseUrl ? { baseUrl: route.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    transport: route.transport,
    params: route.params,
    webSearch: route.webSearch,
    model: route.model,
    ...(route.contextWindow !== undefined ? { contextWindow: route.contextWindow } : {}),
    ...(route.contextTokens !== undefined ? { contextTokens: route.contextTokens } : {}),
    env: o.env,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
    ...(o.transportOptions ? { transportOptions: o.transportOptions } : {}),
  });
}

/** Whether a route's first turn in a session is preceded by a WebSocket warm-up. */
function wantsWarmup(route: Route): boolean {
  return route.transport !== "sse" && route.params.openaiWsWarmup !== false;
}

/**
 * The model streamers of one agent: one `openai`-style provider (and so one transport with its
 * sockets) per distinct endpoint/key, @genesis/azure's provider for `azure-openai-responses/*`,
 * the codex-oauth streamers for `openai-codex/*`, and the app's own factories. Each session's first turn warms its WebSocket first (default on for
 * every provider; `params.openaiWsWarmup: false` or SSE transport turns it off).
 */
export class StreamerPool {
  readonly #options: StreamerPoolOptions;
  // Promises, so that concurrent first turns on one endpoint share one provider (and its sockets).
  readonly #providers = new Map<string, Promise<OpenAIProvider>>();
  readonly #warmed = new Set<string>();
  #codex: ReturnType<typeof createCodexStreamers> | undefined;

  constructor(options: StreamerPoolOptions) {
    this.#options = options;
  }

  /**
   * The streamer for `route` in `sessionId`, warmed for the session's first turn.
   * `shapeFor` gives the newest resolution of the session's route (e.g. after `/fast on`).
   */
  async get(route: Route, sessionId: string, apiKey: string | undefined, shapeFor: () => Route): Promise<ModelStreamer> {
    const streamer = await this.#create(route, apiKey, shapeFor);
    if (streamer.warm && wantsWarmup(route) && !this.#warmed.has(sessionId)) {
      this.#warmed.add(sessionId);
      // A failed warm-up only costs the first turn its head start; the turn reports real errors.
      await streamer.warm(sessionId).catch(() => undefined);
    }
    return streamer;
  }

  async #create(route: Route, apiKey: string | undefined, shapeFor: () => Route): Promise<ModelStreamer> {
    const o = this.#options;
    const custom = o.providers?.[route.provider];
    if (custom) return custom(route, apiKey ? { apiKey } : {});
    if (route.provider === "openai-codex") {
      // ChatGPT/Codex sign-in: the codex-oauth streamers own credentials (single-flight
      // refresh) and keep one transport per backend.
      this.#codex ??= createCodexStreamers({
        // Token refresh must go to the issuer the agent's own config names, not the default file's.
        env: o.configPath ? { ...o.env, GENESIS_CONFIG: o.configPath } : o.env,
        ...(o.config ? { config: o.config } : {}),
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
        ...(o.transportOptions ? { transport: o.transportOptions } : {}),
      });
      return this.#codex(route) as ModelStreamer;
    }
    const key = [route.provider, route.baseUrl, route.endpointClass, route.api, route.transport, route.params.openaiWsWarmup, apiKey ?? "", route.provider === AZURE ? route.modelId : ""].join("\u0000");
    let pending = this.#providers.get(key);
    if (!pending) {
      pending = route.provider === AZURE
        ? createAzureProvider(route, apiKey, o)
        : Promise.resolve(createOpenAIProvider({ route, apiKey: apiKey ?? "", fetch: o.fetch, WebSocket: o.WebSocket, transportOptions: o.transportOptions }));
      this.#providers.set(key, pending);
      // A refused config (e.g. a portal URL) must not stay cached: the next turn re-reads it.
      pending.catch(() => {
        if (this.#providers.get(key) === pending) this.#providers.delete(key);
      });
    }
    const bound = await pending;
    return {
      streamTurn: (request, opts) => bound.streamTurn(request, { ...opts, route: shapeFor() }),
      state: () => bound.state(),
      ...(route.api === "responses" ? { warm: (sessionId: string) => bound.warm(sessionId) } : {}),
    };
  }

  /** Close every socket the pool opened. */
  async close(): Promise<void> {
    const pending = [...this.#providers.values()];
    this.#providers.clear();
    const providers = await Promise.allSettled(pending);
    await Promise.all(providers.map((p) => (p.status === "fulfilled" ? p.value.close() : undefined)));
    this.#codex?.close();
    this.#codex = undefined;
  }
}
