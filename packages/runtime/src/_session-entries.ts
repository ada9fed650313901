import { addUsage, emptyUsage, type SessionEntry, type Usage } from "@genesis/core";
import type { TranscriptItem, TurnOutcome } from "./turn-runner.js";

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
export function usageOf(entries: readonly SessionEntry[]): { total: Usage; last?: Usage; turns: number; lastOutcome?: TurnOutcome; lastTransport?: string } {
  let total = emptyUsage();
  let last: Usage | undefined;
  let turns = 0;
  let lastOutcome: TurnOutcome | undefined;
  let lastTransport: string | undefined;
  for (const entry of entries) {
    if (entry.type !== ENTRY_TURN) continue;
    const usage = entry.usage as Usage;
    total = addUsage(total, usage);
    last = usage;
    turns++;
    lastOutcome = entry.outcome as TurnOutcome;
    if (typeof entry.transport === "string") lastTransport = entry.transport;
  }
  return { total, turns, ...(last ? { last } : {}), ...(lastOutcome ? { lastOutcome } : {}), ...(lastTransport ? { lastTransport } : {}) };
}

/** Runner state merged from `runner_state` entries (plus the record's Codex thread id). */
export function runnerStateOf(entries: readonly SessionEntry[], codexThreadId?: string): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const entry of entries) if (entry.type === ENTRY_RUNNER_STATE) Object.assign(state, entry.state as Record<string, unknown>);
  if (codexThreadId) state.codexThreadId ??= codexThreadId;
  return state;
}
