import { emptyUsage, GenesisError, overlayForRoute, type Route, type StreamEvent, type Usage } from "@genesis/core";
import {
  RUNTIME_LABELS,
  type AgentEvent,
  type RunTurnOptions,
  type TurnInput,
  type TurnRoute,
  type TurnRunner,
} from "../turn-runner.js";
import { CodexAppServerClient, type CodexAppServerClientOptions, type CodexThreadSettings } from "./client.js";
import { genesisCodexConnection, type CodexConnection } from "./codex-connection.js";
import { planCodexServiceTier, type CodexServiceTierPlan } from "./codex-service-tier.js";
import { CodexHarnessError } from "./errors.js";

/** Options of {@link createCodexTurnRunner}: the client's, plus thread defaults. */
export interface CodexTurnRunnerOptions extends CodexAppServerClientOptions {
  /** Reuse an existing client (and its process) for every turn. */
  client?: CodexAppServerClient;
  /**
   * Endpoint + auth per turn's route. Turns whose connections share an `id` share one
   * app-server. Default: {@link genesisCodexConnection} (Genesis config + auth store) unless
   * `endpoint`/`auth` are given, which then apply to every turn.
   */
  connect?: (route: TurnRoute) => CodexConnection | Promise<CodexConnection>;
  /**
   * Thread defaults (approval policy, sandbox); cwd/model/instructions come from each turn.
   * A `serviceTier` given here is sent as is on every turn instead of the one planned from the
   * route's fast mode / `serviceTier` (the runner then claims no tier in `turn.done` or `/status`).
   */
  thread?: Pick<CodexThreadSettings, "approvalPolicy" | "sandbox" | "serviceTier">;
}

/** The `codex` {@link TurnRunner}, with its clients and a required close. */
export interface CodexTurnRunner extends TurnRunner {
  /** The client of the most recent turn (its `pid`, `stop()`); undefined before the first. */
  readonly client: CodexAppServerClient | undefined;
  /** Stops every app-server the runner started; leaves a given `client` running. */
  close(): Promise<void>;
}

// Sessions whose tier note is remembered; a long-lived host must not keep one per session ever run.
const MAX_TOLD = 1_000;

/** The key under which the Codex thread id is stored in a session's runner state. */
export const CODEX_THREAD_STATE_KEY = "codexThreadId";

function toolResult(item: Record<string, unknown>): AgentEvent | undefined {
  const id = String(item.id ?? "");
  if (item.type === "codex.commandExecution") {
    const ok = item.status === "completed" && (item.exitCode === 0 || item.exitCode === null);
    return { type: "tool.result", callId: id, name: "shell", output: String(item.aggregatedOutput ?? item.status ?? ""), isError: !ok };
  }
  if (item.type === "codex.fileChange") {
    return { type: "tool.result", callId: id, name: "apply_patch", output: String(item.status ?? ""), isError: item.status !== "completed" };
  }
  return undefined;
}

/**
 * The `codex` runtime: runs each turn inside ONE shared `codex app-server`. A session's first
 * turn starts a Codex thread and reports its id as runner state (`codexThreadId`); later turns,
 * also in a new process, resume that thread. The turn's instructions (the GPT-5 behaviour
 * contract) become the thread's developer instructions; Codex keeps the rest of its prompt.
 */
export function createCodexTurnRunner(options: CodexTurnRunnerOptions = {}): CodexTurnRunner {
  const pool = new Map<string, CodexAppServerClient>();
  let last: CodexAppServerClient | undefined = options.client;
  const fixed = options.endpoint !== undefined || options.auth !== undefined;
  const connect = options.connect ?? (fixed ? undefined : genesisCodexConnection({ env: options.env }));
  // Tier ids Codex's catalog offers per model (last answer seen), for /status between turns.
  const knownTiers = new Map<string, readonly string[]>();
  // Sessions already told that their tier does not reach the wire (one notice per reason).
  // Only sessions with a standing note are kept, and at most MAX_TOLD of them (oldest dropped).
  const told = new Map<string, string>();
  const tell = (sessionId: string, note: string | undefined): boolean => {
    if (note === undefined) {
      told.delete(sessionId);
      return false;
    }
    if (told.get(sessionId) === note) return false;
    told.delete(sessionId);
    told.set(sessionId, note);
    if (told.size > MAX_TOLD) told.delete(told.keys().next().value!);
    return true;
  };
  // An explicit thread.serviceTier is the host's choice: it is sent instead of the plan.
  const fixedTier = options.thread?.serviceTier;

  async function tierPlan(client: CodexAppServerClient, route: Route): Promise<CodexServiceTierPlan> {
    // Only priority depends on the model's catalog entry; skip the lookup otherwise.
    const tiers = route.serviceTier === "priority" ? await client.modelServiceTiers(route.modelId) : undefined;
    if (tiers) knownTiers.set(route.modelId, tiers);
    return planCodexServiceTier(route.serviceTier, route.modelId, tiers);
  }

  async function clientFor(route: TurnRoute): Promise<CodexAppServerClient> {
    if (options.client) return options.client;
    const conn: CodexConnection = connect ? await connect(route) : { endpoint: options.endpoint, auth: options.auth };
    const id = conn.id ?? `${conn.endpoint?.baseUrl ?? "openai"}|${conn.auth?.kind ?? "default"}`;
    let client = pool.get(id);
    if (!client) {
      client = new CodexAppServerClient({ ...options, endpoint: conn.endpoint, auth: conn.auth });
      pool.set(id, client);
    }
    return (last = client);
  }

  async function* runTurn(input: TurnInput<TurnRoute>, runOptions: RunTurnOptions = {}): AsyncGenerator<AgentEvent> {
    const signal = runOptions.signal;
    yield { type: "turn.started", sessionId: input.sessionId, turnId: input.turnId, runtime: "codex", model: input.route.model };
    // With a resolved route only the GPT-5 behaviour contract (plus the friendly layer when on)
    // goes over; Codex keeps its own base prompt. Without one, the caller's instructions do.
    const resolved = input.route.resolved;
    const developerInstructions = resolved ? overlayForRoute(resolved)?.text : input.instructions || undefined;
    const settings: CodexThreadSettings = {
      cwd: input.cwd,
      model: input.route.model,
      ...(developerInstructions ? { developerInstructions } : {}),
      ...options.thread,
    };
    let text = "";
    let usage: Usage = emptyUsage();
    let steps = 0;
    try {
      const client = await clientFor(input.route);
      // Without a resolved route nothing is known about fast mode: Codex keeps its own tier.
      const tier = resolved && fixedTier === undefined ? await tierPlan(client, resolved) : undefined;
      if (tier) settings.serviceTier = tier.codexTier;
      if (tier && tell(input.sessionId, tier.sent === undefined ? tier.note : undefined)) {
        yield { type: "notice", message: `service_tier ${tier.requested} ${tier.note}` };
      }
      let threadId = input.runnerState[CODEX_THREAD_STATE_KEY];
      if (typeof threadId !== "string" || threadId === "") {
        threadId = await client.startThread(settings);
        yield { type: "runner.state", state: { [CODEX_THREAD_STATE_KEY]: threadId } };
      }
      yield { type: "item", item: { type: "message", role: "user", content: input.message } };
      for await (const event of client.runTurn({ threadId: threadId as string, text: input.message, settings, signal }) as AsyncIterable<StreamEvent>) {
        switch (event.type) {
          case "response.started":
            steps++;
            yield { type: "step.started", step: steps, transport: "app-server" };
            break;
          case "text.delta":
            yield { type: "text.delta", delta: event.delta };
            break;
          case "text.done":
            text = event.text;
            break;
          case "reasoning.delta":
            yield { type: "reasoning.delta", delta: event.delta };
            break;
          case "tool_call.done":
            yield { type: "tool.call", callId: event.callId, name: event.name, arguments: event.arguments };
            break;
          case "item.done": {
            const result = toolResult(event.item);
            if (result) yield result;
            yield { type: "item", item: event.item };
            break;
          }
          case "usage":
            yield { type: "usage", usage: event.usage };
            break;
          case "response.done":
            usage = event.usage;
            if (event.status === "incomplete") {
              yield { type: "turn.done", outcome: signal?.aborted ? "aborted" : "incomplete", text, usage, steps, reason: event.reason, transport: "app-server" };
              return;
            }
            yield { type: "turn.done", outcome: "completed", text, usage, steps, transport: "app-server", ...(tier?.sent ? { serviceTier: tier.sent } : {}) };
            return;
          default:
            break;
        }
      }
      throw new CodexHarnessError("codex_turn_failed", "The Codex turn ended without completing.");
    } catch (error) {
      if (!GenesisError.isInstance(error)) throw error;
      if (error.code === "invalid_argument") throw error;
      yield { type: "turn.done", outcome: "failed", text, usage, steps, reason: error.message, errorCode: error.code, transport: "app-server" };
    }
  }

  return {
    id: "codex",
    label: RUNTIME_LABELS.codex,
    get client() {
      return last;
    },
    runTurn,
    status: (_sessionId, route) => ({
      transport: "app-server",
      lastTransport: "app-server",
      ...(route && fixedTier === undefined ? { serviceTier: planCodexServiceTier(route.serviceTier, route.modelId, knownTiers.get(route.modelId)) } : {}),
      ...(route && fixedTier !== undefined ? { serviceTier: { note: `set by the host (thread.serviceTier ${JSON.stringify(fixedTier)}); Codex decides what reaches the wire` } } : {}),
    }),
    close: async () => {
      const clients = [...pool.values()];
      pool.clear();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
