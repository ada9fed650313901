import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { inspect } from "node:util";
import { startEmulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_KEY, BODY, collect, recordingSleep, textOf, transportFor, type Emu } from "./__fixtures__/harness.js";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectTimeoutError,
  ConnectionError,
  RateLimitError,
  RedirectError,
  UsageLimitError,
  describeError,
} from "./errors.js";

let emu: Emu;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.close();
});

const sse = (extra: Parameters<typeof transportFor>[1] = {}) => transportFor(emu, { mode: "sse", ...extra });
const http = () => emu.requests.filter((r) => r.transport === "http");

describe("SSE request shape", () => {
  it("POSTs the body with stream:true, auth, identity headers, and SSE-only extra headers", async () => {
    emu.script({ text: "hi back" });
    const t = sse({ sseExtraHeaders: { "OpenAI-Beta": "responses=experimental" } });
    const { events, error } = await collect(t.stream(BODY, { sessionId: "sess-1", turnId: "turn-1" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("hi back");
    const [req] = http();
    expect(req).toMatchObject({ method: "POST", path: "/v1/responses", body: { ...BODY, stream: true } });
    expect(req!.headers).toMatchObject({
      accept: "text/event-stream",
      "content-type": "application/json",
      "openai-beta": "responses=experimental",
      session_id: "sess-1",
      "x-client-request-id": "turn-1",
      "x-genesis-attempt": "0",
    });
    expect(emu.authHeaderOf(req!.id)).toBe(`Bearer ${API_KEY}`);
    expect(t.state().lastTransport).toBe("sse");
  });

  it("calls headers() per attempt so a refreshed token is used on the retry", async () => {
    emu.fault({ kind: "http-status", status: 503 });
    let n = 0;
    const { sleep } = recordingSleep();
    const t = sse({ sleep, headers: () => ({ authorization: `Bearer sk-token-number-${++n}xxxxxx` }) });
    await collect(t.stream(BODY, { sessionId: "s" }));
    const reqs = http();
    expect(reqs.map((r) => emu.authHeaderOf(r.id))).toEqual(["Bearer sk-token-number-1xxxxxx", "Bearer sk-token-number-2xxxxxx"]);
  });
});

describe("HTTP retry policy (reliability §1 items 1-11)", () => {
  it("1: 429 with retry-after-ms 1500 waits exactly 1.5 s once, then succeeds; attempt header increments", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1500" });
    emu.script({ text: "after wait" });
    const { delays, sleep } = recordingSleep();
    const { events, error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s", turnId: "t" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("after wait");
    expect(delays).toEqual([1500]);
    expect(http().map((r) => [r.headers["x-genesis-attempt"], r.headers["x-client-request-id"], r.headers["session_id"]])).toEqual([
      ["0", "t", "s"],
      ["1", "t", "s"],
    ]);
  });

  it("1: 429 until attempts run out gives RateLimitError with status, request id and every attempt", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "10", times: 3 });
    const { delays, sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.code).toBe("rate_limited");
    expect(e.serverCode).toBe("rate_limit_exceeded");
    expect(e.requestId).toMatch(/.+/);
    expect(e.attempts.map((a) => a.status)).toEqual([429, 429, 429]);
    expect(e.retryAfterMs).toBe(10);
    expect(delays).toEqual([10, 10]);
    expect(http()).toHaveLength(3);
  });

  it.each([
    ["3600 seconds", { retryAfter: "3600" }],
    ["an HTTP date 1 h ahead", { retryAfter: new Date(Date.now() + 3_600_000).toUTCString() }],
  ])("2: Retry-After of %s is never slept; normal backoff is used and retryAfterMs is reported", async (_name, fault) => {
    emu.fault({ kind: "rate-limit", ...fault, times: 3 });
    const { delays, sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep, random: () => 0 }).stream(BODY, { sessionId: "s" }));
    expect(delays).toEqual([500, 1000]);
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(3_500_000);
  });

  it.each(["-5", "abc", "NaN", "Thu, 01 Jan 1970 00:00:00 GMT"])("3: Retry-After %j falls back to backoff (no hot loop)", async (value) => {
    emu.fault({ kind: "rate-limit", retryAfter: value, times: 3 });
    const { delays, sleep } = recordingSleep();
    await collect(sse({ sleep, random: () => 0 }).stream(BODY, { sessionId: "s" }));
    expect(delays).toEqual([500, 1000]);
  });

  it.each([408, 409, 429, 500, 502, 503, 504])("4: status %i is retried up to maxRetries (3 attempts)", async (status) => {
    emu.fault({ kind: "http-status", status, times: 3 });
    const { sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(status);
    expect((error as ApiError).attempts).toHaveLength(3);
    expect(http()).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 422])("4: status %i is sent once", async (status) => {
    emu.fault({ kind: "http-status", status, times: 3 });
    const { delays, sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect((error as ApiError).status).toBe(status);
    if (status === 401) expect(error).toBeInstanceOf(AuthenticationError);
    expect(http()).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("5: x-should-retry:true on a 400 is retried; x-should-retry:false on a 503 is not", async () => {
    emu.fault({ kind: "http-status", status: 400, headers: { "x-should-retry": "true" } });
    emu.script({ text: "ok" });
    const { sleep } = recordingSleep();
    const first = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect(first.error).toBeUndefined();
    expect(http()).toHaveLength(2);
    emu.fault({ kind: "http-status", status: 503, headers: { "x-should-retry": "false" } });
    const second = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect((second.error as ApiError).status).toBe(503);
    expect(http()).toHaveLength(3);
  });

  it("6: backoff with random 0 and 1 is min(0.5·2ⁿ, 8) s × 1.0 / × 0.75", async () => {
    for (const [random, expected] of [
      [0, [500, 1000, 2000, 4000, 8000, 8000]],
      [1, [375, 750, 1500, 3000, 6000, 6000]],
    ] as const) {
      emu.fault({ kind: "http-status", status: 500, times: 7 });
      const { delays, sleep } = recordingSleep();
      await collect(sse({ sleep, random: () => random, maxRetries: 6 }).stream(BODY, { sessionId: "s" }));
      expect(delays).toEqual(expected);
    }
  });

  it("8: a refused connection is retried, then ConnectionError keeps the cause", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { delays, sleep } = recordingSleep();
    const t = transportFor(emu, { mode: "sse", baseUrl: `http://127.0.0.1:${port}/v1`, sleep });
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).attempts).toHaveLength(3);
    expect((error as ConnectionError).attempts[0]!.message).toBe("ECONNREFUSED");
    expect((error as Error).cause).toBeDefined();
    expect(delays).toHaveLength(2);
  });

  it("8: a reset before any response byte is retried and then succeeds", async () => {
    emu.fault({ kind: "connection-reset" });
    emu.script({ text: "second try" });
    const { sleep } = recordingSleep();
    const { events, error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("second try");
  });

  it("9: does not apply: the body is serialized once before the first attempt, so every retry re-sends the same bytes", async () => {
    // Item 9 guards retries of a streamed (one-shot) request body. Ours is a plain object,
    // turned into one JSON string up front; a body that is not a plain object is refused.
    emu.fault({ kind: "http-status", status: 503, times: 1 });
    const body = { ...BODY, metadata: { n: "1" } };
    const t = sse({ sleep: recordingSleep().sleep });
    const stream = t.stream(body, { sessionId: "s" });
    body.metadata.n = "changed after the call";
    expect((await collect(stream)).error).toBeUndefined();
    const [first, second] = http();
    expect(second!.body).toEqual(first!.body);
    expect(first!.body).toEqual({ ...BODY, metadata: { n: "1" }, stream: true });
    expect(() => t.stream([] as unknown as Record<string, unknown>, { sessionId: "s" })).toThrow(/CreateResponse object/);
  });

  it("10: a server that accepts but never sends headers gives ConnectTimeoutError at timeoutMs", async () => {
    const silent: Server = createServer((socket) => socket.on("error", () => undefined));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const t = transportFor(emu, { mode: "sse", baseUrl: `http://127.0.0.1:${port}/v1`, timeoutMs: 150, maxRetries: 0 });
      const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
      expect(error).toBeInstanceOf(ConnectTimeoutError);
      expect((error as ConnectTimeoutError).timeoutMs).toBe(150);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });

  it("10: slow-first-byte beyond timeoutMs times out, within it succeeds", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 400 });
    const { error } = await collect(sse({ timeoutMs: 100, maxRetries: 0 }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    emu.fault({ kind: "slow-first-byte", ms: 50 });
    const ok = await collect(sse({ timeoutMs: 2000 }).stream(BODY, { sessionId: "s" }));
    expect(ok.error).toBeUndefined();
  });

  it("an error answer whose body never ends is bounded by idleTimeoutMs (tiny server: the emulator always ends bodies)", async () => {
    const hanging = createHttpServer((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.write('{"error":{"message":"partial');
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      const port = (hanging.address() as { port: number }).port;
      const started = Date.now();
      const t = transportFor(emu, { mode: "sse", baseUrl: `http://127.0.0.1:${port}/v1`, idleTimeoutMs: 150, maxRetries: 0 });
      const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
      expect((error as ApiError).status).toBe(500);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it("11: aborting during a retry sleep rejects at once with AbortError and makes no further attempt", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "30000", times: 3 });
    const controller = new AbortController();
    const started = Date.now();
    const stream = sse().stream(BODY, { sessionId: "s", signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const { error } = await collect(stream);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(http()).toHaveLength(1);
  });

  it("usage-limit answers become UsageLimitError with plan and reset time, and are not retried", async () => {
    const now = Date.UTC(2026, 0, 1);
    emu.fault({ kind: "usage-limit", planType: "plus", resetsAt: now / 1000 + 25 * 60 });
    const { delays, sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep, now: () => now }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).plan).toBe("plus");
    expect((error as Error).message).toContain("resets in 25 min");
    expect(delays).toEqual([]);
    expect(http()).toHaveLength(1);
  });
});

describe("credentials (reliability §1 item 26)", () => {
  it("26: a cross-origin redirect is not followed, so the key never reaches the other origin", async () => {
    // 127.0.0.1 and localhost are different origins; the emulator records any request that arrives.
    emu.fault({ kind: "http-status", status: 307, headers: { location: `http://localhost:${emu.port}/v1/responses` } });
    const t = sse({ headers: { "api-key": "azure-secret-canary-42", authorization: `Bearer ${API_KEY}` } });
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(RedirectError);
    expect(http()).toHaveLength(1);
  });

  it("26: a same-origin 307 is followed with the same headers", async () => {
    emu.fault({ kind: "http-status", status: 307, headers: { location: "/v1/responses" } });
    emu.script({ text: "moved" });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("moved");
    expect(emu.authHeaderOf(http()[1]!.id)).toBe(`Bearer ${API_KEY}`);
  });

  it("canary: secrets echoed by the server never appear in message, describeError, inspect or JSON", async () => {
    const azureKey = "azure-secret-canary-42";
    emu.fault({ kind: "http-status", status: 400, body: { error: { message: `bad key ${API_KEY} / ${azureKey}`, code: "invalid_api_key" } } });
    const t = sse({ headers: { "api-key": azureKey, authorization: `Bearer ${API_KEY}` } });
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ApiError);
    for (const text of [(error as Error).message, describeError(error), inspect(error), JSON.stringify(error)]) {
      expect(text).not.toContain("canary");
    }
  });
});
