import {
  addUsage,
  describeFailoverAttempts,
  emptyUsage,
  GenesisError,
  isModelFailure,
  modelFailoverAttempt,
  modelFailoverChain,
  summarizeFailover,
  type ModelFailoverAttempt,
  type StreamEvent,
  type Usage,
} from "@genesis/core";
import type { ModelStreamer } from "./pi-runner.js";
import type { AgentEvent } from "./turn-runner.js";

/** One model that was tried and failed before another one answered (or before the turn gave up). */
export type FailoverAttempt = ModelFailoverAttempt;

/**
 * Every model of `agents.defaults.model` (the primary, then each fallback) failed, or a fallback
 * failed in a way no other model can fix. `attempts` lists each model with its code and reason,
 * in the order they were tried; no message or field ever holds a key or token.
 * Code: `model_failover_exhausted`.
 */
export class ModelFailoverError extends GenesisError {
  readonly attempts: readonly FailoverAttempt[];
  constructor(attempts: readonly FailoverAttempt[], options: { cause?: unknown } = {}) {
    super("model_failover_exhausted", `No model could answer: ${describeFailoverAttempts(attempts)}.`, {
      ...options,
      hint: "Fix the first model's problem (see its reason), or change agents.defaults.model.primary / fallbacks.",
    });
    this.attempts = attempts.map((a) => ({ ...a }));
  }
}

// Beyond core's shared rules (limits, 5xx, connection failures, unavailable models): what only
// an agent turn can hit. Its fallbacks may use another provider, so missing or refused
// credentials and a switched-off plugin qualify here (unlike for image/video calls).
const RUNTIME_CODES = [
  // route resolution (core): unknown, excluded or not enabled model, its provider's plugin
  // switched off, missing credentials for its provider
  "unknown_model", "unknown_provider", "model_excluded", "model_not_api_enabled", "plugin_disabled", "api_key_missing", "oauth_missing", "base_url_missing",
  // codex-oauth sign-in state, and a refused key
  "not_signed_in", "reauth_required", "auth_failed",
  // the Codex app-server harness
  "codex_usage_limit", "codex_rate_limited", "codex_server_overloaded",
];

/**
 * Whether another model could fix this failure. `error` is what the model streamer (or route
 * resolution) threw, when known; `errorCode` is the turn's `errorCode` otherwise. Bad requests
 * (400 invalid params, content policy), aborts and mid-stream breaks never qualify.
 */
export function canFailOver(error: unknown, errorCode?: string): boolean {
  return isModelFailure(error, { extraCodes: RUNTIME_CODES, ...(errorCode !== undefined ? { fallbackCode: errorCode } : {}) });
}

/** A short, redacted description of a failure for {@link FailoverAttempt}. */
export function attemptOf(model: string, error: unknown, done?: { errorCode?: string; reason?: string }): FailoverAttempt {
  return modelFailoverAttempt(model, error, { fallback: { code: done?.errorCode, reason: done?.reason } });
}

/**
 * The models a turn may try: `ref`, then the configured fallbacks when `ref` is the configured
 * primary. A session pinned to another model (`/model`, `createSession({ model })`) gets `[ref]`.
 */
export function failoverChain(ref: string, primary: string, fallbacks: readonly string[] | undefined): string[] {
  return modelFailoverChain(ref, { primary, ...(fallbacks ? { fallbacks } : {}) });
}

/** Wrap a streamer so the error its stream threw is reported (for {@link canFailOver}); events pass through unchanged. */
export function reportingFailures(streamer: ModelStreamer, report: (error: unknown) => void): ModelStreamer {
  return {
    ...streamer,
    async *streamTurn(request, options): AsyncGenerator<StreamEvent> {
      try {
        yield* streamer.streamTurn(request, options);
      } catch (error) {
        report(error);
        throw error;
      }
    },
  };
}

/** What {@link runWithFailover} needs from the agent. */
export interface FailoverHooks {
  /** Start the turn on `ref` (may throw or reject before any event, e.g. a route that is not ready). */
  start(ref: string): AsyncIterable<AgentEvent> | Promise<AsyncIterable<AgentEvent>>;
  /** What the current attempt's model streamer threw, if anything. */
  lastError(): unknown;
  signal?: AbortSignal;
}

type TurnDone = Extract<AgentEvent, { type: "turn.done" }>;

// Events an attempt produces before its answer that would be stored (the user's message, runner
// state, billed usage) or repeated by the next attempt (step start): held until the attempt
// produces output, dropped (usage: carried into the final turn.done) when it fails over.
function isHeld(event: AgentEvent): boolean {
  if (event.type === "step.started" || event.type === "runner.state" || event.type === "usage") return true;
  return event.type === "item" && event.item.type === "message" && event.item.role === "user";
}

/**
 * Run one turn over `chain`, moving to the next model only while nothing but setup events
 * (turn start, notices, the user's own message, step start, usage) has been produced and the
 * failure is one {@link canFailOver} accepts (a fallback that cannot even start is skipped).
 * The first `turn.started` and every `notice` go out at once, so the caller sees the turn
 * begin even during a long silent first step; later attempts' `turn.started` are dropped (one
 * per turn) and a `notice` says which model takes over. Everything else an attempt produces
 * before its first output is held back, so a failed attempt leaves nothing else in the stream
 * or the session; the last candidate streams live. The final `turn.done` names the model that
 * answered, lists the failed attempts (`failover`) and adds their billed usage to its own.
 * When the chain ends without an answer: a `turn.done` with `errorCode:
 * "model_failover_exhausted"`, or a thrown {@link ModelFailoverError} when nothing was yielded.
 */
export async function* runWithFailover(chain: readonly string[], hooks: FailoverHooks): AsyncGenerator<AgentEvent> {
  const attempts: FailoverAttempt[] = [];
  // Tokens the failed attempts were billed for: they belong to this turn's usage.
  let billed: Usage | undefined;
  // Whether the caller has seen any event: from then on the turn must end with a turn.done.
  let yielded = false;
  const finish = (done: TurnDone, ref: string): TurnDone => {
    const usage = billed ? addUsage(billed, done.usage) : done.usage;
    if (attempts.length === 0) return { ...done, usage, model: ref };
    if (done.outcome !== "failed") return { ...done, usage, model: ref, failover: [...attempts] };
    const all = [...attempts, attemptOf(ref, hooks.lastError(), done)];
    const error = new ModelFailoverError(all);
    return { ...done, usage, model: ref, failover: all, errorCode: error.code, reason: error.describe() };
  };
  const notice = (ref: string): AgentEvent => ({
    type: "notice",
    message: `model failover: ${summarizeFailover(attempts)}; switching to ${ref}.`,
  });

  for (const [index, ref] of chain.entries()) {
    const last = index === chain.length - 1;
    let events: AsyncIterable<AgentEvent>;
    try {
      events = await hooks.start(ref);
    } catch (error) {
      const aborted = hooks.signal?.aborted === true;
      // The primary's own problem is reported as is when no other model can help; a fallback
      // that cannot start is skipped, whatever the reason, so that a later one may answer.
      if (attempts.length === 0 && (last || !canFailOver(error) || aborted)) throw error;
      attempts.push(attemptOf(ref, error));
      if (!last && !aborted) continue;
      const exhausted = new ModelFailoverError(attempts, { cause: error });
      if (!yielded) throw exhausted;
      // The caller already saw the turn start: end it the way every turn ends.
      const usage = billed ?? emptyUsage();
      yield aborted
        ? { type: "turn.done", outcome: "aborted", text: "", usage, steps: 0, model: ref, failover: [...attempts] }
        : { type: "turn.done", outcome: "failed", text: "", usage, steps: 0, model: ref, failover: [...attempts], errorCode: exhausted.code, reason: exhausted.describe() };
      return;
    }
    const held: AgentEvent[] = [];
    let live = last;
    let noticed = attempts.length === 0;
    // The failover notice follows the attempt's first event (its turn.started, or whatever comes first).
    const announce = function* (): Generator<AgentEvent> {
      if (noticed) return;
      noticed = true;
      yielded = true;
      yield notice(ref);
    };
    let failedOver = false;
    for await (const event of events) {
      if (event.type === "turn.done") {
        if (!live && event.outcome === "failed" && !hooks.signal?.aborted && canFailOver(hooks.lastError(), event.errorCode)) {
          attempts.push(attemptOf(ref, hooks.lastError(), event));
          billed = addUsage(billed ?? emptyUsage(), event.usage);
          failedOver = true;
          break;
        }
        yield* announce();
        yield* held.splice(0);
        yield finish(event, ref);
        return;
      }
      if (event.type === "turn.started") {
        // One turn.started per turn: the first attempt's, sent at once.
        if (!yielded) {
          yielded = true;
          yield event;
        }
        yield* announce();
        continue;
      }
      yield* announce();
      if (!live && isHeld(event)) {
        held.push(event);
        continue;
      }
      yielded = true;
      // Notices (e.g. the Codex harness's service-tier note) go out at once and are not output.
      if (event.type !== "notice") {
        live = true;
        yield* held.splice(0);
      }
      yield event;
    }
    if (!failedOver) return;
  }
}
