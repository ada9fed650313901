import { randomUUID } from "node:crypto";
import { RouteError, type Route, type RuntimeId, type SessionRecord, type SessionStore } from "@genesis/core";
import type { OpenAIProviderOptions } from "@genesis/openai";
import { registerCodexCatalogRecovery } from "@genesis/codex-oauth";
import { AgentEnv, type AgentEnvOptions, type AgentSnapshot } from "./_agent-env.js";
import { StreamerPool, type ProviderFactory } from "./_model-streamers.js";
import { lazyCodexRunner } from "./_lazy-codex-runner.js";
import { JsonlSessionStore } from "./jsonl-session-store.js";
import { ToolRegistry, type ToolDefinition } from "./tool-registry.js";
import { builtinTools } from "./builtin-tools.js";
import { mediaTools } from "./_media-tools.js";
import { createPiRunner } from "./pi-runner.js";
import { toTurnRoute, type AgentEvent, type TurnRunner, type TurnOutcome } from "./turn-runner.js";
import { buildInstructions, budgetHistory } from "./_turn-prep.js";
import { ENTRY_ITEM, ENTRY_RUNNER_STATE, ENTRY_TURN, runnerStateOf, transcriptOf } from "./_session-entries.js";
import { buildStatus, type AgentStatus } from "./agent-status.js";
import { failoverChain, reportingFailures, runWithFailover } from "./_model-failover.js";

/** Re-exported for the `providers` option. */
export type { ProviderFactory };

/** Options of {@link createAgent}. */
export interface AgentOptions extends AgentEnvOptions {
  /** Session storage; default JSONL files under `$GENESIS_HOME/sessions`. */
  store?: SessionStore;
  /**
   * Tools offered to the model; default a registry holding `get_time`, `read_file`,
   * `image_generate` and `video_generate` (the media tools read config and credentials per call).
   */
  tools?: ToolRegistry;
  /** Root for file tools. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Runtime implementations by id, replacing the defaults: `pi` is the built-in loop; `codex` is
   * the Codex app-server harness (`createCodexTurnRunner({ env })`), imported on the first codex
   * turn, so the `codex` binary is only needed when a codex session runs.
   */
  runners?: Partial<Record<RuntimeId, TurnRunner>>;
  /**
   * Streamers by provider id, replacing the built-in ones (`openai`-style via @genesis/openai,
   * `openai-codex` via @genesis/codex-oauth). A streamer's `warm(sessionId)` is called before a
   * session's first turn, as for the built-ins.
   */
  providers?: Record<string, ProviderFactory>;
  /** Injected into every `openai/*`-style provider (tests, custom sockets). */
  fetch?: typeof globalThis.fetch;
  WebSocket?: OpenAIProviderOptions["WebSocket"];
  transportOptions?: OpenAIProviderOptions["transportOptions"];
  /** Base system prompt; the GPT-5 overlay is appended when the route calls for it. */
  systemPrompt?: string;
}

/** One finished turn, as {@link Agent.run} returns it. */
export interface AgentRunResult {
  sessionId: string;
  outcome: TurnOutcome;
  text: string;
  events: AgentEvent[];
  done: Extract<AgentEvent, { type: "turn.done" }>;
}

/** A Genesis agent: sessions, tools and runtimes behind one object. See {@link createAgent}. */
export interface Agent {
  readonly tools: ToolRegistry;
  readonly store: SessionStore;
  /** Start a session; the runtime is resolved now (from config) and recorded for its lifetime. */
  createSession(options?: { model?: string; id?: string }): Promise<SessionRecord>;
  /**
   * Run one turn in an existing session, yielding events that end with one `turn.done`
   * (model/tool/transport failures and aborts are reported there). Throws a typed error before
   * the first event when the turn cannot start: unknown session, route not ready (e.g.
   * `api_key_missing`, whose hint names `openai-codex/*` when a Codex sign-in exists), or a
   * runtime this agent was not given.
   */
  send(sessionId: string, message: string, options?: { signal?: AbortSignal }): AsyncIterable<AgentEvent>;
  /** Convenience: create the session if needed, run one turn, collect the events. */
  run(message: string, options?: { sessionId?: string; model?: string; signal?: AbortSignal; onEvent?: (e: AgentEvent) => void }): Promise<AgentRunResult>;
  status(sessionId: string): Promise<AgentStatus>;
  /** Set a session override (e.g. `fastMode`); it wins over config for this session only. */
  setOverride(sessionId: string, key: string, value: unknown): Promise<void>;
  /** Clear a session override so the configured default applies again. */
  clearOverride(sessionId: string, key: string): Promise<void>;
  /** Switch the session's model (kept as the `modelRef` override). */
  setModel(sessionId: string, ref: string): Promise<Route>;
  /** The route the session's next turn will use. */
  route(sessionId: string): Promise<Route>;
  close(): Promise<void>;
}

/** Session override key holding a `/model` switch. */
export const MODEL_OVERRIDE = "modelRef";

/**
 * Create an agent. Config and credentials are read fresh for every turn and status call, so
 * edits apply to the next turn; a session's runtime is fixed when the session is created
 * (use a new session to pick up an `embeddedHarness` change).
 */
export function createAgent(options: AgentOptions = {}): Agent {
  // openai-codex/gpt-5.5 must keep routing for scheduled, sub-agent and default-model runs even
  // when discovery omits it; registering is idempotent, and done here rather than on import.
  registerCodexCatalogRecovery();
  const envs = new AgentEnv(options);
  const store = options.store ?? new JsonlSessionStore({ dir: envs.sessionsDir });
  const tools = options.tools ?? registryWithBuiltins(mediaTools({ snapshot: () => envs.snapshot(), ...(options.fetch ? { fetch: options.fetch } : {}) }));
  const cwd = options.cwd ?? process.cwd();
  const streamers = new StreamerPool({ ...options, env: envs.env });
  const current = new Map<string, Route>();
  const snapshots = new Map<string, AgentSnapshot>();
  // What the running turn's model streamer threw, per session: decides whether a fallback may answer.
  const failures = new Map<string, unknown>();

  const runners: Partial<Record<RuntimeId, TurnRunner>> = { ...options.runners };
  runners.pi ??= createPiRunner({
    provider: async (r, ctx) => {
      const route = r.resolved!;
      const snap = snapshots.get(ctx.sessionId) ?? (await envs.snapshot());
      try {
        const apiKey = await envs.apiKey(snap, route.provider);
        const streamer = await streamers.get(route, ctx.sessionId, apiKey, () => current.get(ctx.sessionId) ?? route);
        return reportingFailures(streamer, (error) => failures.set(ctx.sessionId, error));
      } catch (error) {
        failures.set(ctx.sessionId, error);
        throw error;
      }
    },
  });
  // The Codex harness reads the same config file the agent does.
  runners.codex ??= lazyCodexRunner({ env: options.configPath ? { ...envs.env, GENESIS_CONFIG: options.configPath } : envs.env });
  const runnerFor = (id: RuntimeId): TurnRunner => {
    const runner = runners[id];
    if (runner) return runner;
    throw new RouteError("runtime_unavailable", `This session runs on the '${id}' runtime, which this agent does not have.`, {
      hint: "Pass runners: { [id]: ... } to createAgent, or start a new session (/new) on the default runtime.",
    });
  };

  async function load(sessionId: string, withEntries = false) {
    // One round of parallel reads: the session, its transcript and the config/auth stamps.
    const [record, entries, snap] = await Promise.all([
      store.get(sessionId),
      withEntries ? store.readEntries(sessionId).catch(() => []) : undefined,
      envs.snapshot(),
    ]);
    if (!record) throw new RouteError("session_not_found", `no session '${sessionId}'`, { hint: "Omit the session id to start a new one." });
    const ref = typeof record.overrides[MODEL_OVERRIDE] === "string" ? (record.overrides[MODEL_OVERRIDE] as string) : record.modelRef;
    return { record, snap, ref, entries: entries ?? [] };
  }

  const agent: Agent = {
    tools,
    store,
    async createSession(opts = {}) {
      const snap = await envs.snapshot();
      const ref = opts.model ?? envs.defaultModel(snap);
      const route = await envs.resolve(snap, ref);
      return store.create({ ...(opts.id ? { id: opts.id } : {}), runtime: route.runtime, harnessId: route.runtime === "codex" ? "codex-app-server" : "pi", modelRef: route.ref });
    },
    async *send(sessionId, message, sendOptions = {}) {
      const { record, snap, ref, entries } = await load(sessionId, true);
      const list = tools.list();
      const turnId = randomUUID();
      const history = transcriptOf(entries);
      const runnerState = runnerStateOf(entries, record.codexThreadId);
      let route: Route | undefined;
      // One attempt per model of the failover chain; each resolves its own route, prompt and budget.
      const start = async (attemptRef: string) => {
        failures.delete(sessionId);
        const attempt = await envs.readyRoute(snap, attemptRef, record);
        // A fallback may resolve to another runtime (openai-codex/* always runs on pi): it runs
        // there, and only a runner of the session's own runtime gets the session's runner state.
        const runner = runnerFor(attempt.runtime);
        route = attempt;
        current.set(sessionId, attempt);
        snapshots.set(sessionId, snap);
        const instructions = buildInstructions(attempt, options.systemPrompt);
        const fitted = budgetHistory(history, attempt, instructions, list, message);
        return runner.runTurn(
          {
            sessionId, turnId, route: toTurnRoute(attempt), message, instructions, history: fitted.items, tools: list, params: { ...attempt.params },
            runnerState: attempt.runtime === record.runtime ? runnerState : {}, cwd,
          },
          { signal: sendOptions.signal },
        );
      };
      const chain = failoverChain(ref, envs.defaultModel(snap), envs.fallbackModels(snap));
      const batch: { type: string; at: number; [k: string]: unknown }[] = [];
      let done: Extract<AgentEvent, { type: "turn.done" }> | undefined;
      try {
        for await (const event of runWithFailover(chain, { start, lastError: () => failures.get(sessionId), signal: sendOptions.signal })) {
          if (event.type === "item") batch.push({ type: ENTRY_ITEM, at: Date.now(), turnId, item: event.item });
          else if (event.type === "runner.state") {
            batch.push({ type: ENTRY_RUNNER_STATE, at: Date.now(), state: event.state });
            if (typeof event.state.codexThreadId === "string") await store.setCodexThreadId(sessionId, event.state.codexThreadId);
          } else if (event.type === "turn.done") done = event;
          yield event;
        }
      } finally {
        // Only needed while the turn runs; a long-lived agent must not keep one per session.
        current.delete(sessionId);
        snapshots.delete(sessionId);
        failures.delete(sessionId);
        if (done) {
          batch.push({
            type: ENTRY_TURN, at: Date.now(), turnId, outcome: done.outcome, usage: done.usage, model: done.model ?? route?.ref ?? ref,
            ...(done.transport ? { transport: done.transport } : {}), ...(done.failover ? { failover: done.failover } : {}),
          });
        }
        if (batch.length > 0 || done) await store.appendEntries(sessionId, batch);
      }
    },
    async run(message, runOptions = {}) {
      const sessionId = runOptions.sessionId ?? (await agent.createSession(runOptions.model ? { model: runOptions.model } : {})).id;
      if (runOptions.sessionId && runOptions.model) await agent.setModel(sessionId, runOptions.model);
      const events: AgentEvent[] = [];
      let done: Extract<AgentEvent, { type: "turn.done" }> | undefined;
      for await (const event of agent.send(sessionId, message, { signal: runOptions.signal })) {
        events.push(event);
        runOptions.onEvent?.(event);
        if (event.type === "turn.done") done = event;
      }
      return { sessionId, outcome: done!.outcome, text: done!.text, events, done: done! };
    },
    async status(sessionId) {
      const { record, snap, ref, entries } = await load(sessionId, true);
      const route = await envs.resolve(snap, ref, record);
      return buildStatus({ record, route, entries, snap, runner: runners[record.runtime]?.status?.(sessionId, route) });
    },
    async setOverride(sessionId, key, value) {
      await store.setOverride(sessionId, key, value);
    },
    async clearOverride(sessionId, key) {
      await store.clearOverride(sessionId, key);
    },
    async setModel(sessionId, ref) {
      const { record, snap } = await load(sessionId);
      const route = await envs.resolve(snap, ref, record);
      await store.setOverride(sessionId, MODEL_OVERRIDE, route.ref);
      return route;
    },
    async route(sessionId) {
      const { record, snap, ref } = await load(sessionId);
      return envs.resolve(snap, ref, record);
    },
    async close() {
      await streamers.close();
      await (store as { close?: () => Promise<void> }).close?.();
      for (const runner of Object.values(runners)) await runner?.close?.();
    },
  };
  return agent;
}

function registryWithBuiltins(extra: ToolDefinition[]): ToolRegistry {
  const registry = new ToolRegistry();
  for (const tool of [...builtinTools(), ...extra]) registry.register(tool);
  return registry;
}
