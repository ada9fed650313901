import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import {
  assertRouteReady,
  GenesisError,
  redactSecrets,
  RouteError,
  tryParseModelRef,
  loadConfig,
  openAuthStore,
  resolveApiKey,
  resolveEnv,
  resolveConfigPath,
  resolveGenesisHome,
  resolveRoute,
  type AuthStore,
  type GenesisConfig,
  type LiveModel,
  type Route,
  type SessionRecord,
} from "@genesis/core";
import { listCodexLive, listOpenAILive } from "./_live-models.js";

/** Where the agent reads config and credentials from. */
export interface AgentEnvOptions {
  /** Environment (GENESIS_HOME, OPENAI_API_KEY, ...). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; default `$GENESIS_CONFIG`, else `$GENESIS_HOME/genesis.json5`. */
  configPath?: string;
  /** A config object to use instead of reading the file (embedding apps). */
  config?: GenesisConfig;
}

/** One consistent read of config + credentials, taken at the start of each turn. */
export interface AgentSnapshot {
  config: GenesisConfig;
  env: NodeJS.ProcessEnv;
  auth: Awaited<ReturnType<AuthStore["snapshot"]>>;
  authStore: AuthStore;
}

/** The model a new session starts with when none is given. */
export const DEFAULT_MODEL_REF = "openai/gpt-5.4";

/**
 * Identity of a file's current content: changes on every write (atomic renames change the
 * inode). Synchronous on purpose: one `stat` is microseconds, an async one is a thread-pool
 * round trip on every turn (see bench/turn-overhead).
 */
function fileStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Reads config and auth for each turn, so `/new` and the next turn see config edits. The parsed
 * result is reused while neither file changed (checked with one `stat` each), which keeps the
 * per-turn cost of "always fresh" to microseconds.
 */
export class AgentEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly #options: AgentEnvOptions;
  readonly #authStore: AuthStore;
  #cache: { stamp: string; snap: AgentSnapshot; keys: Map<string, string | undefined> } | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #liveTimeoutMs: number | undefined;
  // Live model listings by provider + endpoint + credential (hashed): a success is kept for the
  // agent's life, a failure is not (the next blocked turn asks again).
  readonly #live = new Map<string, readonly LiveModel[]>();
  readonly #liveLoading = new Map<string, Promise<readonly LiveModel[]>>();

  constructor(options: AgentEnvOptions & { fetch?: typeof globalThis.fetch; liveTimeoutMs?: number } = {}) {
    this.#options = options;
    this.#fetch = options.fetch;
    this.#liveTimeoutMs = options.liveTimeoutMs;
    this.env = options.env ?? process.env;
    this.home = resolveGenesisHome(this.env);
    this.#authStore = openAuthStore({ env: this.env, home: this.home });
  }

  get sessionsDir(): string {
    return join(this.home, "sessions");
  }

  async snapshot(): Promise<AgentSnapshot> {
    const configPath = this.#options.configPath ?? resolveConfigPath(this.env);
    const a = this.#options.config ? "given" : fileStamp(configPath);
    const b = fileStamp(this.#authStore.path);
    const stamp = `${a}|${b}`;
    if (this.#cache?.stamp === stamp) return this.#cache.snap;
    const config = this.#options.config ?? (await loadConfig({ env: this.env, path: configPath })).config;
    const env = resolveEnv(config, this.env);
    const auth = await this.#authStore.snapshot(this.env, config);
    const snap = { config, env, auth, authStore: this.#authStore };
    this.#cache = { stamp, snap, keys: new Map() };
    return snap;
  }

  /** The configured default model (`agents.defaults.model.primary`), else {@link DEFAULT_MODEL_REF}. */
  defaultModel(snap: AgentSnapshot): string {
    const primary = (snap.config as { agents?: { defaults?: { model?: { primary?: unknown } } } }).agents?.defaults?.model?.primary;
    return typeof primary === "string" && primary.trim() ? primary.trim() : DEFAULT_MODEL_REF;
  }

  /** `agents.defaults.model.fallbacks`: refs tried in order when a turn on the primary fails before any output. */
  fallbackModels(snap: AgentSnapshot): string[] {
    const fallbacks = (snap.config as { agents?: { defaults?: { model?: { fallbacks?: unknown } } } }).agents?.defaults?.model?.fallbacks;
    return Array.isArray(fallbacks) ? fallbacks.filter((f): f is string => typeof f === "string" && f.trim() !== "").map((f) => f.trim()) : [];
  }

  /**
   * Resolve the route for a ref, honouring the session's recorded runtime and overrides. A live
   * model listing this agent already fetched (see {@link resolve}) is applied when the route
   * would otherwise be blocked by it.
   */
  route(snap: AgentSnapshot, ref: string, session?: Pick<SessionRecord, "runtime" | "overrides">): Route {
    const options = { ref, config: snap.config, auth: snap.auth, session, env: snap.env };
    let route: Route;
    try {
      route = resolveRoute(options);
    } catch (error) {
      const live = this.#live.get(this.#codexKey(snap, ref, error) ?? "");
      if (live) return resolveRoute({ ...options, live });
      throw error;
    }
    const live = onlyNotApiEnabled(route) ? this.#live.get(this.#openaiKeySync(snap, route) ?? "") : undefined;
    return live ? resolveRoute({ ...options, live }) : route;
  }

  /**
   * {@link route}, but a route blocked only because the catalog does not know the model yet is
   * checked against the provider's live listing (once per agent, bounded by a timeout), as
   * `genesis models route` does: `model_not_api_enabled` on `openai/*` with an API key
   * (`GET /v1/models`), `unknown_model` on `openai-codex/*` with a Codex sign-in (the Codex
   * backend's `/models`). When the listing fails the original error stands, with a note saying so.
   */
  async resolve(snap: AgentSnapshot, ref: string, session?: Pick<SessionRecord, "runtime" | "overrides">): Promise<Route> {
    const options = { ref, config: snap.config, auth: snap.auth, session, env: snap.env };
    let route: Route;
    try {
      route = this.route(snap, ref, session);
    } catch (error) {
      const key = this.#codexKey(snap, ref, error);
      if (!key || this.#live.has(key)) throw error;
      const live = await this.#listing(key, () => listCodexLive(this.#liveInput(snap))).catch((why: unknown) => {
        throw withLiveNote(error, "openai-codex", why);
      });
      return resolveRoute({ ...options, live });
    }
    if (!onlyNotApiEnabled(route) || route.authKind !== "api_key") return route;
    const apiKey = await this.apiKey(snap, "openai");
    if (!apiKey) return route;
    const key = liveKey("openai", route.baseUrl, apiKey);
    let live = this.#live.get(key);
    try {
      live ??= await this.#listing(key, () => listOpenAILive({ ...this.#liveInput(snap), apiKey, baseUrl: route.baseUrl }));
    } catch (why) {
      return { ...route, blockers: route.blockers.map((b) => ({ ...b, message: `${b.message} ${liveNote("openai", why)}` })) };
    }
    return resolveRoute({ ...options, live });
  }

  /** The route, or a typed error naming what is missing (e.g. no key but a Codex sign-in). */
  async readyRoute(snap: AgentSnapshot, ref: string, session?: Pick<SessionRecord, "runtime" | "overrides">): Promise<Route> {
    return assertRouteReady(await this.resolve(snap, ref, session));
  }

  #liveInput(snap: AgentSnapshot) {
    return { config: snap.config, env: snap.env, authStore: snap.authStore, fetch: this.#fetch, timeoutMs: this.#liveTimeoutMs };
  }

  // One request per key at a time; only a success is remembered.
  async #listing(key: string, list: () => Promise<readonly LiveModel[]>): Promise<readonly LiveModel[]> {
    let loading = this.#liveLoading.get(key);
    if (!loading) {
      loading = list().finally(() => this.#liveLoading.delete(key));
      this.#liveLoading.set(key, loading);
    }
    const live = await loading;
    this.#live.set(key, live);
    return live;
  }

  // The cache key of the Codex listing when `error` is an unknown openai-codex/* model while signed in.
  #codexKey(snap: AgentSnapshot, ref: string, error: unknown): string | undefined {
    if (!(error instanceof RouteError) || error.code !== "unknown_model") return undefined;
    if (tryParseModelRef(ref)?.provider !== "openai-codex") return undefined;
    const signIn = (snap.auth as { oauth?: Record<string, { accountId?: string } | undefined> }).oauth?.["openai-codex"];
    if (!signIn) return undefined;
    const base = snap.config.models?.providers?.["openai-codex"]?.baseUrl ?? snap.config.auth?.openaiCodex?.codexBaseUrl ?? snap.env.GENESIS_CODEX_BASE_URL ?? "";
    return liveKey("openai-codex", base, signIn.accountId ?? "");
  }

  // The openai listing's key from the key cache only (route() stays synchronous).
  #openaiKeySync(snap: AgentSnapshot, route: Route): string | undefined {
    const apiKey = this.#cache?.snap === snap ? this.#cache.keys.get("openai") : undefined;
    return apiKey ? liveKey("openai", route.baseUrl, apiKey) : undefined;
  }

  /** The API key for a provider (config > env > store). Never logged. */
  async apiKey(snap: AgentSnapshot, provider: string): Promise<string | undefined> {
    const keys = this.#cache?.snap === snap ? this.#cache.keys : undefined;
    if (keys?.has(provider)) return keys.get(provider);
    const file = await snap.authStore.read();
    const key = resolveApiKey(provider, { file, env: this.env, config: snap.config })?.key;
    keys?.set(provider, key);
    return key;
  }
}

function onlyNotApiEnabled(route: Route): boolean {
  return route.provider === "openai" && route.blockers.length > 0 && route.blockers.every((b) => b.code === "model_not_api_enabled");
}

function liveKey(provider: string, base: string, credential: string): string {
  return `${provider}\u0000${base}\u0000${createHash("sha256").update(credential).digest("hex")}`;
}

function liveNote(provider: string, why: unknown): string {
  const e = why as { describe?: () => string; message?: unknown };
  const line = typeof e?.describe === "function" ? e.describe().split("\n")[0]! : String(e?.message ?? why);
  return `(Checking the live ${provider} model listing failed: ${redactSecrets(line)}.)`;
}

// The route's own error, with a note that the live check could not confirm the model.
function withLiveNote(error: unknown, provider: string, why: unknown): unknown {
  if (!GenesisError.isInstance(error)) return error;
  return new RouteError(error.code, `${error.message} ${liveNote(provider, why)}`, {
    ...(error instanceof RouteError && error.ref ? { ref: error.ref } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}
