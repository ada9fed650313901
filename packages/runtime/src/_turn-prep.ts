import { overlayForRoute, type Route } from "@genesis/core";
import type { ToolDefinition } from "./tool-registry.js";
import type { TranscriptItem } from "./turn-runner.js";
import { estimateTokens, fitHistory, type FittedHistory } from "./context-budget.js";

/** The base system prompt of the default runtime. */
export const DEFAULT_SYSTEM_PROMPT =
  "You are Genesis, an agent that helps the user by answering directly and by calling the tools you are given. " +
  "Use a tool when it can answer or make progress; report results plainly.";

/** Budget used when a route declares neither contextTokens nor contextWindow. */
export const FALLBACK_CONTEXT_TOKENS = 128_000;

/** System prompt plus the GPT-5 overlay for GPT-5-family routes. */
export function buildInstructions(route: Pick<Route, "overlays">, base: string = DEFAULT_SYSTEM_PROMPT): string {
  const overlay = overlayForRoute(route);
  return overlay ? `${base}\n\n${overlay.text}` : base;
}

/**
 * Trim history so the whole prompt fits the route's runtime budget (`contextTokens`, else the
 * context window): instructions, tool schemas, the new message and an output reserve come off
 * the top, history gets the rest.
 */
export function budgetHistory(
  history: readonly TranscriptItem[],
  route: Pick<Route, "contextTokens" | "contextWindow" | "model">,
  instructions: string,
  tools: readonly ToolDefinition[],
  message: string,
): FittedHistory {
  const limit = route.contextTokens ?? route.contextWindow ?? FALLBACK_CONTEXT_TOKENS;
  const reserve = Math.min(route.model.maxOutputTokens ?? 16_000, 16_000, Math.floor(limit / 4));
  const fixed = estimateTokens(instructions) + estimateTokens(message)
    + tools.reduce((sum, t) => sum + estimateTokens(t.parameters) + estimateTokens(t.description) + 8, 0);
  return fitHistory(history, Math.max(0, limit - reserve - fixed));
}
