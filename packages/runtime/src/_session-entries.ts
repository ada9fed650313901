import { addUsage, emptyUsage, type SessionEntry, type Usage } from "@genesis/core";
import type { TranscriptItem, TurnOutcome } from "./turn-runner.js";
import type { FailoverAttempt } from "./_model-failover.js";

/** Entry type of one transcript item (user message, model output, tool output). */
export const ENTRY_ITEM = "item";
/** Entry type of a finished turn's summary (outcome, usage, model, transport). */
export const ENTRY_TURN = "turn";
/** Entry type of runner-private state (e.g. the Codex thread id). */
export const ENTRY_RUNNER_STATE = "runner_state";

/** The replayable transcript: every `item` entry's item, oldest first. */
export function transcriptOf(entries: readonly SessionEntry[]): TranscriptItem[] {
  const out: TranscriptItem[] = [];
  for (const entry of entries) if (entry.type === ENTRY_ITEM && entry.item) out.push(entry.item as TranscriptItem);
  return out;
}

/** Summed usage, last turn's usage and outcome, and the turn count. */
export function usageOf(entries: readonly SessionEntry[]): {
  total: Usage; last?: Usage; turns: number; lastOutcome?: TurnOutcome; lastTransport?: string;
  /** The last turn's model and the models that failed before it, when it failed over. */
  lastFailover?: { model: string; outcome: TurnOutcome; attempts: FailoverAttempt[] };
} {
  let total = emptyUsage();
  let last: Usage | undefined;
  let turns = 0;
  let lastOutcome: TurnOutcome | undefined;
  let lastTransport: string | undefined;
  let lastFailover: { model: string; outcome: TurnOutcome; attempts: FailoverAttempt[] } | undefined;
  for (const entry of entries) {
    if (entry.type !== ENTRY_TURN) continue;
    const usage = entry.usage as Usage;
    total = addUsage(total, usage);
    last = usage;
    turns++;
    lastOutcome = entry.outcome as TurnOutcome;
    if (typeof entry.transport === "string") lastTransport = entry.transport;
    lastFailover = Array.isArray(entry.failover) && typeof entry.model === "string" ? { model: entry.model, outcome: entry.outcome as TurnOutcome, attempts: entry.failover as FailoverAttempt[] } : undefined;
  }
  return { total, turns, ...(last ? { last } : {}), ...(lastOutcome ? { lastOutcome } : {}), ...(lastTransport ? { lastTransport } : {}), ...(lastFailover ? { lastFailover } : {}) };
}

/** Runner state merged from `runner_state` entries (plus the record's Codex thread id). */
export function runnerStateOf(entries: readonly SessionEntry[], codexThreadId?: string): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const entry of entries) if (entry.type === ENTRY_RUNNER_STATE) Object.assign(state, entry.state as Record<string, unknown>);
  if (codexThreadId) state.codexThreadId ??= codexThreadId;
  return state;
}
