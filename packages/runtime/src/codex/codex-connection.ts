import { createHash } from "node:crypto";
import {
  DEFAULT_OPENAI_BASE_URL,
  loadConfig,
  openAuthStore,
  resolveApiKey,
  resolveEnv,
  resolveGenesisHome,
  type GenesisConfig,
} from "@genesis/core";
import { CodexCredentialManager, codexCredentialStore, CODEX_PROVIDER_ID, DEFAULT_CODEX_BASE_URL, resolveCodexOAuthSettings } from "@genesis/codex-oauth";
import type { TurnRoute } from "../turn-runner.js";
import type { CodexAuthTokens } from "./_server-requests.js";
import type { CodexAuth } from "./client.js";
import type { CodexEndpoint } from "./codex-launch.js";

/** How one app-server reaches upstream: endpoint + auth, plus a stable id for pooling. */
export interface CodexConnection {
  endpoint?: CodexEndpoint;
  auth?: CodexAuth;
  /**
   * Equal ids share one app-server process. Holds no secret (keys are hashed).
   * Default: derived from the endpoint and auth kind.
   */
  id?: string;
}

/** Options of {@link genesisCodexConnection}. */
export interface GenesisCodexConnectionOptions {
  /** Environment (GENESIS_HOME, OPENAI_API_KEY, GENESIS_CODEX_*). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Use this config instead of reading the config file. */
  config?: GenesisConfig;
  /** Injected into token refreshes (tests). */
  fetch?: typeof fetch;
}

const fingerprint = (secret: string) => createHash("sha256").update(secret).digest("hex").slice(0, 12);

/** The ChatGPT backend root Codex expects (`…/backend-api/`), from Genesis's Codex base URL. */
function chatgptRoot(codexBaseUrl: string): string {
  return `${codexBaseUrl.replace(/\/+$/, "").replace(/\/codex$/, "")}/`;
}

/** Hand Genesis's Codex sign-in to the app-server, refreshing through the shared manager. */
export function codexAuthFromManager(manager: CodexCredentialManager): CodexAuth {
  let handed: string | undefined;
  const toTokens = (c: { access: string; accountId: string; planType?: string }): CodexAuthTokens => {
    handed = c.access;
    return { accessToken: c.access, accountId: c.accountId, ...(c.planType ? { planType: c.planType } : {}) };
  };
  return {
    kind: "chatgpt",
    getTokens: async () => toTokens(await manager.getCredentials()),
    // Codex asks after a 401: the token we handed over was rejected, so force a refresh.
    refresh: async () => toTokens(handed ? await manager.handleUnauthorized(handed) : await manager.getCredentials()),
  };
}

/**
 * The default connection resolver of the `codex` runtime, read fresh for each turn from
 * Genesis's config and auth store (never `~/.codex`):
 * - endpoint: the route's `baseUrl` (`models.providers.openai.baseUrl` / `OPENAI_BASE_URL`)
 *   when it is not OpenAI's own, with the resolved OpenAI API key;
 * - auth: a Codex sign-in in the auth store (handed over as tokens, with Codex's account and
 *   model calls sent to Genesis's Codex base URL when that is overridden), else the API key,
 *   else the app-server's own account.
 */
export function genesisCodexConnection(options: GenesisCodexConnectionOptions = {}): (route: TurnRoute) => Promise<CodexConnection> {
  const baseEnv = options.env ?? process.env;
  const store = openAuthStore({ env: baseEnv, home: resolveGenesisHome(baseEnv) });
  const managers = new Map<string, CodexCredentialManager>();
  return async (route) => {
    const config = options.config ?? (await loadConfig({ env: baseEnv })).config;
    const env = resolveEnv(config, baseEnv);
    const file = await store.read();
    const apiKey = resolveApiKey("openai", { file, env: baseEnv, config })?.key;
    const baseUrl = route.resolved?.baseUrl;
    const custom = baseUrl !== undefined && baseUrl.replace(/\/+$/, "") !== DEFAULT_OPENAI_BASE_URL;
    const urls = (config as { auth?: { openaiCodex?: { issuer?: string; codexBaseUrl?: string; clientId?: string } } }).auth?.openaiCodex;
    const signIn = file.profiles[CODEX_PROVIDER_ID];
    if (custom) {
      const endpoint: CodexEndpoint = { baseUrl, ...(apiKey ? { apiKey } : {}) };
      return { endpoint, ...(apiKey ? { auth: { kind: "apiKey", apiKey } } : {}), id: `custom:${baseUrl}:${apiKey ? fingerprint(apiKey) : "-"}` };
    }
    if (signIn?.kind === "oauth") {
      const settings = resolveCodexOAuthSettings({ issuer: urls?.issuer, codexBaseUrl: urls?.codexBaseUrl, clientId: urls?.clientId }, env);
      const key = `${settings.issuer}|${signIn.accountId}`;
      let manager = managers.get(key);
      if (!manager) {
        manager = new CodexCredentialManager({ store: codexCredentialStore(store), settings, ...(options.fetch ? { fetch: options.fetch } : {}) });
        managers.set(key, manager);
      }
      // An overridden Codex backend gets the model traffic too, not only the account calls.
      const own = settings.codexBaseUrl.replace(/\/+$/, "") === DEFAULT_CODEX_BASE_URL;
      const endpoint: CodexEndpoint = { chatgptBaseUrl: chatgptRoot(settings.codexBaseUrl), ...(own ? {} : { codexBaseUrl: settings.codexBaseUrl }) };
      return { endpoint, auth: codexAuthFromManager(manager), id: `chatgpt:${key}|${settings.codexBaseUrl}` };
    }
    if (apiKey) return { auth: { kind: "apiKey", apiKey }, id: `apikey:${fingerprint(apiKey)}` };
    return { auth: { kind: "app-server" }, id: "app-server" };
  };
}
