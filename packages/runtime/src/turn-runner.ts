import type { OutputItem, Route, RuntimeId, TransportKind, Usage } from "@genesis/core";
import type { ToolDefinition } from "./tool-registry.js";
import type { FailoverAttempt } from "./_model-failover.js";

/**
 * The contract between a session and whatever runs its turns.
 *
 * Two runtimes implement it: `pi` (Genesis's own agent loop over the Responses API, in this
 * package) and `codex` (the Codex app-server harness, `src/codex/**`). A session records its
 * runtime id when it is created and every later turn is sent to the runner with that id, so a
 * config change never switches the runtime under an existing transcript.
 */

/** Runtime ids a session can record (core's `RuntimeId`). */
export type { RuntimeId };

/** Human labels `/status` prints for each runtime. */
export const RUNTIME_LABELS: Readonly<Record<RuntimeId, string>> = {
  pi: "Genesis Pi Default",
  codex: "OpenAI Codex",
};

/**
 * The slice of a resolved route a runner needs, built from core's `Route` by
 * {@link toTurnRoute}. Note `model` here is the wire model id (core's `Route.modelId`).
 */
export interface TurnRoute {
  /** The canonical model ref, e.g. `openai/gpt-5.4`. */
  ref: string;
  /** Provider id, e.g. `openai`, `openai-codex`. */
  provider: string;
  /** The provider's model id (what goes on the wire as `model`). */
  model: string;
  runtime: RuntimeId;
  /** `strict-agentic` turns on the strict-agentic contract (pi runtime, GPT-5 family only). */
  executionContract?: string;
  /** The full resolved route, when the caller has one (endpoint class, params, overlays...). */
  resolved?: Route;
}

/** Build a {@link TurnRoute} from a resolved core `Route`. */
export function toTurnRoute(route: Route): TurnRoute {
  return { ref: route.ref, provider: route.provider, model: route.modelId, runtime: route.runtime, executionContract: route.executionContract, resolved: route };
}

/** One transcript entry replayed to the model: a user/assistant message or a Responses item. */
export type TranscriptItem =
  | { type: "message"; role: "user" | "assistant" | "developer" | "system"; content: string }
  | OutputItem;

/** Everything a runner needs to run one turn. */
export interface TurnInput<R extends TurnRoute = TurnRoute> {
  sessionId: string;
  /** Per-turn id (UUID); also sent as the transport's turn identity. */
  turnId: string;
  route: R;
  /** The user's message for this turn. */
  message: string;
  /** System/developer instructions, already including the GPT-5 overlay when it applies. */
  instructions: string;
  /** Earlier turns of this session, oldest first, already trimmed to the context budget. */
  history: readonly TranscriptItem[];
  /** Tools the model may call this turn (name → definition with JSON-schema parameters). */
  tools: readonly ToolDefinition[];
  /** Session-effective params (config < session override), e.g. `{ fastMode: true }`. */
  params: Readonly<Record<string, unknown>>;
  /**
   * Opaque state the runner stored on this session earlier (via a `runner.state` event),
   * e.g. the Codex thread id. Empty on a session's first turn.
   */
  runnerState: Readonly<Record<string, unknown>>;
  /** Working directory tools should treat as their root. */
  cwd: string;
}

/** Why a turn ended. `blocked` = strict-agentic gave up on a model that only plans. */
export type TurnOutcome = "completed" | "incomplete" | "failed" | "aborted" | "blocked";

/**
 * What a runner reports while a turn runs. The session layer persists `item`, `runner.state`
 * and `turn.done`; the CLI prints the rest.
 */
export type AgentEvent =
  | { type: "turn.started"; sessionId: string; turnId: string; runtime: RuntimeId; model: string }
  | { type: "step.started"; step: number; transport?: TransportKind }
  | { type: "text.delta"; delta: string }
  | { type: "reasoning.delta"; delta: string }
  | { type: "tool.call"; callId: string; name: string; arguments: string }
  | { type: "tool.result"; callId: string; name: string; output: string; isError: boolean }
  /** The model called `update_plan` (strict-agentic) or the harness reported a plan. */
  | { type: "plan.updated"; plan: readonly { step: string; status: string }[]; explanation?: string }
  /** Strict-agentic: a plan-only reply did not count; the turn is retried with a steer. */
  | { type: "turn.retry"; reason: "plan_only"; attempt: number }
  /** A transcript item to append (user message, assistant output, tool output, compaction). */
  | { type: "item"; item: TranscriptItem }
  /** Runner-private state to merge into the session (persisted; given back as `runnerState`). */
  | { type: "runner.state"; state: Record<string, unknown> }
  | { type: "usage"; usage: Usage }
  | { type: "notice"; message: string }
  | {
      type: "turn.done";
      outcome: TurnOutcome;
      /** The final assistant text (empty when none). */
      text: string;
      usage: Usage;
      steps: number;
      /** For `failed`/`blocked`/`incomplete`: a human reason; for `failed`, the error code too. */
      reason?: string;
      errorCode?: string;
      transport?: TransportKind;
      serviceTier?: string;
      /** The model ref that ran the turn (set by the agent; differs from the session's after a failover). */
      model?: string;
      /** Models that failed, in order, when `agents.defaults.model.fallbacks` was used (on a failed turn it ends with `model`); absent otherwise. */
      failover?: readonly FailoverAttempt[];
    };

/** Options for one {@link TurnRunner.runTurn} call. */
export interface RunTurnOptions {
  /** Aborting ends the turn promptly with outcome `aborted` (never throws for the abort). */
  signal?: AbortSignal;
}

/**
 * Runs turns for one runtime. `runTurn` yields events and always finishes with exactly one
 * `turn.done`; errors the caller can act on are reported there (`outcome: "failed"`) rather
 * than thrown, except programmer errors (bad input), which throw a `GenesisError`.
 */
export interface TurnRunner<R extends TurnRoute = TurnRoute> {
  readonly id: RuntimeId;
  /** Label for `/status`, see {@link RUNTIME_LABELS}. */
  readonly label: string;
  runTurn(input: TurnInput<R>, options?: RunTurnOptions): AsyncIterable<AgentEvent>;
  /**
   * What `/status` shows about the wire (transport in use, WebSocket degraded...). `route` is
   * the session's route as resolved for this status call (after any `/fast` or model change).
   */
  status?(sessionId: string, route?: Route): RunnerStatus;
  /** Release sockets/child processes. Idempotent. */
  close?(): Promise<void>;
}

/** Transport facts for `/status`. */
export interface RunnerStatus {
  transport?: TransportKind | "auto";
  lastTransport?: TransportKind;
  wsDegraded?: boolean;
  /** ms until the WebSocket cool-down ends, when degraded. */
  degradedForMs?: number;
  /**
   * For runners that do not write the request themselves (the Codex app-server): the
   * `service_tier` the next request will carry (`sent`, absent when none) and, when that
   * differs from the route's tier or is not confirmed, why (`note`). Overrides the route's tier.
   */
  serviceTier?: { sent?: string; note?: string };
}
