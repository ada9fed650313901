import type { StreamEvent } from "@genesis/core";
import {
  AuthenticationError,
  createResponsesTransport,
  type ResponsesTransport,
  type ResponsesTransportOptions,
  type TransportMode,
} from "@genesis/transport";
import { codexHeaders } from "./codex-headers.js";
import { withCodexPlan } from "./codex-limit-error.js";
import { readTokenClaims } from "./_jwt.js";
import { buildCodexRequestBody, isNativeCodexEndpoint, type CodexTurnRequest } from "./codex-request.js";
import type { CodexCredentialManager } from "./credential-manager.js";
import { codexResponsesUrl, type CodexOAuthSettings } from "./oauth-config.js";

/** SSE requests to the Codex backend carry this beta flag. */
export const CODEX_SSE_BETA = "responses=experimental";
/** WebSocket upgrades to the Codex backend carry this beta flag. */
export const CODEX_WS_BETA = "responses_websockets=2026-02-06";

type DoneEvent = Extract<StreamEvent, { type: "response.done" }>;

/** Options of {@link createCodexProvider}. */
export interface CodexProviderOptions {
  /** Supplies (and refreshes) the signed-in account's tokens. */
  credentials: Pick<CodexCredentialManager, "getCredentials" | "handleUnauthorized">;
  settings: Pick<CodexOAuthSettings, "codexBaseUrl" | "originator">;
  /** Default `auto` (WebSocket first, SSE fallback). */
  mode?: TransportMode;
  /** WebSocket warm-up in {@link CodexProvider.warm}; default true. */
  warmup?: boolean;
  fetch?: typeof fetch;
  WebSocket?: ResponsesTransportOptions["WebSocket"];
  /** Any other transport knob (timeouts, retries, clock). */
  transport?: Omit<ResponsesTransportOptions, "baseUrl" | "headers" | "mode" | "warmup" | "wsBetaHeader" | "sseExtraHeaders" | "fetch" | "WebSocket">;
  /**
   * Whether the backend gets native-only shaping (`service_tier`). Default: true only for the
   * real ChatGPT backend host; a route's `endpointClass: "native-codex"` sets it explicitly.
   */
  native?: boolean;
  /**
   * `User-Agent`, sent to every host. Default: `genesis/<version> (<platform> <release>; <arch>)`
   * on a verified Codex host ({@link isVerifiedCodexHost}), none of ours on any other.
   */
  userAgent?: string;
}

/** One streaming turn: iterate the events, or await the final `response.done`. */
export interface CodexTurn extends AsyncIterable<StreamEvent> {
  finalResponse(): Promise<DoneEvent>;
}

/** The `openai-codex/*` provider. */
export interface CodexProvider {
  /** The exact body {@link streamTurn} sends (useful for logging and tests). */
  buildRequestBody(request: CodexTurnRequest): Record<string, unknown>;
  /**
   * Run one turn on the Codex backend. A 401 before any event triggers one token refresh
   * (shared with concurrent callers) and one retry; usage limits arrive as the transport's
   * `UsageLimitError` ("... (plus plan); resets in N min").
   */
  streamTurn(request: CodexTurnRequest, options?: { signal?: AbortSignal }): CodexTurn;
  /** Open and warm the session's WebSocket before the first turn. */
  warm(sessionId: string, model: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Which wire carried the last turn; the WebSocket cool-down, if any. */
  state(): ReturnType<ResponsesTransport["state"]>;
  close(): void;
}

/**
 * Create the `openai-codex/*` provider over the shared Responses transport, with the Codex
 * headers: `Authorization: Bearer`, `chatgpt-account-id`, the `session_id` /
 * `x-client-request-id` identity (from the transport), `OpenAI-Beta` per wire, and
 * `originator` + the genesis `User-Agent` only on a verified host ({@link isVerifiedCodexHost}:
 * chatgpt.com's backend or loopback; never a proxy).
 */
export function createCodexProvider(options: CodexProviderOptions): CodexProvider {
  const responsesUrl = codexResponsesUrl(options.settings);
  const baseUrl = responsesUrl.slice(0, -"/responses".length);
  const native = options.native ?? isNativeCodexEndpoint(baseUrl);
  const headerOptions = { baseUrl, originator: options.settings.originator, userAgent: options.userAgent };
  let lastAccess: string | undefined;
  let lastPlan: string | undefined;
  const transport = createResponsesTransport({
    ...options.transport,
    baseUrl,
    mode: options.mode ?? "auto",
    warmup: options.warmup ?? true,
    wsBetaHeader: CODEX_WS_BETA,
    sseExtraHeaders: { "OpenAI-Beta": CODEX_SSE_BETA },
    fetch: options.fetch,
    WebSocket: options.WebSocket,
    // Called per attempt, so a refresh between attempts is picked up.
    headers: async () => {
      const creds = await options.credentials.getCredentials();
      lastAccess = creds.access;
      lastPlan = creds.planType ?? readTokenClaims(creds.access)?.planType;
      return codexHeaders(creds, headerOptions);
    },
  });

  const buildRequestBody = (request: CodexTurnRequest) => buildCodexRequestBody(request, { native });

  return {
    buildRequestBody,
    streamTurn(request, turnOptions = {}) {
      const body = buildRequestBody(request);
      const streamOptions = { sessionId: request.sessionId, turnId: request.turnId ?? crypto.randomUUID(), signal: turnOptions.signal };
      let final: DoneEvent | undefined;
      let consumed = false;
      async function* run(): AsyncGenerator<StreamEvent> {
        for (let attempt = 0; ; attempt++) {
          let seen = 0;
          try {
            for await (const event of transport.stream(body, streamOptions)) {
              seen++;
              if (event.type === "response.done") final = event;
              yield event;
            }
            return;
          } catch (error) {
            // The token was rejected before anything streamed: refresh once and retry.
            if (attempt === 0 && seen === 0 && error instanceof AuthenticationError && lastAccess !== undefined) {
              await options.credentials.handleUnauthorized(lastAccess, { signal: turnOptions.signal });
              continue;
            }
            throw withCodexPlan(error, lastPlan);
          }
        }
      }
      const iterator = run();
      return {
        [Symbol.asyncIterator]() {
          consumed = true;
          return iterator;
        },
        async finalResponse() {
          if (!consumed) {
            consumed = true;
            for await (const _event of iterator) {
              // Drain: the last response.done is kept in `final`.
            }
          }
          if (!final) throw new Error("The turn ended without a final response.");
          return final;
        },
      };
    },
    async warm(sessionId, model, warmOptions = {}) {
      await transport.warm(sessionId, { model, instructions: buildRequestBody({ model, sessionId, input: [] }).instructions, store: false }, warmOptions);
    },
    state: () => transport.state(),
    close: () => transport.close(),
  };
}
