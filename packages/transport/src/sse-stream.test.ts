import { startEmulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BODY, collect, textOf, transportFor, type Emu } from "./__fixtures__/harness.js";
import {
  AbortError,
  ServerStreamError,
  StreamIdleTimeoutError,
  StreamIncompleteError,
  StreamInterruptedError,
  StreamParseError,
  TransportError,
  UsageLimitError,
} from "./errors.js";

let emu: Emu;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.close();
});

const sse = (extra: Parameters<typeof transportFor>[1] = {}) => transportFor(emu, { mode: "sse", ...extra });
const LONG = "one two three four five six seven eight nine ten eleven twelve";

describe("SSE stream integrity (reliability §1 items 12-18)", () => {
  it("delivers text, tool calls, reasoning and normalized usage, ending in response.done", async () => {
    emu.script({
      text: "hello world",
      toolCalls: [{ name: "lookup", arguments: { q: "x" }, callId: "call_1" }],
      reasoning: { summary: "thinking hard", encryptedContent: "enc-blob" },
      usage: { input: 100, cached: 40, output: 20, reasoning: 7 },
    });
    const stream = sse().stream(BODY, { sessionId: "s" });
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("hello world");
    const reasoning = events.filter((e) => e.type === "reasoning.delta").map((e) => (e as { delta: string }).delta).join("");
    expect(reasoning).toBe("thinking hard");
    expect(events.find((e) => e.type === "tool_call.done")).toMatchObject({ callId: "call_1", name: "lookup", arguments: '{"q":"x"}' });
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "response.done", status: "completed", usage: { input: 60, cacheRead: 40, output: 20, reasoning: 7, total: 120 } });
    const types = (done as { output: { type: string }[] }).output.map((i) => i.type);
    expect(types).toEqual(expect.arrayContaining(["reasoning", "message", "function_call"]));
    expect(events[0]).toMatchObject({ type: "response.started", transport: "sse" });
    expect(stream.transport).toBe("sse");
  });

  it("reports incomplete and failed responses through response.done", async () => {
    emu.script({ text: "cut", status: "incomplete", incompleteReason: "max_output_tokens" });
    emu.script({ status: "failed", error: { code: "server_error", message: "boom" } });
    const incomplete = await sse().stream(BODY, { sessionId: "s" }).finalResponse();
    expect(incomplete).toMatchObject({ status: "incomplete", reason: "max_output_tokens" });
    const failed = await sse().stream(BODY, { sessionId: "s" }).finalResponse();
    expect(failed).toMatchObject({ status: "failed", error: { code: "server_error", message: "boom" } });
  });

  it("12: end-of-file without a terminal event throws StreamIncompleteError keeping partial text and sequence number", async () => {
    emu.fault({ kind: "sse-no-terminal" });
    emu.script({ text: LONG, toolCalls: [{ name: "f", arguments: "{}" }] });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(StreamIncompleteError);
    const partial = (error as StreamIncompleteError).partial!;
    expect(partial.text).toBe(LONG);
    expect(textOf(events)).toBe(LONG);
    expect(partial.toolCalls).toMatchObject([{ name: "f", arguments: "{}", done: true }]);
    expect(partial.lastSequenceNumber).toBeGreaterThan(5);
    expect(events.some((e) => e.type === "response.done")).toBe(false);
  });

  it("13: a final event without its trailing blank line is delivered, not dropped", async () => {
    emu.fault({ kind: "sse-no-trailing-blank" });
    emu.script({ text: "tail ok" });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
  });

  it("14: a socket destroyed mid-stream gives StreamInterruptedError with the partial output, and no replay", async () => {
    // The stall flushes the first 5 events to the socket before the destroy (a bare destroy may discard them).
    emu.fault({ kind: "stall", afterEvents: 5, ms: 100 });
    emu.fault({ kind: "sse-destroy", afterEvents: 6 });
    emu.script({ text: LONG });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(StreamInterruptedError);
    const e = error as StreamInterruptedError;
    expect(e.partial!.events).toBeGreaterThanOrEqual(5);
    expect(e.partial!.events).toBeLessThanOrEqual(6);
    expect(LONG.startsWith(e.partial!.text)).toBe(true);
    expect(textOf(events)).toBe(e.partial!.text);
    expect(e.cause).toBeDefined();
    expect(emu.requests).toHaveLength(1);
  });

  it("15: one malformed data line gives StreamParseError with index and a redacted snippet; earlier events kept", async () => {
    emu.fault({ kind: "sse-malformed", atEvent: 4 });
    emu.script({ text: LONG });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(StreamParseError);
    const e = error as StreamParseError;
    expect(e.eventIndex).toBe(4);
    expect(e.snippet).toContain("not json");
    expect(e.partial!.events).toBe(4);
    expect(events.length).toBeGreaterThan(0);
  });

  it("16: an error event gives ServerStreamError with the server's code and message; sent once", async () => {
    emu.fault({ kind: "error-event", code: "server_is_overloaded", message: "try later", afterEvents: 3 });
    const { error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ServerStreamError);
    expect((error as ServerStreamError).serverCode).toBe("server_is_overloaded");
    expect((error as Error).message).toContain("try later");
    // Three stream events, then the error event itself.
    expect((error as ServerStreamError).partial!.events).toBe(4);
    // Not retried: the response had started (and may be billed).
    expect(emu.requests).toHaveLength(1);
  });

  it("16: a usage-limit error event becomes UsageLimitError", async () => {
    emu.fault({ kind: "error-event", code: "usage_limit_reached", message: "limit" });
    const { error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(UsageLimitError);
  });

  it("18: a stall longer than idleTimeoutMs gives StreamIdleTimeoutError without waiting for the stall", async () => {
    emu.fault({ kind: "stall", afterEvents: 3, ms: 5000 });
    emu.script({ text: LONG });
    const started = Date.now();
    const { error } = await collect(sse({ idleTimeoutMs: 200 }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect((error as StreamIdleTimeoutError).partial!.events).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("a stall shorter than idleTimeoutMs is fine", async () => {
    emu.fault({ kind: "stall", afterEvents: 3, ms: 100 });
    const { error } = await collect(sse({ idleTimeoutMs: 2000 }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
  });
});

describe("ResponseStream", () => {
  it("abort mid-stream rejects promptly with AbortError carrying the partial output", async () => {
    emu.fault({ kind: "stall", afterEvents: 4, ms: 5000 });
    emu.script({ text: LONG });
    const controller = new AbortController();
    const stream = sse().stream(BODY, { sessionId: "s", signal: controller.signal });
    const events: unknown[] = [];
    const started = Date.now();
    let caught: unknown;
    try {
      for await (const e of stream) {
        events.push(e);
        if (events.length === 1) setTimeout(() => controller.abort(), 20);
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AbortError);
    expect((caught as AbortError).partial!.events).toBeGreaterThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("is single-use, and tee() gives two readers the same events", async () => {
    emu.script({ text: "shared text" });
    const stream = sse().stream(BODY, { sessionId: "s" });
    const [a, b] = stream.tee();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TransportError);
    const [ra, rb] = await Promise.all([collect(a), collect(b)]);
    expect(ra.events).toEqual(rb.events);
    expect(textOf(ra.events)).toBe("shared text");
  });

  it("breaking out of for-await closes the request", async () => {
    emu.fault({ kind: "stall", afterEvents: 3, ms: 5000 });
    const stream = sse().stream(BODY, { sessionId: "s" });
    for await (const e of stream) if (e.type === "text.delta" || e.type === "response.started") break;
    await expect(stream.finalResponse()).rejects.toBeInstanceOf(TransportError);
  });
});
