import { addUsage, emptyUsage, GenesisError, redactSecrets, type StreamEvent, type TransportKind, type Usage } from "@genesis/core";
import type { TurnRequest } from "@genesis/openai";
import type { AgentEvent, RunTurnOptions, RunnerStatus, TranscriptItem, TurnInput, TurnOutcome, TurnRoute, TurnRunner } from "./turn-runner.js";
import { RUNTIME_LABELS } from "./turn-runner.js";
import type { ToolDefinition } from "./tool-registry.js";
import {
  ACT_NOW_STEER,
  BLOCKED_TEXT,
  STRICT_PLAN_ONLY_RETRIES,
  UPDATE_PLAN_LIMIT_PER_TURN,
  createUpdatePlanTool,
  isPlanOnly,
  isSubstantialWork,
  strictAgenticApplies,
} from "./strict-agentic.js";
import { runToolCall } from "./_run-tool.js";

/** What the pi loop needs from a provider: one streamed model call at a time. */
export interface ModelStreamer {
  streamTurn(request: TurnRequest, options: { sessionId: string; turnId?: string; signal?: AbortSignal }): AsyncIterable<StreamEvent>;
  state?(): { mode: string; lastTransport?: "sse" | "websocket"; wsDegraded: boolean; degradedForMs?: number };
  /**
   * Open (and warm) the session's WebSocket before its first turn. `createAgent` calls it once
   * per session unless the route uses SSE or sets `params.openaiWsWarmup: false`.
   */
  warm?(sessionId: string): Promise<void>;
  close?(): Promise<void>;
}

/** The route type the pi loop runs on (a {@link TurnRoute}; `executionContract` is read). */
export type PiRoute = TurnRoute;

/** Options of {@link createPiRunner}. */
export interface PiRunnerOptions<R extends PiRoute = PiRoute> {
  /** The provider for a route (the caller caches per route). */
  provider(route: R, ctx: { sessionId: string }): ModelStreamer | Promise<ModelStreamer>;
  /** Model calls per turn before giving up with outcome `incomplete`. Default 24. */
  maxSteps?: number;
}

/** Drop `null` arguments: strict schemas make optional parameters nullable, tools expect them absent. */
function parseArgs(raw: string): Record<string, unknown> | Error {
  try {
    const value = JSON.parse(raw || "{}") as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return new Error("arguments are not a JSON object");
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = v;
    return out;
  } catch (error) {
    return new Error(`arguments are not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The default `pi` runtime: Genesis's own agent loop. Each step streams one model call; tool
 * calls are executed and their outputs fed back as `function_call_output` items until the model
 * answers without calling a tool. Under the strict-agentic contract a plan-only answer does not
 * end the turn: it is retried with an act-now steer, and repeated plan-only answers end the
 * turn as `blocked`.
 */
export function createPiRunner<R extends PiRoute = PiRoute>(options: PiRunnerOptions<R>): TurnRunner<R> {
  const maxSteps = options.maxSteps ?? 24;
  // Per session, so /status of one session never shows another session's wire.
  const wires = new Map<string, { streamer: ModelStreamer; lastTransport?: TransportKind }>();

  async function* runTurn(input: TurnInput<R>, runOptions: RunTurnOptions = {}): AsyncGenerator<AgentEvent> {
    const signal = runOptions.signal ?? new AbortController().signal;
    const { route, sessionId, turnId } = input;
    yield { type: "turn.started", sessionId, turnId, runtime: "pi", model: route.ref };
    let usage: Usage = emptyUsage();
    let steps = 0;
    let transport: TransportKind | undefined;
    let serviceTier: string | undefined;
    const done = (outcome: TurnOutcome, text: string, extra: { reason?: string; errorCode?: string } = {}): AgentEvent => ({
      type: "turn.done", outcome, text, usage, steps, ...extra,
      ...(transport ? { transport } : {}), ...(serviceTier ? { serviceTier } : {}),
    });
    if (signal.aborted) return yield done("aborted", "");

    const strict = strictAgenticApplies(route);
    const tools: ToolDefinition[] = [...input.tools];
    const actionTools = tools.filter((t) => t.name !== "update_plan").length;
    const planEvents: AgentEvent[] = [];
    if (strict && actionTools > 0 && !tools.some((t) => t.name === "update_plan") && isSubstantialWork(input.message)) {
      const budget = { remaining: UPDATE_PLAN_LIMIT_PER_TURN };
      tools.push(createUpdatePlanTool((plan, explanation) => planEvents.push({ type: "plan.updated", plan, ...(explanation ? { explanation } : {}) }), budget));
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    const specs = tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    const items: TranscriptItem[] = [...input.history];
    const userItem: TranscriptItem = { type: "message", role: "user", content: input.message };
    items.push(userItem);
    yield { type: "item", item: userItem };

    let streamer: ModelStreamer;
    try {
      streamer = await options.provider(route, { sessionId });
    } catch (error) {
      return yield done("failed", "", describe(error));
    }
    const wire = wires.get(sessionId) ?? { streamer };
    wire.streamer = streamer; // a /model switch may have changed the provider
    wires.set(sessionId, wire);
    let planOnly = 0;
    const effort = typeof input.params.reasoningEffort === "string" ? input.params.reasoningEffort : undefined;
    const verbosity = typeof input.params.textVerbosity === "string" ? input.params.textVerbosity : undefined;

    while (steps < maxSteps) {
      if (signal.aborted) return yield done("aborted", "");
      steps++;
      yield { type: "step.started", step: steps };
      const request: TurnRequest = {
        instructions: input.instructions,
        input: items as TurnRequest["input"],
        ...(specs.length > 0 ? { tools: specs } : {}),
        ...(effort ? { reasoning: { effort } } : {}),
        ...(verbosity ? { text: { verbosity } } : {}),
      };
      let text = "";
      const calls: { callId: string; name: string; arguments: string }[] = [];
      let final: Extract<StreamEvent, { type: "response.done" }> | undefined;
      try {
        for await (const event of streamer.streamTurn(request, { sessionId, turnId, signal })) {
          if (event.type === "text.delta") {
            text += event.delta;
            yield { type: "text.delta", delta: event.delta };
          } else if (event.type === "reasoning.delta") {
            yield { type: "reasoning.delta", delta: event.delta };
          } else if (event.type === "tool_call.done") {
            calls.push({ callId: event.callId, name: event.name, arguments: event.arguments });
          } else if (event.type === "response.started") {
            transport = wire.lastTransport = event.transport;
          } else if (event.type === "response.done") {
            final = event;
          }
        }
      } catch (error) {
        if (signal.aborted) return yield done("aborted", text);
        return yield done("failed", text, describe(error));
      }
      if (signal.aborted) return yield done("aborted", text);
      if (!final) return yield done("failed", text, { reason: "the stream ended without a final response", errorCode: "stream_incomplete" });
      usage = addUsage(usage, final.usage);
      if (final.serviceTier) serviceTier = final.serviceTier;
      yield { type: "usage", usage: final.usage };
      for (const item of final.output) {
        items.push(item);
        yield { type: "item", item };
      }
      if (final.status === "failed") {
        return yield done("failed", text, { reason: final.error?.message ?? final.reason ?? "the response failed", errorCode: final.error?.code ?? "response_failed" });
      }
      if (calls.length === 0) {
        if (strict && isPlanOnly(text, false, actionTools > 0)) {
          planOnly++;
          if (planOnly > STRICT_PLAN_ONLY_RETRIES) return yield done("blocked", text, { reason: BLOCKED_TEXT, errorCode: "strict_agentic_blocked" });
          yield { type: "turn.retry", reason: "plan_only", attempt: planOnly };
          const steer: TranscriptItem = { type: "message", role: "user", content: ACT_NOW_STEER };
          items.push(steer);
          yield { type: "item", item: steer };
          continue;
        }
        return yield done(final.status === "incomplete" ? "incomplete" : "completed", text, final.reason ? { reason: final.reason } : {});
      }
      for (const call of calls) {
        if (signal.aborted) return yield done("aborted", text);
        yield { type: "tool.call", callId: call.callId, name: call.name, arguments: call.arguments };
        const args = parseArgs(call.arguments);
        const result = args instanceof Error
          ? { output: `Error: ${args.message}`, isError: true }
          : await runToolCall(byName.get(call.name), call.name, args, { sessionId, cwd: input.cwd, signal });
        while (planEvents.length > 0) yield planEvents.shift()!;
        yield { type: "tool.result", callId: call.callId, name: call.name, output: result.output, isError: result.isError };
        const out: TranscriptItem = { type: "function_call_output", call_id: call.callId, output: result.output };
        items.push(out);
        yield { type: "item", item: out };
      }
    }
    return yield done("incomplete", "", { reason: `stopped after ${maxSteps} model calls without a final answer`, errorCode: "max_steps" });
  }

  return {
    id: "pi",
    label: RUNTIME_LABELS.pi,
    runTurn,
    status(sessionId): RunnerStatus {
      const wire = wires.get(sessionId);
      const s = wire?.streamer.state?.();
      const last = wire?.lastTransport ?? s?.lastTransport;
      return {
        ...(s ? { transport: s.mode as RunnerStatus["transport"], wsDegraded: s.wsDegraded } : {}),
        ...(s?.degradedForMs ? { degradedForMs: s.degradedForMs } : {}),
        ...(last ? { lastTransport: last } : {}),
      };
    },
  };
}

function describe(error: unknown): { reason: string; errorCode: string } {
  if (GenesisError.isInstance(error)) return { reason: redactSecrets(error.describe()), errorCode: error.code };
  return { reason: redactSecrets(error instanceof Error ? error.message : String(error)), errorCode: "error" };
}
