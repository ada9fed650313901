import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { startEmulator, type Emulator, type RecordedRequest } from "@genesis/testkit";
import { AbortError, AuthenticationError, ConnectTimeoutError, PermissionError, RateLimitError } from "@genesis/transport";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allClosed, mulawSilence, recordingWebSocket } from "./__fixtures__/recording-websocket.js";
import { createRealtimeTranscriber, type TranscriptionEvent } from "./create-realtime-transcriber.js";
import { RealtimeClosedError, RealtimeServerError, RealtimeSessionExpiredError } from "./realtime-errors.js";

const KEY = "sk-transcriber-secret-0123456789";
const tone = readFileSync(new URL("./__fixtures__/tone-440hz-8k.ulaw", import.meta.url)); // 250 ms
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const lastSocket = (): RecordedRequest => emu.requests.filter((r) => r.transport === "websocket").at(-1)!;
const base = () => ({ url: emu.wsUrl("/v1/realtime"), env: { OPENAI_API_KEY: KEY } });

/** Sends `bytes` in 20 ms frames like a phone bridge does. */
function stream(append: (chunk: Uint8Array) => void, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 160) append(bytes.subarray(i, i + 160));
}

async function until(events: AsyncIterable<TranscriptionEvent>, stop: (e: TranscriptionEvent) => boolean): Promise<TranscriptionEvent[]> {
  const seen: TranscriptionEvent[] = [];
  for await (const e of events) {
    seen.push(e);
    if (stop(e)) break;
  }
  return seen;
}

describe("createRealtimeTranscriber against the emulator", () => {
  it("connects with ?intent=transcription, Bearer auth and a GA transcription session.update", async () => {
    const rec = recordingWebSocket();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, language: "en", prompt: "Genesis" });
    const req = lastSocket();
    expect(req.path).toBe("/v1/realtime");
    expect(req.query).toEqual({ intent: "transcription" });
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
    expect(req.headers["openai-beta"]).toBeUndefined();
    expect(rec.options[0]).toMatchObject({ followRedirects: false, handshakeTimeout: 10000 });
    expect(req.frames![0]).toEqual({
      type: "session.update",
      session: {
        type: "transcription",
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            transcription: { model: "gpt-4o-transcribe", language: "en", prompt: "Genesis" },
            turn_detection: { type: "server_vad", threshold: 0.5, silence_duration_ms: 800, prefix_padding_ms: 300 },
          },
        },
      },
    });
    await t.close();
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("turns a μ-law tone plus silence into VAD events, deltas and a completed transcript", async () => {
    const t = await createRealtimeTranscriber({ ...base(), silenceDurationMs: 400 });
    const audio = Buffer.concat([tone, mulawSilence(500)]);
    stream((c) => t.append(c), audio);
    const events = await until(t, (e) => e.type === "completed");
    const started = events.find((e) => e.type === "speech-started")!;
    const stopped = events.find((e) => e.type === "speech-stopped")!;
    expect(started).toMatchObject({ audioStartMs: 0 });
    // The tone is 250 ms; the server waits 400 ms of silence before it stops.
    expect(stopped).toMatchObject({ audioEndMs: 660 });
    const completed = events.at(-1) as Extract<TranscriptionEvent, { type: "completed" }>;
    expect(completed.text).toBe("Heard 660 milliseconds of audio.");
    const deltas = events.filter((e) => e.type === "delta") as Extract<TranscriptionEvent, { type: "delta" }>[];
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.text).join("")).toBe(completed.text);
    expect(new Set([started.type === "speech-started" && started.itemId, completed.itemId, ...deltas.map((d) => d.itemId)]).size).toBe(1);
    // Each 160-byte chunk went out as one append carrying exactly those bytes.
    const appends = lastSocket().frames!.filter((f) => (f as { type: string }).type === "input_audio_buffer.append") as { audio: string }[];
    expect(Buffer.concat(appends.map((a) => Buffer.from(a.audio, "base64"))).equals(audio)).toBe(true);
    await t.close();
  });

  it("encodes PCM16 input, resampling 24 kHz to 8 kHz, and reports through on() listeners", async () => {
    const t = await createRealtimeTranscriber({ ...base(), silenceDurationMs: 200, bufferEvents: false });
    const completed = new Promise<string>((resolve) => t.on("completed", (e) => resolve(e.text)));
    const pcm = Int16Array.from({ length: 24000 * 0.3 }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * i) / 24000) * 16000));
    t.append(pcm, { sampleRate: 24000 });
    t.append(new Int16Array(8000 * 0.3)); // 300 ms silence at 8 kHz
    // Everything appended before the VAD fired is committed: 300 ms of tone + the 300 ms silence chunk.
    expect(await completed).toBe("Heard 600 milliseconds of audio.");
    const sent = lastSocket().frames!.filter((f) => (f as { type: string }).type === "input_audio_buffer.append") as { audio: string }[];
    expect(Buffer.from(sent[0]!.audio, "base64")).toHaveLength(2400);
    expect(() => t[Symbol.asyncIterator]()).toThrow(/bufferEvents: false/);
    await t.close();
  });

  it("delivers server error events as typed errors and keeps the session open", async () => {
    const t = await createRealtimeTranscriber(base());
    t.append(tone.subarray(0, 320)); // 40 ms: too little to commit
    t.commit();
    const event = (await until(t, (e) => e.type === "error")).at(-1)!;
    expect(event.type).toBe("error");
    const error = (event as unknown as { error: RealtimeServerError }).error;
    expect(error).toBeInstanceOf(RealtimeServerError);
    expect(error.serverCode).toBe("input_audio_buffer_commit_empty");
    expect(error.message).toMatch(/buffer too small/);
    expect(t.open).toBe(true);
    await t.close();
    expect(t.open).toBe(false);
    expect(() => t.append(tone)).toThrow(expect.objectContaining({ code: "realtime_not_open" }));
  });

  it("turns a refused upgrade into typed errors (401, 403, 429) without leaking the key", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, code: "invalid_api_key" } } });
    const error = await createRealtimeTranscriber(base()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).hint).toMatch(/OPENAI_API_KEY/);
    expect(String((error as Error).message)).not.toContain(KEY);
    expect(inspect(error)).not.toContain(KEY);
    emu.fault({ kind: "ws-upgrade-status", status: 403 });
    await expect(createRealtimeTranscriber(base())).rejects.toBeInstanceOf(PermissionError);
    emu.fault({ kind: "ws-upgrade-status", status: 429, headers: { "retry-after": "2" } });
    const limited = (await createRealtimeTranscriber(base()).catch((e: unknown) => e)) as RateLimitError;
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.retryAfterMs).toBe(2000);
  });

  it("the emulator's own 401 (wrong key) is an AuthenticationError too", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-the-only-valid-key"] });
    try {
      await expect(createRealtimeTranscriber({ url: strict.wsUrl("/v1/realtime"), apiKey: KEY })).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await strict.close();
    }
  });

  it("times out a handshake that never completes", async () => {
    emu.fault({ kind: "ws-blackhole-handshake" });
    const rec = recordingWebSocket();
    const started = Date.now();
    const error = await createRealtimeTranscriber({ ...base(), handshakeTimeoutMs: 150, WebSocket: rec.WebSocket }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("aborts while connecting and while open, closing the socket each time", async () => {
    const rec = recordingWebSocket();
    emu.fault({ kind: "ws-blackhole-handshake" });
    const early = new AbortController();
    const pending = createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, signal: early.signal });
    setTimeout(() => early.abort(), 30);
    await expect(pending).rejects.toBeInstanceOf(AbortError);

    const late = new AbortController();
    const t = await createRealtimeTranscriber({ ...base(), WebSocket: rec.WebSocket, signal: late.signal });
    const iterating = until(t, () => false);
    late.abort();
    await expect(iterating).rejects.toBeInstanceOf(AbortError);
    await expect(t.ended).rejects.toBeInstanceOf(AbortError);
    expect(t.open).toBe(false);
    expect(await allClosed(rec.sockets)).toBe(true);
    expect(rec.sockets).toHaveLength(2);
  });

  it("ends the iterator normally on close()", async () => {
    const t = await createRealtimeTranscriber(base());
    const iterating = until(t, () => false);
    await t.close();
    await expect(iterating).resolves.toEqual([]);
    await expect(t.ended).resolves.toBeUndefined();
    await t.close(); // idempotent
  });

  it("rejects bad options before opening any socket", async () => {
    const before = emu.requests.length;
    await expect(createRealtimeTranscriber({ ...base(), vadThreshold: -0.1 })).rejects.toThrow("options.vadThreshold: must be between 0 and 1 (got -0.1).");
    await expect(createRealtimeTranscriber({ url: emu.wsUrl("/v1/realtime"), env: {} })).rejects.toMatchObject({ code: "no_api_key" });
    expect(emu.requests.length).toBe(before);
  });

  it("session expiry mid-transcription: the error event, then RealtimeSessionExpiredError with the partial utterance", async () => {
    const t = await createRealtimeTranscriber({ ...base(), silenceDurationMs: 400 });
    // committed, item.added, item.done, two deltas, then the server's expiry and close 1000.
    emu.fault({ kind: "error-event", code: "session_expired", message: `Your session hit the maximum duration of 60 minutes. ${KEY}`, afterEvents: 5 });
    stream((c) => t.append(c), Buffer.concat([tone, mulawSilence(500)]));
    const seen: TranscriptionEvent[] = [];
    const error = await (async () => {
      for await (const e of t) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen.map((e) => e.type)).toEqual(["speech-started", "speech-stopped", "delta", "delta", "error"]);
    const announced = (seen.at(-1) as unknown as { error: RealtimeServerError }).error;
    expect(announced).toMatchObject({ serverCode: "session_expired", serverType: "invalid_request_error" });
    expect(announced.hint).toMatch(/maximum duration/);
    expect(error).toBeInstanceOf(RealtimeSessionExpiredError);
    expect(error).toBeInstanceOf(RealtimeClosedError);
    const expired = error as RealtimeSessionExpiredError;
    const itemId = (seen[0] as Extract<TranscriptionEvent, { type: "speech-started" }>).itemId;
    expect(expired).toMatchObject({ code: "realtime_session_expired", closeCode: 1000, responseId: itemId, partialTranscript: "Heard 660 " });
    expect(expired.serverError).toBe(announced);
    expect(expired.message).toContain("Your session hit the maximum duration of 60 minutes.");
    expect(expired.message).toContain(`in the middle of response ${itemId}`);
    expect(expired.hint).toMatch(/open a new session/);
    for (const text of [expired.message, inspect(expired), announced.message, announced.serverMessage]) expect(text).not.toContain(KEY);
    await expect(t.ended).rejects.toBe(error);
    expect(t.open).toBe(false);
  });

  it("a plain close 1000 after speech started but before any transcript still reports the lost utterance", async () => {
    const t = await createRealtimeTranscriber({ ...base(), silenceDurationMs: 400 });
    emu.fault({ kind: "ws-close", code: 1000, afterEvents: 0 });
    stream((c) => t.append(c), Buffer.concat([tone, mulawSilence(500)]));
    const seen: TranscriptionEvent[] = [];
    const error = (await (async () => {
      for await (const e of t) seen.push(e);
    })().catch((e: unknown) => e)) as RealtimeClosedError;
    expect(seen.map((e) => e.type)).toEqual(["speech-started", "speech-stopped"]);
    expect(error).toBeInstanceOf(RealtimeClosedError);
    expect(error).not.toBeInstanceOf(RealtimeSessionExpiredError);
    expect(error).toMatchObject({ code: "realtime_interrupted", closeCode: 1000, responseId: (seen[0] as { itemId: string }).itemId, partialTranscript: "", serverError: undefined });
  });
});
