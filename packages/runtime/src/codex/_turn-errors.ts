import { redactSecrets } from "@genesis/core";
import type { TurnError } from "../../protocol/v2/TurnError.js";
import { CodexHarnessError, type CodexHarnessErrorCode } from "./errors.js";

/** What the client knows about the account's limits: rate-limit notifications, the handed-over plan. */
export interface RateLimitFacts {
  planType?: string;
  resetsAt?: number;
}

const ERROR_CODES: Record<string, CodexHarnessErrorCode> = {
  usageLimitExceeded: "codex_usage_limit",
  contextWindowExceeded: "codex_context_window_exceeded",
  unauthorized: "codex_unauthorized",
  rateLimitExceeded: "codex_rate_limited",
  serverOverloaded: "codex_server_overloaded",
};
const HINTS: Partial<Record<CodexHarnessErrorCode, string>> = {
  codex_usage_limit: "Wait for the limit to reset, upgrade the plan, or switch to an API-key route.",
  codex_context_window_exceeded: "Start a new session (/new) or compact the thread.",
  codex_unauthorized: "Sign in again: genesis models auth login --provider openai-codex (or check the API key).",
  codex_rate_limited: "Retry in a moment.",
  codex_server_overloaded: "Retry in a moment.",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Codex passes neither `resets_at` nor `plan_type` on; it words them into the message, in the
 * app-server's local time: "… try again at 4:04 AM." for later today, "… try again at
 * Nov 24th, 2026 12:10 PM." for another day. Recover the epoch seconds.
 */
export function parseResetsAt(message: string, now: Date = new Date()): number | undefined {
  const m = /try again at (?:([A-Z][a-z]{2}) (\d{1,2})(?:st|nd|rd|th)?, (\d{4}) )?(\d{1,2}):(\d{2})\s*([AP]M)/i.exec(message);
  if (!m) return undefined;
  const hours = (Number(m[4]) % 12) + (m[6]!.toUpperCase() === "PM" ? 12 : 0);
  if (m[1] !== undefined) {
    const month = MONTHS.indexOf(m[1].toLowerCase());
    if (month === -1) return undefined;
    return Math.floor(new Date(Number(m[3]), month, Number(m[2]), hours, Number(m[5]), 0, 0).getTime() / 1000);
  }
  const at = new Date(now);
  at.setHours(hours, Number(m[5]), 0, 0);
  // Same-day form; a time more than a minute past can only mean midnight passed meanwhile.
  if (at.getTime() < now.getTime() - 60_000) at.setDate(at.getDate() + 1);
  return Math.floor(at.getTime() / 1000);
}

/**
 * The plan named by Codex's usage-limit wording, where it is unambiguous: Plus accounts are
 * offered Pro, Pro accounts only credits. Free/Go, Team/Business and Enterprise/Edu share
 * their wording, so they give undefined.
 */
export function planFromUsageMessage(message: string): string | undefined {
  if (/upgrade to pro\b/i.test(message)) return "plus";
  if (/purchase more credits/i.test(message) && !/upgrade to/i.test(message)) return "pro";
  return undefined;
}

/** Turn a failed turn's `TurnError` into a typed error. */
export function turnErrorToHarnessError(
  error: TurnError | null,
  ids: { threadId: string; turnId: string },
  limits: RateLimitFacts,
): CodexHarnessError {
  const info = error?.codexErrorInfo;
  const infoName = typeof info === "string" ? info : info ? Object.keys(info)[0] : undefined;
  // A refresh Genesis could not answer reaches us as `other` with Codex's own wording: the
  // sign-in is no longer usable, which is what codex_unauthorized (and its hint) says.
  const refreshFailed = /^auth refresh request failed/i.test(error?.message ?? "");
  const code = (infoName && ERROR_CODES[infoName]) || (refreshFailed ? "codex_unauthorized" : "codex_turn_failed");
  const message = redactSecrets(error?.message || "The Codex turn failed.");
  const usage = code === "codex_usage_limit";
  return new CodexHarnessError(code, message, {
    ...ids,
    codexErrorInfo: infoName,
    planType: usage ? (limits.planType ?? planFromUsageMessage(message)) : undefined,
    resetsAt: usage ? (limits.resetsAt ?? parseResetsAt(message)) : undefined,
    hint: HINTS[code],
  });
}
