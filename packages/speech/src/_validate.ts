import { ValidationError, redactSecrets } from "@genesis/core";
import { z } from "zod";

/** A typed argument error whose hint lists what would have been accepted. Redacted: a key pasted into the wrong option must not be echoed. */
export function invalid(path: string, message: string, hint: string): ValidationError {
  return new ValidationError(redactSecrets(`${path}: ${message}`), { path, hint });
}

/** `value` quoted and cut short, so a pasted paragraph never floods an error message. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * Check the shape of per-call options with zod (types only; enumerations are checked by the
 * callers so their errors can list the valid values). Unknown keys are left alone: option
 * objects also carry functions such as `fetch`.
 */
export function checkShape<T extends z.ZodRawShape>(label: string, shape: T, value: unknown): z.infer<z.ZodObject<T>> {
  const parsed = z.object(shape).safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join(".") || "options";
  throw new ValidationError(`${label}: ${path}: ${issue.message}`, { path, hint: `Check the ${path} option of ${label}.` });
}

/** Node fires a longer timer after 1 ms (with a warning), so this is the largest delay that is honoured (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Check a timer option: a whole number of milliseconds from 0 (no limit) to {@link MAX_TIMER_MS}.
 * A larger "practically infinite" value would otherwise fire at once; the hint says to use 0.
 */
export function checkTimerMs(path: string, value: number, example: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw invalid(path, `must be a whole number of milliseconds (0 = no limit), got ${value}`, `Use e.g. ${example}, or 0 for no limit.`);
  }
  if (value > MAX_TIMER_MS) {
    throw invalid(path, `must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${value}`, "Use 0 for no limit; timers longer than that cannot be set in Node.");
  }
  return value;
}
