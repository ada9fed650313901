import { RateLimitError, UsageLimitError, type TransportErrorFields } from "@genesis/transport";

/**
 * A plain 429 from the Codex backend (no `plan_type`, no `resets_at`, no usage-limit code),
 * left after the transport's retries ran out. It stays a {@link RateLimitError} on purpose:
 * such an answer is short-term throttling, which the transport retries (honouring
 * `Retry-After`), whereas a {@link UsageLimitError} means the plan's quota is used up and is
 * never retried. What it adds is what the user needs to decide: the signed-in plan (from the
 * token, when known) and "resets in N min" (from `Retry-After`, when sent).
 */
export class CodexRateLimitError extends RateLimitError {
  /** The signed-in ChatGPT plan (`plus`, `pro`, ...), when the token names one. */
  readonly plan: string | undefined;
  /** Minutes until the server said to retry (rounded up), when it said. */
  readonly resetsInMin: number | undefined;

  constructor(original: RateLimitError, plan: string | undefined) {
    const minutes = original.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(original.retryAfterMs / 60_000));
    const what = `The ChatGPT/Codex backend is rate limiting requests${plan ? ` (${plan} plan)` : ""}`;
    super(`${what}; ${minutes === undefined ? "try again in a moment" : `resets in ${minutes} min`}.`, {
      ...carried(original),
      retryAfterMs: original.retryAfterMs,
      hint: "Wait and retry; a plan usage limit would say so (UsageLimitError). Or use an API-key route (openai/*).",
    });
    this.plan = plan;
    this.resetsInMin = minutes;
  }
}

/** The fields worth keeping from a transport error we re-type (never its secrets). */
function carried(e: RateLimitError | UsageLimitError): Omit<TransportErrorFields, "hint"> & { serverCode?: string } {
  return {
    ...(e.transport ? { transport: e.transport } : {}),
    ...(e.requestId ? { requestId: e.requestId } : {}),
    ...(e.partial ? { partial: e.partial } : {}),
    attempts: e.attempts,
    unsent: e.unsent,
    ...(e.serverCode ? { serverCode: e.serverCode } : {}),
    cause: e,
  };
}

/**
 * Give a rate- or usage-limit error from the Codex backend the signed-in plan: a usage limit
 * without `plan_type` gets the token's plan; a plain 429 becomes {@link CodexRateLimitError}.
 * Anything else is returned unchanged.
 */
export function withCodexPlan(error: unknown, plan: string | undefined, now: number = Date.now()): unknown {
  if (error instanceof UsageLimitError) {
    if (error.plan !== undefined || plan === undefined) return error;
    return new UsageLimitError({ ...carried(error), status: error.status, plan, ...(error.resetsAt !== undefined ? { resetsAt: error.resetsAt } : {}), now });
  }
  if (error instanceof RateLimitError && !(error instanceof CodexRateLimitError)) return new CodexRateLimitError(error, plan);
  return error;
}
