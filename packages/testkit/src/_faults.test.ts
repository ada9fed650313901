import { connect } from "node:net";
import { WebSocket } from "ws";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KEY, openSocket, post, sseFrames } from "./__fixtures__/clients.js";
import { startEmulator, type Emulator } from "./index.js";

// Every fault observed from a plain client (fetch, raw TCP or `ws`), never through Genesis code.
let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

const streamBody = { model: "gpt-5.4", input: "hello there", stream: true };
const create = JSON.stringify({ type: "response.create", model: "gpt-5.4", input: "hello there" });

describe("HTTP faults", () => {
  it("http-status answers the status, headers and body, for `times` requests only", async () => {
    emu.fault({ kind: "http-status", status: 503, headers: { "x-why": "test" }, times: 2 });
    const a = await post(`${emu.apiBase}/responses`, streamBody);
    expect(a.status).toBe(503);
    expect(a.headers.get("x-why")).toBe("test");
    expect(JSON.parse(a.text)).toMatchObject({ error: { type: "server_error" } });
    expect((await post(`${emu.apiBase}/responses`, streamBody)).status).toBe(503);
    expect((await post(`${emu.apiBase}/responses`, streamBody)).status).toBe(200);
  });

  it("rate-limit answers 429 with retry-after and retry-after-ms", async () => {
    emu.fault({ kind: "rate-limit", retryAfter: "2", retryAfterMs: "1500" });
    const r = await post(`${emu.apiBase}/responses`, streamBody);
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("2");
    expect(r.headers.get("retry-after-ms")).toBe("1500");
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: "rate_limit_exceeded" } });
  });

  it("usage-limit answers usage_limit_reached with plan_type and resets_at", async () => {
    emu.fault({ kind: "usage-limit", planType: "pro", resetsAt: 1_900_000_000 });
    const r = await post(`${emu.codexBase}/responses`, streamBody);
    expect(r.status).toBe(429);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: "usage_limit_reached", type: "usage_limit_reached", plan_type: "pro", resets_at: 1_900_000_000 } });
  });

  it("match.path limits a fault to one path", async () => {
    emu.fault({ kind: "http-status", status: 500, match: { path: "/v1/models" } });
    expect((await post(`${emu.apiBase}/responses`, streamBody)).status).toBe(200);
    expect((await fetch(`${emu.apiBase}/models`, { headers: KEY })).status).toBe(500);
  });

  it("connection-reset destroys the socket before any response byte", async () => {
    emu.fault({ kind: "connection-reset" });
    await expect(post(`${emu.apiBase}/responses`, streamBody)).rejects.toThrow();
    expect(emu.requests).toHaveLength(1);
  });

  it("slow-first-byte delays the status line", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 250 });
    const t0 = performance.now();
    const res = await fetch(`${emu.apiBase}/models`, { headers: KEY });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    expect(res.status).toBe(200);
  });
});

describe("SSE faults", () => {
  it("sse-no-terminal ends the stream cleanly without response.completed", async () => {
    emu.fault({ kind: "sse-no-terminal" });
    const r = await post(`${emu.apiBase}/responses`, streamBody);
    const events = sseFrames(r.text).map((f) => f.event);
    expect(events.at(-1)).toBe("response.output_item.done");
    expect(events).not.toContain("response.completed");
  });

  it("sse-no-trailing-blank drops the final blank line", async () => {
    emu.fault({ kind: "sse-no-trailing-blank" });
    const r = await post(`${emu.apiBase}/responses`, streamBody);
    expect(r.text.endsWith("}\n")).toBe(true);
    expect(r.text.endsWith("\n\n")).toBe(false);
    expect(r.text).toContain("event: response.completed");
  });

  it("sse-malformed inserts one data line that is not JSON", async () => {
    emu.fault({ kind: "sse-malformed", atEvent: 2 });
    const frames = sseFrames((await post(`${emu.apiBase}/responses`, streamBody)).text);
    const bad = frames.filter((f) => {
      try {
        JSON.parse(f.data);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toHaveLength(1);
    expect(frames.indexOf(bad[0]!)).toBe(2);
    expect(frames.at(-1)!.event).toBe("response.completed");
  });

  it("sse-destroy cuts the socket after N events", async () => {
    emu.fault({ kind: "sse-destroy", afterEvents: 3 });
    const res = await fetch(`${emu.apiBase}/responses`, { method: "POST", headers: { ...KEY, "content-type": "application/json" }, body: JSON.stringify(streamBody) });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    const err = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        text += Buffer.from(value).toString();
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(sseFrames(text)).toHaveLength(3);
  });

  it("error-event sends `event: error` after N events and ends the stream", async () => {
    emu.fault({ kind: "error-event", code: "server_error", message: "kaboom", afterEvents: 2 });
    const frames = sseFrames((await post(`${emu.apiBase}/responses`, streamBody)).text);
    expect(frames).toHaveLength(3);
    expect(frames[2]!.event).toBe("error");
    expect(JSON.parse(frames[2]!.data)).toEqual({ type: "error", sequence_number: 2, code: "server_error", message: "kaboom", param: null });
  });

  it("huge-event inserts one oversized event; sse-keepalive-only sends nothing but comments", async () => {
    emu.fault({ kind: "huge-event", bytes: 1_000_000 });
    const frames = sseFrames((await post(`${emu.apiBase}/responses`, streamBody)).text);
    expect(frames[1]!.event).toBe("response.emulator.padding");
    expect(frames[1]!.data.length).toBeGreaterThan(1_000_000);
    expect(frames.at(-1)!.event).toBe("response.completed");

    emu.fault({ kind: "sse-keepalive-only", intervalMs: 20 });
    const abort = new AbortController();
    const res = await fetch(`${emu.apiBase}/responses`, { method: "POST", headers: { ...KEY, "content-type": "application/json" }, body: JSON.stringify(streamBody), signal: abort.signal });
    const reader = res.body!.getReader();
    let text = "";
    while ((text.match(/: keep-alive/g) ?? []).length < 3) text += Buffer.from((await reader.read()).value!).toString();
    abort.abort();
    expect(text).not.toContain("event:");
  });

  it("stall is driven by fake timers when a test installs them", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      emu.fault({ kind: "stall", afterEvents: 2, ms: 60_000 });
      const res = await fetch(`${emu.apiBase}/responses`, { method: "POST", headers: { ...KEY, "content-type": "application/json" }, body: JSON.stringify(streamBody) });
      const reader = res.body!.getReader();
      let text = "";
      while (sseFrames(text).length < 2) text += Buffer.from((await reader.read()).value!).toString();
      expect(text).not.toContain("response.completed");
      await vi.advanceTimersByTimeAsync(60_000);
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += Buffer.from(r.value).toString();
      expect(sseFrames(text).at(-1)!.event).toBe("response.completed");
    } finally {
      vi.useRealTimers();
    }
  });

  it("stall pauses mid-stream; latency delays every frame", async () => {
    emu.fault({ kind: "stall", afterEvents: 2, ms: 300 });
    let t0 = performance.now();
    await post(`${emu.apiBase}/responses`, streamBody);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    emu.fault({ kind: "latency", perFrameMs: 20 });
    t0 = performance.now();
    const r = await post(`${emu.apiBase}/responses`, streamBody);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(sseFrames(r.text).length * 20 - 10);
  });
});

describe("WebSocket faults", () => {
  const url = (): string => emu.wsUrl("/v1/responses");

  it("ws-refuse destroys the socket during the upgrade", async () => {
    emu.fault({ kind: "ws-refuse" });
    await expect(openSocket(url())).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it.each([401, 429] as const)("ws-upgrade-status answers HTTP %i to the upgrade", async (status) => {
    emu.fault({ kind: "ws-upgrade-status", status, headers: { "retry-after": "1" } });
    const err = (await openSocket(url()).catch((e: unknown) => e)) as { status: number; res: { headers: Record<string, string> } };
    expect(err.status).toBe(status);
    expect(err.res.headers["retry-after"]).toBe("1");
  });

  it("an HTTP fault matched to transport websocket refuses the upgrade with its status", async () => {
    emu.fault({ kind: "rate-limit", retryAfter: "3", match: { transport: "websocket" } });
    expect(((await openSocket(url()).catch((e: unknown) => e)) as { status: number }).status).toBe(429);
    expect((await post(`${emu.apiBase}/responses`, streamBody)).status).toBe(200);
  });

  it("ws-blackhole-handshake never answers the upgrade", async () => {
    emu.fault({ kind: "ws-blackhole-handshake" });
    await expect(openSocket(url(), KEY, { handshakeTimeout: 200 })).rejects.toThrow(/handshake has timed out/);
  });

  it("ws-close 1006 before the first event drops the connection", async () => {
    emu.fault({ kind: "ws-close", code: 1006 });
    const s = await openSocket(url());
    s.ws.send(create);
    expect((await s.closed).code).toBe(1006);
    expect(s.messages).toHaveLength(0);
  });

  it("ws-close 1006 mid-stream drops the connection after N events, without a close frame", async () => {
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 4 });
    const s = await openSocket(url());
    s.ws.send(create);
    expect((await s.closed).code).toBe(1006);
    expect(s.messages).toHaveLength(4);
    expect(s.messages.map((m) => (m as { type: string }).type)).not.toContain("response.completed");
  });

  it.each([1009, 1011])("ws-close %i mid-stream sends a close frame after N events", async (code) => {
    emu.fault({ kind: "ws-close", code, afterEvents: 3 });
    const s = await openSocket(url());
    s.ws.send(create);
    expect((await s.closed).code).toBe(code);
    expect(s.messages).toHaveLength(3);
  });

  it("ws-close 1005 closes without a status code", async () => {
    emu.fault({ kind: "ws-close", code: 1005, afterEvents: 2 });
    const s = await openSocket(url());
    s.ws.send(create);
    expect((await s.closed).code).toBe(1005);
    expect(s.messages).toHaveLength(2);
  });

  it("huge-event over WebSocket trips the client's maxPayload", async () => {
    emu.fault({ kind: "huge-event", bytes: 200_000, afterEvents: 0 });
    const s = await openSocket(url(), KEY, { maxPayload: 100_000 });
    const err = new Promise<Error>((r) => s.ws.once("error", r));
    s.ws.send(create);
    expect((await err).message).toMatch(/Max payload size exceeded/);
    expect([1006, 1009]).toContain((await s.closed).code);
  });

  it("error-event over WebSocket sends an error frame and keeps the socket", async () => {
    emu.fault({ kind: "error-event", code: "websocket_connection_limit_reached", message: "limit", afterEvents: 1 });
    const s = await openSocket(url());
    s.ws.send(create);
    const events = await s.untilTerminal();
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ type: "error", error: { code: "websocket_connection_limit_reached", message: "limit" } });
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    s.ws.close();
  });

  it("ws-no-pong withholds pongs on that connection only", async () => {
    // A pong normally arrives in a millisecond; the generous wait keeps a loaded CI honest.
    const pong = (s: { ws: WebSocket }, waitMs: number): Promise<boolean> =>
      new Promise((r) => {
        const t = setTimeout(() => r(false), waitMs);
        s.ws.once("pong", () => {
          clearTimeout(t);
          r(true);
        });
        s.ws.ping();
      });
    emu.fault({ kind: "ws-no-pong" });
    const silent = await openSocket(url());
    const normal = await openSocket(url());
    expect(await pong(silent, 300)).toBe(false);
    expect(await pong(normal, 5000)).toBe(true);
    silent.ws.close();
    normal.ws.close();
  });

  it("stall and latency apply to WebSocket streams too", async () => {
    emu.fault({ kind: "stall", afterEvents: 1, ms: 250, match: { transport: "websocket" } });
    const s = await openSocket(url());
    const t0 = performance.now();
    s.ws.send(create);
    await s.untilTerminal();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);

    emu.fault({ kind: "latency", perFrameMs: 20, match: { transport: "websocket" } });
    const t1 = performance.now();
    s.ws.send(create);
    const events = await s.untilTerminal();
    expect(performance.now() - t1).toBeGreaterThanOrEqual(events.length * 20 - 10);
    s.ws.close();
  });

  it("close() ends blackholed handshakes too", async () => {
    emu.fault({ kind: "ws-blackhole-handshake" });
    const sock = connect(emu.port, "127.0.0.1");
    sock.write(`GET /v1/responses HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer sk-x\r\n\r\n`);
    const ended = new Promise((r) => sock.on("close", r));
    await new Promise((r) => setTimeout(r, 50));
    await emu.close();
    await ended;
  });
});

describe("fault arming", () => {
  it("rejects malformed faults with a ValidationError naming the field", () => {
    expect(() => emu.fault({ kind: "stall", afterEvents: 1 } as never)).toThrow(expect.objectContaining({ code: "invalid_fault", path: "fault.ms" }));
    expect(() => emu.fault({ kind: "bogus" } as never)).toThrow(expect.objectContaining({ path: "fault.kind" }));
    expect(() => emu.fault({ kind: "http-status", status: 500, times: 0 })).toThrow(expect.objectContaining({ path: "fault.times" }));
    expect(() => emu.fault({ kind: "latency", perFrameMs: -1 })).toThrow(expect.objectContaining({ path: "fault.perFrameMs" }));
  });

  it("rejects bad start options and reports a busy port", async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toMatchObject({ code: "invalid_argument", path: "port" });
    await expect(startEmulator({ port: emu.port })).rejects.toMatchObject({ code: "emulator_port_in_use" });
  });
});
