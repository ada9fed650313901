import { startEmulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { API_KEY, BODY, collect, textOf, transportFor, type Emu } from "./__fixtures__/harness.js";
import {
  AbortError,
  AuthenticationError,
  ConnectTimeoutError,
  PermissionError,
  RateLimitError,
  ServerStreamError,
  TransportError,
  UsageLimitError,
  WebSocketClosedError,
} from "./errors.js";
import type { ResponsesTransport } from "./responses-transport.js";

let emu: Emu;
const open: ResponsesTransport[] = [];
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  for (const t of open.splice(0)) t.close();
  await emu.close();
});

function ws(extra: Parameters<typeof transportFor>[1] = {}) {
  const t = transportFor(emu, { mode: "websocket", wsRetryDelayMs: 0, ...extra });
  open.push(t);
  return t;
}
const upgrades = () => emu.requests.filter((r) => r.transport === "websocket");

describe("WebSocket transport", () => {
  it("reuses one connection per session across turns; frames are response.create without stream/background", async () => {
    emu.script({ text: "first" }, { text: "second" });
    const t = ws();
    const one = await collect(t.stream({ ...BODY, stream: true, background: false }, { sessionId: "sess", turnId: "t1" }));
    const firstId = (one.events.at(-1) as { responseId: string }).responseId;
    const two = await collect(t.stream({ ...BODY, previous_response_id: firstId }, { sessionId: "sess", turnId: "t2" }));
    expect([textOf(one.events), textOf(two.events)]).toEqual(["first", "second"]);
    expect(one.events[0]).toMatchObject({ type: "response.started", transport: "websocket" });
    const [up] = upgrades();
    expect(upgrades()).toHaveLength(1);
    expect(up!.path).toBe("/v1/responses");
    expect(up!.headers).toMatchObject({ "openai-beta": "responses_websockets=2026-02-06", session_id: "sess", "x-client-request-id": "t1", "x-genesis-attempt": "0" });
    expect(emu.authHeaderOf(up!.id)).toBe(`Bearer ${API_KEY}`);
    expect(up!.frames).toEqual([
      { type: "response.create", ...BODY },
      { type: "response.create", ...BODY, previous_response_id: firstId },
    ]);
    expect(emu.requests.filter((r) => r.transport === "http")).toHaveLength(0);
    expect(t.state().lastTransport).toBe("websocket");
  });

  it("closes a socket idle for idleSocketMs; the next turn reconnects", async () => {
    const t = ws({ idleSocketMs: 50 });
    await collect(t.stream(BODY, { sessionId: "s" }));
    await new Promise((r) => setTimeout(r, 150));
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(upgrades()).toHaveLength(2);
  });

  it("opens one connection per session", async () => {
    const t = ws();
    await collect(t.stream(BODY, { sessionId: "a" }));
    await collect(t.stream(BODY, { sessionId: "b" }));
    expect(upgrades().map((u) => u.headers["session_id"])).toEqual(["a", "b"]);
  });

  it("warm() sends generate:false with empty input and the turn then reuses the warm socket", async () => {
    emu.script({ text: "after warm-up" });
    const t = ws();
    await t.warm("sess", { ...BODY, instructions: "be brief" });
    const { events } = await collect(t.stream(BODY, { sessionId: "sess" }));
    expect(textOf(events)).toBe("after warm-up");
    expect(upgrades()).toHaveLength(1);
    expect(upgrades()[0]!.frames).toEqual([
      { type: "response.create", model: BODY.model, instructions: "be brief", input: [], generate: false },
      { type: "response.create", ...BODY },
    ]);
  });

  it("warmup:false makes warm() only open the socket", async () => {
    const t = ws({ warmup: false });
    await t.warm("sess", BODY);
    expect(upgrades()).toHaveLength(1);
    expect(upgrades()[0]!.frames ?? []).toEqual([]);
  });

  it("22: a hanging handshake fails with ConnectTimeoutError within handshakeTimeoutMs", async () => {
    emu.fault({ kind: "ws-blackhole-handshake", times: 2 });
    const started = Date.now();
    const { error } = await collect(ws({ handshakeTimeoutMs: 150 }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    [401, AuthenticationError],
    [403, PermissionError],
    [429, RateLimitError],
  ] as const)("22: %i on the upgrade is the matching typed error, not a generic close, and is not retried", async (status, Type) => {
    emu.fault({ kind: "ws-upgrade-status", status, headers: status === 429 ? { "retry-after": "7" } : {}, body: { error: { message: `no ${API_KEY}`, code: "x" } } });
    const { error } = await collect(ws().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(Type);
    expect((error as Error).message).not.toContain(API_KEY);
    if (status === 429) expect((error as RateLimitError).retryAfterMs).toBe(7000);
    expect(upgrades()).toHaveLength(1);
  });

  it("26: a redirect answer to the upgrade is never followed, so credentials stay on this origin", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 307, headers: { location: `ws://localhost:${emu.port}/v1/responses` } });
    const { error } = await collect(ws().stream(BODY, { sessionId: "s" }));
    expect((error as { status?: number }).status).toBe(307);
    expect(upgrades()).toHaveLength(1);
  });

  it("a usage limit on the upgrade is UsageLimitError", async () => {
    emu.fault({ kind: "usage-limit", match: { transport: "websocket" }, planType: "pro" });
    const { error } = await collect(ws().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).plan).toBe("pro");
  });

  it.each([1000, 1002, 1008])("21: close %i is permanent: no reconnect, code and reason reported", async (code) => {
    emu.fault({ kind: "ws-close", code, afterEvents: 0 });
    const { error } = await collect(ws().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(WebSocketClosedError);
    expect((error as WebSocketClosedError).closeCode).toBe(code);
    expect(upgrades()).toHaveLength(1);
  });

  it("an error frame gives ServerStreamError; the socket stays usable for the next turn", async () => {
    emu.fault({ kind: "error-event", code: "response_already_in_flight", message: "busy", afterEvents: 2 });
    const t = ws();
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(ServerStreamError);
    expect((error as ServerStreamError).serverCode).toBe("response_already_in_flight");
    emu.script({ text: "next" });
    expect(textOf((await collect(t.stream(BODY, { sessionId: "s" }))).events)).toBe("next");
    expect(upgrades()).toHaveLength(1);
  });

  it("24: a peer that stops answering pings is terminated; the next turn reconnects", async () => {
    emu.fault({ kind: "ws-no-pong" });
    emu.fault({ kind: "stall", afterEvents: 3, ms: 3000 });
    const t = ws({ heartbeatMs: 80 });
    const started = Date.now();
    const { error } = await collect(t.stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(WebSocketClosedError);
    expect((error as WebSocketClosedError).closeCode).toBe(1006);
    expect((error as WebSocketClosedError).partial!.events).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000);
    emu.script({ text: "fresh" });
    expect(textOf((await collect(t.stream(BODY, { sessionId: "s" }))).events)).toBe("fresh");
    expect(upgrades()).toHaveLength(2);
  });

  it("24: the heartbeat timer runs while open and is cleared on close", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const t = ws({ heartbeatMs: 1000 });
      await collect(t.stream(BODY, { sessionId: "s" }));
      expect(vi.getTimerCount()).toBe(1);
      t.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("abort mid-stream rejects promptly and drops the socket so stale events cannot leak", async () => {
    emu.fault({ kind: "stall", afterEvents: 3, ms: 3000 });
    const t = ws();
    const controller = new AbortController();
    const stream = t.stream(BODY, { sessionId: "s", signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const { error } = await collect(stream);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(2000);
    emu.script({ text: "clean" });
    expect(textOf((await collect(t.stream(BODY, { sessionId: "s" }))).events)).toBe("clean");
    expect(upgrades()).toHaveLength(2);
  });

  it("23: turns started together while the socket opens are queued and sent in order on one socket", async () => {
    emu.script({ text: "a" }, { text: "b" }, { text: "c" });
    const t = ws();
    const results = await Promise.all(["first", "second", "third"].map((input) => collect(t.stream({ ...BODY, input }, { sessionId: "q" }))));
    expect(results.map((r) => textOf(r.events))).toEqual(["a", "b", "c"]);
    expect(upgrades()).toHaveLength(1);
    expect((upgrades()[0]!.frames as { input: string }[]).map((f) => f.input)).toEqual(["first", "second", "third"]);
  });

  it("23: a frame larger than the send queue bound raises an explicit error", async () => {
    const { error } = await collect(ws({ maxQueueBytes: 16 }).stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe("ws_send_queue_full");
  });

  it("23: frames queued while connecting are returned as unsent when the connection fails for good", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401 });
    const { error } = await collect(ws().stream(BODY, { sessionId: "s" }));
    expect((error as TransportError).unsent.map((f) => JSON.parse(f))).toEqual([{ type: "response.create", ...BODY }]);
  });

  it("works against the Codex backend path", async () => {
    emu.script({ text: "codex ws" });
    const tokens = emu.auth.issueTokens({ accountId: "acct_1" });
    const t = ws({ baseUrl: emu.codexBase, headers: () => ({ authorization: `Bearer ${tokens.access_token}`, "chatgpt-account-id": "acct_1" }) });
    const { events, error } = await collect(t.stream({ ...BODY, store: false }, { sessionId: "s" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("codex ws");
    expect(upgrades()[0]!.path).toBe("/backend-api/codex/responses");
  });
});
