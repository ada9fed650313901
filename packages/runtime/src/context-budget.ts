import type { TranscriptItem } from "./turn-runner.js";

/**
 * Rough token estimate for budget decisions: ~4 characters per token over the JSON form.
 * Deliberately cheap (no tokenizer); it errs high for JSON punctuation, which keeps us safe.
 */
export function estimateTokens(value: unknown): number {
  if (typeof value === "object" && value !== null) {
    const known = estimates.get(value);
    if (known !== undefined) return known;
    const n = Math.ceil((JSON.stringify(value) ?? "").length / 4);
    estimates.set(value, n);
    return n;
  }
  return Math.ceil((typeof value === "string" ? value : String(value ?? "")).length / 4);
}

// Transcript items are immutable once written, and the session store hands back the same
// objects turn after turn, so each item is measured once.
const estimates = new WeakMap<object, number>();

/** Result of {@link fitHistory}. */
export interface FittedHistory {
  items: TranscriptItem[];
  /** How many earlier turns were dropped to fit. */
  droppedTurns: number;
  estimatedTokens: number;
}

function isUserMessage(item: TranscriptItem): boolean {
  return item.type === "message" && (item as { role?: unknown }).role === "user";
}

/**
 * Keep a transcript within `budget` tokens.
 *
 * - A server-side compaction item already stands for everything before it, so history starts
 *   at the latest `compaction` item (kept, never dropped).
 * - Whole turns (a user message and everything up to the next one) are dropped oldest first, so
 *   a function_call is never separated from its function_call_output.
 * - When turns were dropped, a short note says so, so the model knows context is missing.
 */
export function fitHistory(history: readonly TranscriptItem[], budget: number): FittedHistory {
  let start = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]!.type === "compaction") {
      start = i;
      break;
    }
  }
  const pinned = start > 0 || history[0]?.type === "compaction" ? [history[start]!] : [];
  const rest = history.slice(pinned.length > 0 ? start + 1 : 0);
  // Group into turns at user-message boundaries.
  const turns: TranscriptItem[][] = [];
  for (const item of rest) {
    if (isUserMessage(item) || turns.length === 0) turns.push([item]);
    else turns[turns.length - 1]!.push(item);
  }
  const costs = turns.map((turn) => turn.reduce((sum, item) => sum + estimateTokens(item), 0));
  let total = pinned.reduce((sum, item) => sum + estimateTokens(item), 0) + costs.reduce((a, b) => a + b, 0);
  let first = 0;
  while (total > budget && first < turns.length) {
    total -= costs[first]!;
    first++;
  }
  const items: TranscriptItem[] = [...pinned];
  if (first > 0) {
    items.push({ type: "message", role: "developer", content: `[${first} earlier turn(s) omitted to fit the context budget]` });
  }
  for (let i = first; i < turns.length; i++) items.push(...turns[i]!);
  return { items, droppedTurns: first, estimatedTokens: total };
}
