import { inspect } from "node:util";
import { AuthError, type StreamEvent } from "@genesis/core";
import { createResponsesTransport, joinUrl, sendRequest as httpRequest, type ResponsesTransportOptions } from "@genesis/transport";
import type { OpenAIRoute } from "./openai-route.js";
import type { ShapedRequest, TurnRequest } from "./turn-request.js";
import { shapeResponsesRequest } from "./shape-responses-request.js";
import { shapeChatRequest } from "./shape-chat-request.js";
import { chatStreamEvents } from "./_chat-stream.js";

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  route: OpenAIRoute;
  /** The API key (Azure: the resource key, sent as `api-key`). Never logged. May be empty only for `local` endpoints. */
  apiKey: string;
  fetch?: typeof globalThis.fetch;
  /** WebSocket constructor (the `ws` package's shape); default `ws`. */
  WebSocket?: ResponsesTransportOptions["WebSocket"];
  /** Extra options for the Responses transport (timeouts, clock, logger...). */
  transportOptions?: Partial<ResponsesTransportOptions>;
  /** Version for the attribution User-Agent; defaults to this package's. */
  version?: string;
}

/** Per-turn options of {@link OpenAIProvider.streamTurn}. */
export interface StreamTurnOptions {
  sessionId: string;
  /**
   * Shape this call for a newer resolution of the same route (e.g. after `/fast on` changed
   * its params). Base URL, API and auth stay the provider's; only shaping reads it.
   */
  route?: OpenAIRoute;
  turnId?: string;
  signal?: AbortSignal;
}

/** Transport facts for status displays. */
export interface ProviderTransportState {
  mode: "auto" | "sse" | "websocket";
  api: string;
  /** The wire the last turn used. */
  lastTransport?: "sse" | "websocket";
  wsDegraded: boolean;
  degradedForMs?: number;
}

/** The `openai/*` provider: shapes each turn for its route and streams it. */
export interface OpenAIProvider {
  readonly route: OpenAIRoute;
  /** The exact body and route headers a turn would be sent with. */
  shape(request: TurnRequest, sessionId?: string): ShapedRequest;
  /** Stream one model call as Genesis `StreamEvent`s (Responses over WS/SSE, or Chat Completions SSE). */
  streamTurn(request: TurnRequest, options: StreamTurnOptions): AsyncIterable<StreamEvent>;
  /**
   * Open the session's WebSocket ahead of the first turn and send a `generate: false` warm-up
   * (shaped from `request`, default empty input). No-op for Chat Completions, SSE-only routes and
   * `params.openaiWsWarmup: false`.
   */
  warm(sessionId: string, request?: TurnRequest): Promise<void>;
  state(): ProviderTransportState;
  close(): Promise<void>;
}

function authHeaders(route: OpenAIRoute, apiKey: string): Record<string, string> {
  if (!apiKey) return {};
  return route.endpointClass === "azure" ? { "api-key": apiKey } : { authorization: `Bearer ${apiKey}` };
}

/**
 * Create the provider for one resolved `openai/*` (or compatible) route. Responses routes go
 * through `@genesis/transport` (WebSocket first with SSE fallback, per `route.transport`);
 * `api: "chat-completions"` routes stream `POST {baseUrl}/chat/completions` over SSE.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): OpenAIProvider {
  const { route, apiKey } = options;
  // Local servers (Ollama, llama.cpp...) usually take no key; everything else needs one.
  if (!apiKey && route.endpointClass !== "local") {
    throw new AuthError("no_api_key", `No API key for ${route.ref ?? `${route.provider}/${route.modelId}`}.`, {
      provider: route.provider,
      hint: "Set OPENAI_API_KEY or run `genesis onboard --auth-choice openai-api-key`.",
    });
  }
  const isChat = route.api === "chat-completions";
  const mode = route.transport ?? route.params?.transport ?? "auto";
  const routeHeaders = { ...authHeaders(route, apiKey), ...shapeResponsesRequest(route, { input: [] }, { version: options.version }).headers };
  let lastTransport: "sse" | "websocket" | undefined;
  const transport = isChat
    ? undefined
    : createResponsesTransport({
        baseUrl: route.baseUrl,
        headers: routeHeaders,
        mode,
        warmup: route.params?.openaiWsWarmup !== false,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        ...options.transportOptions,
      });

  const shape = (request: TurnRequest, sessionId?: string, forRoute: OpenAIRoute = route): ShapedRequest =>
    isChat
      ? shapeChatRequest(forRoute, request, { version: options.version })
      : shapeResponsesRequest(forRoute, request, { sessionId, version: options.version });

  async function* streamChat(request: TurnRequest, opts: StreamTurnOptions): AsyncGenerator<StreamEvent> {
    const shaped = shape(request, opts.sessionId, opts.route);
    const res = await httpRequest(
      joinUrl(route.baseUrl, "/chat/completions"),
      {
        method: "POST",
        headers: { ...authHeaders(route, apiKey), ...shaped.headers, accept: "text/event-stream", "content-type": "application/json" },
        body: JSON.stringify(shaped.body),
      },
      { fetch: options.fetch, signal: opts.signal, secrets: [apiKey] },
    );
    lastTransport = "sse";
    yield* chatStreamEvents(res.body!, opts.signal);
  }

  const provider: OpenAIProvider = {
    route,
    shape,
    streamTurn(request, opts) {
      if (isChat) return streamChat(request, opts);
      const shaped = shape(request, opts.sessionId, opts.route);
      const stream = transport!.stream(shaped.body, { sessionId: opts.sessionId, turnId: opts.turnId, signal: opts.signal });
      return {
        async *[Symbol.asyncIterator]() {
          for await (const event of stream) {
            if (event.type === "response.started") lastTransport = event.transport === "websocket" ? "websocket" : "sse";
            yield event;
          }
        },
      };
    },
    async warm(sessionId, request) {
      if (!transport) return;
      // Always with a body: the transport then sends a `generate: false` response.create with
      // the route's model (a body-less warm() would only open the socket).
      await transport.warm(sessionId, shape(request ?? { input: [] }, sessionId).body);
    },
    state() {
      const raw = transport?.state() ?? {};
      const last = raw.lastTransport ?? lastTransport;
      const degradedForMs = raw.wsDegradedUntil !== undefined ? Math.max(0, raw.wsDegradedUntil - (options.transportOptions?.now ?? Date.now)()) : 0;
      return {
        mode: isChat ? "sse" : mode,
        api: isChat ? "chat-completions" : "responses",
        ...(last ? { lastTransport: last } : {}),
        wsDegraded: degradedForMs > 0,
        ...(degradedForMs > 0 ? { degradedForMs } : {}),
      };
    },
    async close() {
      transport?.close();
    },
  };
  // The key lives only in closures; make sure nothing prints the options object with it.
  Object.defineProperty(provider, inspect.custom, { value: () => `OpenAIProvider { route: ${route.ref ?? route.modelId}, key: [redacted] }` });
  return provider;
}
