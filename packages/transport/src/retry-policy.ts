import { ValidationError } from "@genesis/core";
import { AbortError } from "./errors.js";

/** Sleeps `ms`, rejecting early with the signal's abort. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Longest server-suggested wait we honour; anything longer falls back to backoff (openai-node 7.5). */
export const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/** Options of {@link createRetryPolicy}. */
export interface RetryPolicyOptions {
  /** Retries after the first attempt. Default 2 (3 attempts). Must be a non-negative integer. */
  maxRetries?: unknown;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Clock for HTTP-date `retry-after` values. Default `Date.now`. */
  now?: () => number;
}

/** Decides whether and how long to wait before retrying an HTTP attempt. */
export interface RetryPolicy {
  readonly maxRetries: number;
  /** Whether a response status (plus its headers) may be retried. */
  shouldRetryStatus(status: number, headers?: Headers): boolean;
  /**
   * Delay before retry number `retryIndex` (0 for the first retry). Uses `retry-after-ms`, then
   * `retry-after`, when finite and within 0–60 s; else `min(0.5 s·2ⁿ, 8 s)` × jitter 0.75–1.0.
   */
  delayMs(retryIndex: number, headers?: Headers): number;
  /** The server-suggested delay in ms (uncapped), or undefined when absent or unparsable. */
  retryAfterMs(headers?: Headers): number | undefined;
}

/** Throws a {@link ValidationError} unless `value` is a non-negative integer. */
export function validateMaxRetries(value: unknown): number {
  if (value === undefined) return 2;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(`maxRetries must be a non-negative integer, got ${JSON.stringify(value) ?? String(value)}.`, {
      path: "maxRetries",
      hint: "Use 0 to disable retries, or a small integer such as 2.",
    });
  }
  return value;
}

/** Build the HTTP retry policy. Validates `maxRetries` now, so a bad value fails at construction. */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const maxRetries = validateMaxRetries(options.maxRetries);
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  function retryAfterMs(headers?: Headers): number | undefined {
    if (!headers) return undefined;
    const ms = headers.get("retry-after-ms");
    if (ms !== null && ms.trim() !== "") {
      const value = Number.parseFloat(ms);
      if (Number.isFinite(value)) return value;
    }
    const after = headers.get("retry-after");
    if (after === null || after.trim() === "") return undefined;
    if (/^\s*-?\d+(\.\d+)?\s*$/.test(after)) return Number.parseFloat(after) * 1000;
    const date = Date.parse(after);
    return Number.isNaN(date) ? undefined : date - now();
  }

  return {
    maxRetries,
    shouldRetryStatus(status, headers) {
      const hint = headers?.get("x-should-retry");
      if (hint === "true") return true;
      if (hint === "false") return false;
      return status === 408 || status === 409 || status === 429 || status >= 500;
    },
    delayMs(retryIndex, headers) {
      const suggested = retryAfterMs(headers);
      if (suggested !== undefined && suggested >= 0 && suggested <= MAX_RETRY_AFTER_MS) return suggested;
      const base = Math.min(BASE_DELAY_MS * 2 ** retryIndex, MAX_DELAY_MS);
      return base * (1 - Math.min(Math.max(random(), 0), 1) * 0.25);
    },
    retryAfterMs,
  };
}

/** The default {@link SleepFn}: a timer that rejects with {@link AbortError} when the signal fires. */
export const abortableSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
