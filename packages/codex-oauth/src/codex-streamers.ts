import type { StreamEvent } from "@genesis/core";
import { loadConfig, openAuthStore } from "@genesis/core";
import { codexCredentialStore } from "./codex-credential-store.js";
import { createCodexProvider, type CodexProvider, type CodexProviderOptions } from "./codex-provider.js";
import type { CodexInputItem, CodexToolSpec, CodexWebSearch } from "./codex-request.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { codexSettingsFromConfig, resolveCodexOAuthSettings, type CodexAuthConfigLike, type CodexOAuthOverrides } from "./oauth-config.js";

/** The slice of core's `Route` the streamer reads (a `Route` fits as is). */
export interface CodexRouteLike {
  modelId: string;
  /** The Codex backend base the route resolved (`…/backend-api/codex`). */
  baseUrl: string;
  transport: "auto" | "sse" | "websocket";
  params: { openaiWsWarmup?: boolean | undefined };
  /** The tier to send, already decided by route resolution (fast mode folded in). */
  serviceTier?: string | undefined;
  /**
   * The route's endpoint class; `native-codex` turns on native-only shaping (service_tier)
   * even on a non-chatgpt.com host (e.g. `models.providers["openai-codex"].endpointClass`).
   * Default: decided from the host.
   */
  endpointClass?: string | undefined;
  /**
   * Server-side web search as core resolved it; `status: "native"` adds the Codex
   * `web_search` tool (mode → `external_web_access`). Absent or any other status: not sent.
   */
  webSearch?: ({ status: string } & CodexWebSearch) | undefined;
}

/** A provider-neutral model call, as the runtime's pi loop builds it (`TurnRequest` fits). */
export interface CodexStreamerRequest {
  instructions?: string;
  input: readonly unknown[];
  tools?: readonly CodexToolSpec[];
  reasoning?: { effort?: string; summary?: string };
  text?: { verbosity?: string };
  serviceTier?: string;
}

/** What the runtime's pi loop calls (structurally its `ModelStreamer`). */
export interface CodexModelStreamer {
  streamTurn(request: CodexStreamerRequest, options: { sessionId: string; turnId?: string; signal?: AbortSignal }): AsyncIterable<StreamEvent>;
  state(): { mode: string; lastTransport?: "sse" | "websocket"; wsDegraded: boolean; degradedForMs?: number };
  /** Open and warm the session's WebSocket before its first turn (no-op for SSE or when warm-up is off). */
  warm(sessionId: string, options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createCodexStreamers}. */
export interface CodexStreamersOptions {
  /** Finds GENESIS_HOME and GENESIS_CODEX_* overrides. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Issuer and other sign-in overrides; when given, `config` and the config file are not read. */
  settings?: CodexOAuthOverrides;
  /**
   * A loaded Genesis config whose `auth.openaiCodex.{issuer,clientId}` drive token refresh.
   * Default: the config file GENESIS_HOME points at, read once on the first turn.
   */
  config?: CodexAuthConfigLike;
  fetch?: typeof fetch;
  WebSocket?: CodexProviderOptions["WebSocket"];
  transport?: CodexProviderOptions["transport"];
  now?: () => number;
}

const TIERS = new Set(["auto", "default", "flex", "priority"]);

/** The route's web search settings when core decided on the native tool, else undefined. */
function nativeWebSearch(route: CodexRouteLike): CodexWebSearch | undefined {
  const web = route.webSearch;
  if (web?.status !== "native") return undefined;
  return {
    ...(web.mode ? { mode: web.mode } : {}),
    ...(web.contextSize ? { contextSize: web.contextSize } : {}),
    ...(web.allowedDomains ? { allowedDomains: web.allowedDomains } : {}),
  };
}

/**
 * A factory for the runtime: `createAgent({ providers: { "openai-codex": createCodexStreamers() } })`.
 * One credential manager (single-flight refresh) is shared by every route; one provider
 * (transport, WebSocket pool) is kept per backend URL, transport mode and warm-up setting.
 */
export function createCodexStreamers(options: CodexStreamersOptions = {}): ((route: CodexRouteLike) => CodexModelStreamer) & { close(): void } {
  const env = options.env ?? process.env;
  let credentials: Promise<CodexCredentialManager> | undefined;
  const providers = new Map<string, CodexProvider>();
  // Lazy: the config file is read (and the manager built) on the first turn, not at start-up.
  const manager = (): Promise<CodexCredentialManager> =>
    (credentials ??= (async () => {
      const settings = options.settings
        ? resolveCodexOAuthSettings(options.settings, env)
        : codexSettingsFromConfig(options.config ?? (await loadConfig({ env })).config, env);
      return new CodexCredentialManager({ store: codexCredentialStore(openAuthStore({ env })), settings, fetch: options.fetch, now: options.now });
    })().catch((error: unknown) => {
      credentials = undefined; // a fixed config file is picked up by the next turn
      throw error;
    }));
  // One manager (one single-flight refresh) behind every provider.
  const shared: CodexProviderOptions["credentials"] = {
    getCredentials: async (o) => (await manager()).getCredentials(o),
    handleUnauthorized: async (access, o) => (await manager()).handleUnauthorized(access, o),
  };
  const factory = (route: CodexRouteLike): CodexModelStreamer => {
    const warmup = route.params.openaiWsWarmup !== false;
    const native = route.endpointClass === undefined ? undefined : route.endpointClass === "native-codex";
    const key = `${route.baseUrl}\u0000${route.transport}\u0000${warmup}\u0000${native}`;
    let provider = providers.get(key);
    if (!provider) {
      const settings = resolveCodexOAuthSettings({ ...options.settings, codexBaseUrl: route.baseUrl }, env);
      provider = createCodexProvider({
        credentials: shared, settings, mode: route.transport, warmup, fetch: options.fetch, WebSocket: options.WebSocket, transport: options.transport,
        ...(native === undefined ? {} : { native }),
      });
      providers.set(key, provider);
    }
    const bound = provider;
    const webSearch = nativeWebSearch(route);
    return {
      streamTurn(request, turn) {
        const tier = request.serviceTier ?? route.serviceTier;
        return bound.streamTurn(
          {
            model: route.modelId,
            sessionId: turn.sessionId,
            ...(turn.turnId ? { turnId: turn.turnId } : {}),
            ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
            input: request.input as CodexInputItem[],
            ...(request.tools ? { tools: request.tools } : {}),
            ...(request.reasoning ? { reasoning: request.reasoning } : {}),
            ...(request.text ? { text: request.text } : {}),
            ...(tier && TIERS.has(tier) ? { serviceTier: tier as "auto" | "default" | "flex" | "priority" } : {}),
            ...(webSearch ? { webSearch } : {}),
          },
          { signal: turn.signal },
        );
      },
      state() {
        const s = bound.state();
        const now = (options.now ?? Date.now)();
        return {
          mode: route.transport,
          ...(s.lastTransport ? { lastTransport: s.lastTransport } : {}),
          wsDegraded: s.wsDegradedUntil !== undefined,
          ...(s.wsDegradedUntil !== undefined ? { degradedForMs: Math.max(0, s.wsDegradedUntil - now) } : {}),
        };
      },
      async warm(sessionId, warmOptions) {
        if (route.transport === "sse" || !warmup) return;
        await bound.warm(sessionId, route.modelId, warmOptions);
      },
      async close() {
        bound.close();
        providers.delete(key);
      },
    };
  };
  return Object.assign(factory, {
    close() {
      for (const p of providers.values()) p.close();
      providers.clear();
    },
  });
}
