import type { EndpointClass, Route, RuntimeId, SessionEntry, SessionRecord, Usage } from "@genesis/core";
import type { RunnerStatus, TurnOutcome } from "./turn-runner.js";
import { usageOf } from "./_session-entries.js";
import type { AgentSnapshot } from "./_agent-env.js";
import type { FailoverAttempt } from "./_model-failover.js";

/** What `/status` shows for a session. */
export interface AgentStatus {
  sessionId: string;
  model: string;
  provider: string;
  endpointClass: EndpointClass;
  baseUrl: string;
  api: string;
  runtime: RuntimeId;
  /** `Genesis Pi Default` or `OpenAI Codex`. */
  runtimeLabel: string;
  transport: {
    /** Configured mode (auto / sse / websocket), or `app-server` for Codex harness sessions. */
    mode: string;
    /** The wire the last turn actually used. */
    last?: string;
    wsDegraded: boolean;
    degradedForMs?: number;
  };
  fastMode: boolean;
  /** Where fast mode comes from: a session override, config, or the default (off). */
  fastModeSource: "session" | "config" | "default";
  /** The `service_tier` requests carry (the runner's word wins over the route's for Codex). */
  serviceTier?: string;
  /** Why no (or another) tier is sent, e.g. the Codex catalog offers no priority tier for the model. */
  serviceTierNote?: string;
  executionContract: string;
  /** Server-side web search: `native`, `off` or `pinned to <provider>` (from the route). */
  webSearch: string;
  contextTokens?: number;
  turns: number;
  usage: { total: Usage; last?: Usage };
  overrides: Record<string, unknown>;
  /** Set when the last turn was answered by a fallback model (`agents.defaults.model.fallbacks`). */
  lastFailover?: { model: string; outcome: TurnOutcome; attempts: FailoverAttempt[] };
}

// The Codex app-server decides what reaches the wire; its runner reports that instead.
function tierOf(route: Route, runner: RunnerStatus | undefined): Pick<AgentStatus, "serviceTier" | "serviceTierNote"> {
  if (!runner?.serviceTier) return route.serviceTier ? { serviceTier: route.serviceTier } : {};
  const { sent, note } = runner.serviceTier;
  return { ...(sent ? { serviceTier: sent } : {}), ...(note ? { serviceTierNote: note } : {}) };
}

/** Assemble a status from the session, its route and the runner's transport facts. */
export function buildStatus(input: {
  record: SessionRecord;
  route: Route;
  entries: readonly SessionEntry[];
  snap: AgentSnapshot;
  runner?: RunnerStatus;
}): AgentStatus {
  const { record, route, entries, runner } = input;
  const usage = usageOf(entries);
  const fastReason = route.reasons.find((r) => r.field === "params.fastMode")?.why ?? "";
  const fastModeSource = record.overrides.fastMode !== undefined ? "session" : fastReason.startsWith("config") ? "config" : "default";
  return {
    sessionId: record.id,
    model: route.ref,
    provider: route.provider,
    endpointClass: route.endpointClass,
    baseUrl: route.baseUrl,
    api: route.api,
    runtime: record.runtime,
    runtimeLabel: route.runtimeLabel,
    transport: {
      // The Codex harness talks to its own app-server over stdio; the route's mode does not apply.
      mode: runner?.transport === "app-server" ? "app-server" : route.transport,
      ...(runner?.lastTransport ?? usage.lastTransport ? { last: runner?.lastTransport ?? usage.lastTransport } : {}),
      wsDegraded: runner?.wsDegraded ?? false,
      ...(runner?.degradedForMs ? { degradedForMs: runner.degradedForMs } : {}),
    },
    fastMode: route.fastMode,
    fastModeSource,
    ...tierOf(route, runner),
    executionContract: route.executionContract,
    webSearch: route.webSearch.status === "pinned" ? `pinned to ${route.webSearch.provider}` : route.webSearch.status,
    ...(route.contextTokens ? { contextTokens: route.contextTokens } : {}),
    turns: usage.turns,
    usage: { total: usage.total, ...(usage.last ? { last: usage.last } : {}) },
    overrides: { ...record.overrides },
    ...(usage.lastFailover ? { lastFailover: usage.lastFailover } : {}),
  };
}

/** `/status` as text lines (what `genesis chat` prints). */
export function formatStatus(s: AgentStatus): string {
  const wire = `${s.transport.mode}${s.transport.last && s.transport.last !== s.transport.mode ? ` (last turn: ${s.transport.last})` : ""}`;
  const degraded = s.transport.mode === "app-server"
    ? "not used (Codex app-server over stdio)"
    : s.transport.wsDegraded
    ? `degraded, using SSE${s.transport.degradedForMs ? ` for ~${Math.ceil(s.transport.degradedForMs / 1000)}s` : ""}`
    : "ok";
  const u = s.usage.total;
  const last = s.usage.last;
  return [
    `Session: ${s.sessionId}`,
    `Model: ${s.model}`,
    `Route: ${s.provider} via ${s.endpointClass} (${s.baseUrl}, ${s.api})`,
    `Runtime: ${s.runtimeLabel}`,
    `Transport: ${wire}; WebSocket: ${degraded}`,
    `Fast mode: ${s.fastMode ? "on" : "off"} (${s.fastModeSource})${s.serviceTier ? `; service_tier: ${s.serviceTier}` : ""}${s.serviceTierNote ? `; service_tier ${s.serviceTierNote}` : ""}`,
    `Execution contract: ${s.executionContract}`,
    ...(s.webSearch !== "off" ? [`Web search: ${s.webSearch}`] : []),
    `Tokens: ${u.total} total (input ${u.input}, cached ${u.cacheRead}, output ${u.output}, reasoning ${u.reasoning}) over ${s.turns} turn(s)` +
      (last ? `; last turn ${last.total}` : ""),
    ...(s.contextTokens ? [`Context budget: ${s.contextTokens} tokens`] : []),
    ...(s.lastFailover
      ? [`Failover: last turn ${s.lastFailover.outcome} on ${s.lastFailover.model} after ${s.lastFailover.attempts.map((a) => `${a.model} (${a.code})`).join(", ")}`]
      : []),
  ].join("\n");
}
