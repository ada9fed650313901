import { once } from "node:events";
import { inspect } from "node:util";
import { ValidationError } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type WebSocket from "ws";
import type { default as WebSocketClass } from "ws";
import { allClosed, recordingWebSocket } from "./__fixtures__/recording-websocket.js";
import { manualClock, trackingClock } from "./__fixtures__/test-clocks.js";
import { createRealtimeTranscriber, type RealtimeTranscriber } from "./create-realtime-transcriber.js";
import { createRealtimeVoiceSession, type RealtimeVoiceSession } from "./create-realtime-voice-session.js";
import { RealtimeClosedError, RealtimeConnectionLostError } from "./realtime-errors.js";

const KEY = "sk-heartbeat-secret-0123456789";
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const base = () => ({ url: emu.wsUrl("/v1/realtime"), env: { OPENAI_API_KEY: KEY } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Runs the iterator to its end; resolves with the error it threw (or undefined). */
const drain = (session: RealtimeTranscriber | RealtimeVoiceSession): Promise<unknown> =>
  (async () => {
    for await (const _ of session as AsyncIterable<unknown>) void _;
  })().then(() => undefined, (error: unknown) => error);
/** The next frame from the server on a real socket (lets a test wait for real I/O). */
const nextFrame = (socket: WebSocket) => once(socket, "message");

describe("heartbeat: a quiet but healthy peer", () => {
  it("pings after 15 s of silence by default; pongs keep the transcriber open over several intervals", async () => {
    const clock = manualClock();
    const rec = recordingWebSocket();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, clock });
    expect(t.settings).toMatchObject({ heartbeatMs: 15_000, heartbeatTimeoutMs: 10_000 });
    const socket = rec.sockets[0]!;
    expect(clock.pending()).toBe(1);
    expect(clock.allUnrefd()).toBe(true);
    clock.advance(14_999);
    expect(rec.pings.count).toBe(0);
    for (let i = 1; i <= 4; i++) {
      const pong = once(socket, "pong");
      clock.advance(i === 1 ? 1 : 5_000);
      expect(rec.pings.count).toBe(i);
      await pong; // the emulator answered over the wire
      clock.advance(10_000);
      expect(t.open).toBe(true);
      expect(rec.pings.count).toBe(i);
    }
    // Still a working session: the server answers a bad commit.
    t.commit();
    const events = [];
    for await (const e of t) {
      events.push(e);
      if (e.type === "error") break;
    }
    expect(events.at(-1)).toMatchObject({ type: "error", error: { serverCode: "input_audio_buffer_commit_empty" } });
    await t.close();
    expect(clock.pending()).toBe(0);
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("real timers: a server that stalls mid-response but answers pings is not cut off", async () => {
    const rec = recordingWebSocket();
    const clock = trackingClock();
    // Timeouts of seconds, not tens of ms, so a pong delayed by a loaded CI is still in time. The
    // stall (1.6 s) outlasts heartbeatMs + heartbeatTimeoutMs (1.1 s): only answered pings keep it open.
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket, clock, heartbeatMs: 100, heartbeatTimeoutMs: 1_000 });
    emu.fault({ kind: "stall", afterEvents: 4, ms: 1_600 });
    s.sendText("say something after a pause");
    let done: { transcript: string } | undefined;
    for await (const e of s) {
      if (e.type === "response-done") {
        done = e;
        break;
      }
    }
    expect(done?.transcript).toBe("Echo: say something after a pause");
    // Surviving the stall needs at least two answered pings (one pong only buys 1.1 s more).
    expect(rec.pings.count).toBeGreaterThanOrEqual(2);
    expect(s.open).toBe(true);
    expect(clock.created.every((h) => !h.hasRef())).toBe(true);
    await s.close();
    expect(clock.live()).toEqual([]);
  });

  it("starts after set-up: no timer and no ping while session.updated is outstanding, a full interval after it", async () => {
    const clock = manualClock();
    const rec = recordingWebSocket();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const onHold = new Promise<void>((resolve) => (holding = resolve));
    // Holds the client's session.update until the test lets it go: a set-up as slow as the test likes.
    class SlowSetUp extends (rec.WebSocket as unknown as typeof WebSocketClass) {
      override send(data: unknown): void {
        const sendNow = (): void => super.send(data as string);
        if (!String(data).includes('"session.update"')) return sendNow();
        holding();
        void held.then(sendNow);
      }
    }
    const creating = createRealtimeTranscriber({ ...base(), WebSocket: SlowSetUp as never, clock });
    await onHold;
    expect(clock.pending()).toBe(0);
    clock.advance(60_000); // a minute of set-up: would be four pings if the heartbeat ran already
    expect(rec.pings.count).toBe(0);
    release();
    const t = await creating;
    expect(clock.pending()).toBe(1);
    clock.advance(14_999);
    expect(rec.pings.count).toBe(0);
    const pong = once(rec.sockets[0]!, "pong");
    clock.advance(1);
    expect(rec.pings.count).toBe(1);
    await pong;
    expect(t.open).toBe(true);
    await t.close();
    expect(clock.pending()).toBe(0);
  });

  it("heartbeatMs: 0 sends no pings and schedules no timer, even with a peer that never pongs", async () => {
    emu.fault({ kind: "ws-no-pong" });
    const clock = manualClock();
    const rec = recordingWebSocket();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, clock, heartbeatMs: 0 });
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(rec.pings.count).toBe(0);
    expect(t.open).toBe(true);
    t.clear();
    await nextFrame(rec.sockets[0]!);
    await t.close();
  });
});

describe("heartbeat: a silent peer", () => {
  it("is given up exactly heartbeatMs + heartbeatTimeoutMs after its last frame, with a typed error", async () => {
    emu.fault({ kind: "ws-no-pong" });
    const clock = manualClock();
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket, clock });
    const ended = drain(s);
    clock.advance(15_000);
    expect(rec.pings.count).toBe(1);
    await sleep(50); // room for a pong that does not come
    clock.advance(9_999);
    expect(s.open).toBe(true);
    clock.advance(1);
    const error = (await ended) as RealtimeConnectionLostError;
    expect(error).toBeInstanceOf(RealtimeConnectionLostError);
    expect(error).toBeInstanceOf(RealtimeClosedError);
    expect(error).toMatchObject({ code: "realtime_connection_lost", closeCode: 1006, silentMs: 25_000, heartbeatMs: 15_000, heartbeatTimeoutMs: 10_000, responseId: undefined, partialTranscript: "" });
    expect(error.message).toMatch(/Nothing arrived from the realtime server for 25000 ms/);
    expect(error.hint).toMatch(/proxy/);
    expect(error.hint).toMatch(/heartbeatTimeoutMs \(now 10000\)/);
    expect(inspect(error)).not.toContain(KEY);
    await expect(s.ended).rejects.toBe(error);
    expect(s.open).toBe(false);
    expect(await allClosed(rec.sockets)).toBe(true);
    expect(clock.pending()).toBe(0);
    expect(rec.pings.count).toBe(1);
    expect(() => s.sendText("hello?")).toThrow(expect.objectContaining({ code: "realtime_not_open" }));
  });

  it("the default clock follows vi.useFakeTimers(): lost after 25 s of fake time", async () => {
    emu.fault({ kind: "ws-no-pong" });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const rec = recordingWebSocket();
      const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket });
      const ended = drain(t);
      vi.advanceTimersByTime(24_999);
      expect(rec.pings.count).toBe(1);
      expect(t.open).toBe(true);
      vi.advanceTimersByTime(1);
      expect(await ended).toMatchObject({ code: "realtime_connection_lost", silentMs: 25_000 });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("real timers: detected within heartbeatMs + heartbeatTimeoutMs, timers unref'd and all cleared", async () => {
    emu.fault({ kind: "ws-no-pong" });
    const clock = trackingClock();
    const rec = recordingWebSocket();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, clock, heartbeatMs: 300, heartbeatTimeoutMs: 1_000 });
    // The heartbeat starts when set-up is done (session.updated, the server's last frame here).
    const setUp = Date.now();
    let lateFrames = 0;
    rec.sockets[0]!.on("message", () => lateFrames++);
    const error = await drain(t);
    const took = Date.now() - setUp;
    expect(error).toBeInstanceOf(RealtimeConnectionLostError);
    expect(lateFrames).toBe(0);
    expect(took).toBeGreaterThanOrEqual(1_300 - 5); // Date.now() granularity
    expect(took).toBeLessThan(1_300 + 2_000); // generous for a loaded CI; the OS alone would take minutes
    expect((error as RealtimeConnectionLostError).silentMs).toBeGreaterThanOrEqual(1_300);
    // Exactly one: nothing arrives after set-up (no pong, no late set-up frame), so the first
    // unanswered ping is the last; a frame after it would have re-armed a second ping.
    expect(rec.pings.count).toBe(1);
    expect(clock.created.length).toBeGreaterThan(0);
    expect(clock.created.every((h) => !h.hasRef())).toBe(true);
    expect(clock.live()).toEqual([]);
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("inbound events count as liveness: no ping while frames arrive, lost only after they stop", async () => {
    emu.fault({ kind: "ws-no-pong" });
    const clock = manualClock();
    const rec = recordingWebSocket();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, clock });
    const socket = rec.sockets[0]!;
    const ended = drain(t);
    clock.advance(10_000);
    t.clear(); // the server answers input_audio_buffer.cleared
    await nextFrame(socket);
    clock.advance(5_000); // 15 s since set-up, but only 5 s since the last frame
    expect(rec.pings.count).toBe(0);
    clock.advance(10_000);
    expect(rec.pings.count).toBe(1);
    clock.advance(9_999);
    t.clear(); // an event, not a pong, answers for the peer
    await nextFrame(socket);
    clock.advance(1);
    expect(t.open).toBe(true);
    clock.advance(14_999);
    expect(rec.pings.count).toBe(2);
    expect(t.open).toBe(true);
    clock.advance(10_000);
    const error = (await ended) as RealtimeConnectionLostError;
    expect(error).toMatchObject({ code: "realtime_connection_lost", silentMs: 25_000 });
    expect(clock.pending()).toBe(0);
  });

  it("mid-response, the error keeps the response id, transcript and audio received so far", async () => {
    emu.fault({ kind: "ws-no-pong" });
    emu.fault({ kind: "stall", afterEvents: 8, ms: 60_000 });
    const clock = manualClock();
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket, clock });
    const ended = drain(s);
    const firstWords = new Promise((resolve) => s.on("transcript-delta", resolve));
    s.sendText("tell me something long");
    await firstWords;
    await sleep(50);
    clock.advance(25_000);
    const error = (await ended) as RealtimeConnectionLostError;
    expect(error).toBeInstanceOf(RealtimeConnectionLostError);
    expect(error.responseId).toMatch(/^resp_/);
    expect(error.message).toContain(`in the middle of response ${error.responseId}`);
    expect(error.partialTranscript.length).toBeGreaterThan(0);
    expect("Echo: tell me something long".startsWith(error.partialTranscript)).toBe(true);
    expect(error.partialAudioBytes).toBeGreaterThan(0);
    expect(await allClosed(rec.sockets)).toBe(true);
  });
});

describe("heartbeat options", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ heartbeatMs: -1 }, "options.heartbeatMs: must not be negative; 0 turns the heartbeat off (got -1)."],
    [{ heartbeatMs: 1.5 }, "options.heartbeatMs: must be a whole number of milliseconds; 0 turns the heartbeat off (got 1.5)."],
    [{ heartbeatMs: "15000" }, "options.heartbeatMs: must be a whole number of milliseconds; 0 turns the heartbeat off (got \"15000\")."],
    [{ heartbeatMs: 2 ** 31 }, "options.heartbeatMs: must be at most 2147483647 ms (about 24.8 days) (got 2147483648)."],
    [{ heartbeatTimeoutMs: 0 }, "options.heartbeatTimeoutMs: must be at least 1 ms (got 0)."],
    [{ heartbeatTimeoutMs: Number.NaN }, "options.heartbeatTimeoutMs: must be a whole number of milliseconds (got NaN)."],
    [{ clock: { now: () => 0 } }, "options.clock.setTimeout: must be a function (got undefined)."],
  ];

  it.each(cases)("%o is refused with a ValidationError naming the option, before any socket opens", async (bad, message) => {
    const before = emu.requests.length;
    for (const create of [createRealtimeTranscriber, createRealtimeVoiceSession] as const) {
      const error = await create({ ...base(), ...(bad as object) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(message);
      expect((error as ValidationError).hint).toMatch(/^Fix options\.(heartbeat|clock)/);
      expect((error as ValidationError).path).toBe(message.slice(0, message.indexOf(":")));
    }
    expect(emu.requests.length).toBe(before);
  });
});
