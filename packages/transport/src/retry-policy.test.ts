import { ValidationError } from "@genesis/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError } from "./errors.js";
import { createResponsesTransport } from "./responses-transport.js";
import { abortableSleep, createRetryPolicy, MAX_RETRY_AFTER_MS, validateMaxRetries } from "./retry-policy.js";

afterEach(() => {
  vi.useRealTimers();
});

const headers = (h: Record<string, string>) => new Headers(h);

describe("retry policy", () => {
  it.each([-1, 1.5, Number.NaN, "3", Infinity, null])("7: maxRetries %j is rejected at construction with a ValidationError", (value) => {
    expect(() => validateMaxRetries(value)).toThrow(ValidationError);
    expect(() => createResponsesTransport({ baseUrl: "http://127.0.0.1:1/v1", maxRetries: value as number })).toThrow(/maxRetries/);
  });

  it("defaults to 2 retries and accepts 0", () => {
    expect(createRetryPolicy().maxRetries).toBe(2);
    expect(createRetryPolicy({ maxRetries: 0 }).maxRetries).toBe(0);
  });

  it("6: backoff is min(0.5·2ⁿ, 8) s scaled by 1.0 (random 0) down to 0.75 (random 1)", () => {
    const lo = createRetryPolicy({ random: () => 0 });
    const hi = createRetryPolicy({ random: () => 1 });
    expect([0, 1, 2, 3, 4, 5].map((n) => lo.delayMs(n))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect([0, 1, 2, 3, 4, 5].map((n) => hi.delayMs(n))).toEqual([375, 750, 1500, 3000, 6000, 6000]);
  });

  it("honours retry-after-ms before retry-after, only within 0-60 s", () => {
    const p = createRetryPolicy({ random: () => 0, now: () => Date.UTC(2026, 0, 1) });
    expect(p.delayMs(0, headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500);
    expect(p.delayMs(0, headers({ "retry-after": "2" }))).toBe(2000);
    expect(p.delayMs(0, headers({ "retry-after": new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString() }))).toBe(30_000);
    expect(p.delayMs(0, headers({ "retry-after": "60" }))).toBe(MAX_RETRY_AFTER_MS);
    expect(p.delayMs(0, headers({ "retry-after": "61" }))).toBe(500);
    expect(p.delayMs(1, headers({ "retry-after-ms": "-1" }))).toBe(1000);
    expect(p.retryAfterMs(headers({ "retry-after": "3600" }))).toBe(3_600_000);
  });

  it("5: x-should-retry overrides the status rule both ways", () => {
    const p = createRetryPolicy();
    expect(p.shouldRetryStatus(400, headers({ "x-should-retry": "true" }))).toBe(true);
    expect(p.shouldRetryStatus(503, headers({ "x-should-retry": "false" }))).toBe(false);
    expect([408, 409, 429, 500, 599].every((s) => p.shouldRetryStatus(s))).toBe(true);
    expect([400, 401, 403, 404, 422].some((s) => p.shouldRetryStatus(s))).toBe(false);
  });
});

describe("abortableSleep (fake timers)", () => {
  it("waits exactly the given time", async () => {
    vi.useFakeTimers();
    let done = false;
    const p = abortableSleep(1500).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it("11: rejects at once with AbortError when aborted mid-sleep, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const p = abortableSleep(60_000, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });
});
