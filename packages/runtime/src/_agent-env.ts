import { statSync } from "node:fs";
import { join } from "node:path";
import {
  assertRouteReady,
  loadConfig,
  openAuthStore,
  resolveApiKey,
  resolveEnv,
  resolveConfigPath,
  resolveGenesisHome,
  resolveRoute,
  type AuthStore,
  type GenesisConfig,
  type Route,
  type SessionRecord,
} from "@genesis/core";

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

  constructor(options: AgentEnvOptions = {}) {
    this.#options = options;
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

  /** Resolve the route for a ref, honouring the session's recorded runtime and overrides. */
  route(snap: AgentSnapshot, ref: string, session?: Pick<SessionRecord, "runtime" | "overrides">): Route {
    return resolveRoute({ ref, config: snap.config, auth: snap.auth, session, env: snap.env });
  }

  /** The route, or a typed error naming what is missing (e.g. no key but a Codex sign-in). */
  readyRoute(snap: AgentSnapshot, ref: string, session?: Pick<SessionRecord, "runtime" | "overrides">): Route {
    return assertRouteReady(this.route(snap, ref, session));
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
