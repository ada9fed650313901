import { startEmulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BODY, collect, recordingSleep, textOf, transportFor, type Emu } from "./__fixtures__/harness.js";
import { AuthenticationError, WebSocketClosedError } from "./errors.js";
import type { ResponsesTransport } from "./responses-transport.js";

let emu: Emu;
const open: ResponsesTransport[] = [];
let clock = 1_000_000;
beforeEach(async () => {
  emu = await startEmulator();
  clock = 1_000_000;
});
afterEach(async () => {
  for (const t of open.splice(0)) t.close();
  await emu.close();
});

function auto(extra: Parameters<typeof transportFor>[1] = {}) {
  const t = transportFor(emu, { mode: "auto", now: () => clock, random: () => 0, ...extra });
  open.push(t);
  return t;
}
const upgrades = () => emu.requests.filter((r) => r.transport === "websocket");
const posts = () => emu.requests.filter((r) => r.transport === "http");

describe("auto mode (reliability §1 items 19, 20, 25)", () => {
  it("uses WebSocket first when healthy", async () => {
    emu.script({ text: "over ws" });
    const t = auto();
    const { events } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(events)).toBe("over ws");
    expect(t.state()).toEqual({ lastTransport: "websocket" });
    expect(posts()).toHaveLength(0);
  });

  it("19: one early 1006 is retried once after a jittered delay, and the retry succeeds on WebSocket", async () => {
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 0 });
    // The emulator spends one scripted turn on the request that it then closes.
    emu.script({ text: "lost" }, { text: "second socket" });
    const { delays, sleep } = recordingSleep();
    const t = auto({ sleep, random: () => 1 });
    const { events, error } = await collect(t.stream(BODY, { sessionId: "s", turnId: "turn" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("second socket");
    expect(delays).toEqual([375]); // 500 ms × jitter 0.75
    expect(upgrades().map((u) => [u.headers["x-client-request-id"], u.headers["x-genesis-attempt"]])).toEqual([
      ["turn", "0"],
      ["turn", "1"],
    ]);
    expect(t.state().wsDegradedUntil).toBeUndefined();
  });

  it("19/25: two early failures fall back to SSE for the turn (same turn id, next attempt number) and mark WS degraded", async () => {
    emu.fault({ kind: "ws-refuse", times: 2 });
    emu.script({ text: "via sse" });
    const { delays, sleep } = recordingSleep();
    const t = auto({ sleep });
    const { events, error } = await collect(t.stream(BODY, { sessionId: "s", turnId: "turn" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("via sse");
    // Falls back after ONE retry, not after a long reconnect loop (codex#19821).
    expect(upgrades()).toHaveLength(2);
    expect(delays).toHaveLength(1);
    const [post] = posts();
    expect(post!.headers).toMatchObject({ "x-client-request-id": "turn", "x-genesis-attempt": "2", session_id: "s" });
    expect(post!.body).toEqual({ ...BODY, stream: true });
    expect(t.state()).toEqual({ lastTransport: "sse", wsDegradedUntil: clock + 60_000 });
  });

  it("25: during the cool-down SSE is used; after it WebSocket is probed again and recovers", async () => {
    emu.fault({ kind: "ws-refuse", times: 2 });
    const { sleep } = recordingSleep();
    const t = auto({ sleep, degradedCooldownMs: 30_000 });
    await collect(t.stream(BODY, { sessionId: "s" }));
    expect(upgrades()).toHaveLength(2);
    clock += 29_999;
    await collect(t.stream(BODY, { sessionId: "s" }));
    expect(upgrades()).toHaveLength(2);
    expect(posts()).toHaveLength(2);
    clock += 2;
    emu.script({ text: "ws is back" });
    const { events } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(events)).toBe("ws is back");
    expect(upgrades()).toHaveLength(3);
    expect(t.state()).toEqual({ lastTransport: "websocket" });
  });

  it("19: a failure after the first event is surfaced with the partial output: no fallback, no replay", async () => {
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 4 });
    const { sleep, delays } = recordingSleep();
    const t = auto({ sleep });
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(WebSocketClosedError);
    expect((error as WebSocketClosedError).partial!.events).toBe(4);
    expect(posts()).toHaveLength(0);
    expect(upgrades()).toHaveLength(1);
    expect(delays).toEqual([]);
    // The next turn avoids the flaky socket for the cool-down.
    expect(t.state().wsDegradedUntil).toBe(clock + 60_000);
  });

  it("20: close 1009 from the server uses SSE for that request only (not degraded)", async () => {
    emu.fault({ kind: "ws-close", code: 1009, afterEvents: 0 });
    emu.script({ text: "lost" }, { text: "big via sse" }, { text: "back on ws" });
    const { sleep, delays } = recordingSleep();
    const t = auto({ sleep });
    const first = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(first.events)).toBe("big via sse");
    expect(delays).toEqual([]);
    expect(t.state().wsDegradedUntil).toBeUndefined();
    const second = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(second.events)).toBe("back on ws");
    expect(second.events[0]).toMatchObject({ transport: "websocket" });
  });

  it("20: a local maxPayload overflow (reported as 1006) goes to SSE once and never loops", async () => {
    emu.script({ text: "x".repeat(2000) });
    const { sleep, delays } = recordingSleep();
    const t = auto({ sleep, maxPayload: 512 });
    const { events, error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    expect(upgrades()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("21 in auto: a permanent close (1008) before any event is surfaced, not retried over SSE", async () => {
    emu.fault({ kind: "ws-close", code: 1008, afterEvents: 0 });
    const { error } = await collect(auto().stream(BODY, { sessionId: "s" }));
    expect((error as WebSocketClosedError).closeCode).toBe(1008);
    expect(posts()).toHaveLength(0);
  });

  it("a 401 on the upgrade is surfaced (SSE would get the same answer)", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401 });
    const { error } = await collect(auto().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(posts()).toHaveLength(0);
  });

  it("a warm-up that fails twice marks WebSocket degraded instead of throwing", async () => {
    emu.fault({ kind: "ws-refuse", times: 2 });
    const { sleep, delays } = recordingSleep();
    const t = auto({ sleep });
    await t.warm("s", BODY);
    expect(upgrades()).toHaveLength(2);
    expect(delays).toEqual([500]);
    expect(t.state().wsDegradedUntil).toBe(clock + 60_000);
    emu.script({ text: "sse after failed warm-up" });
    const { events } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(events)).toBe("sse after failed warm-up");
    expect(posts()).toHaveLength(1);
  });

  it("a warm-up dropped once (1006) is retried, and the first turn then runs on the warmed WebSocket", async () => {
    // The `pnpm demo` case: one leftover 1006 hit the warm-up, which used to degrade at once
    // and send the turn over SSE.
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 0, match: { transport: "websocket" } });
    const { sleep, delays } = recordingSleep();
    const t = auto({ sleep });
    await t.warm("s", BODY);
    expect(delays).toHaveLength(1);
    expect(t.state().wsDegradedUntil).toBeUndefined();
    emu.script({ text: "on the warmed socket" });
    const { events } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(textOf(events)).toBe("on the warmed socket");
    expect(posts()).toHaveLength(0);
    // Two upgrades: the dropped warm-up and its retry; the turn reuses the second socket.
    expect(upgrades()).toHaveLength(2);
    const frames = upgrades()[1]!.frames as Record<string, unknown>[];
    expect(frames.map((f) => f.generate)).toEqual([false, undefined]);
    expect(t.state()).toEqual({ lastTransport: "websocket" });
  });

  it("25 with the default clock: SSE for 60 s after a failure, then WebSocket is probed again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(5_000_000);
      emu.fault({ kind: "ws-refuse", times: 2 });
      const t = transportFor(emu, { mode: "auto", sleep: recordingSleep().sleep });
      open.push(t);
      await collect(t.stream(BODY, { sessionId: "s" }));
      expect(t.state()).toEqual({ lastTransport: "sse", wsDegradedUntil: 5_060_000 });
      vi.setSystemTime(5_059_999);
      await collect(t.stream(BODY, { sessionId: "s" }));
      expect(upgrades()).toHaveLength(2);
      expect(posts()).toHaveLength(2);
      vi.setSystemTime(5_060_000);
      emu.script({ text: "probe ok" });
      const { events } = await collect(t.stream(BODY, { sessionId: "s" }));
      expect(textOf(events)).toBe("probe ok");
      expect(upgrades()).toHaveLength(3);
      expect(t.state()).toEqual({ lastTransport: "websocket" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("mode sse never opens a WebSocket, and warm() is a no-op", async () => {
    const t = auto({ mode: "sse" });
    await t.warm("s", BODY);
    await collect(t.stream(BODY, { sessionId: "s" }));
    expect(upgrades()).toHaveLength(0);
  });
});
