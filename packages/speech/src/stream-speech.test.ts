import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { StreamIdleTimeoutError, StreamIncompleteError, StreamInterruptedError, StreamParseError } from "@genesis/transport";
import { synthesizeSpeech } from "./synthesize-speech.js";
import { streamSpeech, type SpeechStream } from "./stream-speech.js";
import { createOpenAITts } from "./create-openai-tts.js";
import {
  SpeechServerStreamError, SpeechStreamIdleTimeoutError, SpeechStreamIncompleteError, SpeechStreamInterruptedError, SpeechStreamParseError,
} from "./speech-errors.js";

const KEY = "sk-tts-stream-canary-0123456789abcdef";
const TEXT = "one two three four five six seven eight nine ten";
/** The emulator streams 4 KiB of audio per chunk / per delta event. */
const CHUNK = 4096;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const speechCalls = () => emu.requests.filter((r) => r.path === "/v1/audio/speech");
const base = () => ({ apiKey: KEY, baseUrl: emu.apiBase, env: {} });
const fault = (f: Record<string, unknown>) => emu.fault({ match: { path: "/v1/audio/speech" }, ...f } as Parameters<Emulator["fault"]>[0]);

async function collect(stream: SpeechStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Iterate until the stream fails; returns the error and the bytes received before it. */
async function failure(stream: SpeechStream): Promise<{ error: any; received: number }> {
  let received = 0;
  try {
    for await (const chunk of stream) received += chunk.length;
  } catch (error) {
    return { error, received };
  }
  throw new Error("the stream did not fail");
}

describe("streamSpeech", () => {
  it("streams SSE by default for gpt-4o-mini-tts: same bytes as the one-shot call, plus usage", async () => {
    emu.reset();
    const whole = await synthesizeSpeech(TEXT, { ...base(), responseFormat: "wav", voice: "marin" });
    const stream = await streamSpeech(TEXT, { ...base(), responseFormat: "wav", voice: "marin" });
    expect(stream).toMatchObject({ streamFormat: "sse", format: "wav", mimeType: "audio/wav", model: "gpt-4o-mini-tts", voice: "marin", done: false });
    const audio = await collect(stream);
    expect(audio.equals(Buffer.from(whole.audio))).toBe(true);
    expect(stream.bytesDelivered).toBe(audio.length);
    expect(stream.chunksDelivered).toBe(Math.ceil(audio.length / CHUNK));
    expect(stream.usage).toMatchObject({ input: expect.any(Number), output: expect.any(Number) });
    expect(stream.usage!.total).toBe(stream.usage!.input + stream.usage!.output);
    expect(stream.timeToFirstAudioMs).toBeGreaterThanOrEqual(0);
    expect(stream.done).toBe(true);
    const req = speechCalls()[1]!;
    expect(req).toMatchObject({ method: "POST", path: "/v1/audio/speech", headers: { "content-type": "application/json", accept: "text/event-stream" } });
    expect(req.body).toEqual({ model: "gpt-4o-mini-tts", input: TEXT, voice: "marin", response_format: "wav", stream_format: "sse" });
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
  });

  it("streams raw audio (explicitly, and by default for tts-1) with the same bytes for every format", async () => {
    emu.reset();
    for (const format of ["mp3", "opus", "flac", "pcm", "aac"] as const) {
      const whole = await synthesizeSpeech(TEXT, { ...base(), responseFormat: format, speed: 1.5 });
      const stream = await streamSpeech(TEXT, { ...base(), responseFormat: format, streamFormat: "audio", speed: 1.5 });
      expect((await collect(stream)).equals(Buffer.from(whole.audio)), format).toBe(true);
      expect(stream.usage).toBeUndefined();
      expect(speechCalls().at(-1)!.body).toEqual({ model: "gpt-4o-mini-tts", input: TEXT, voice: "coral", response_format: format, speed: 1.5, stream_format: "audio" });
    }
    const tts1 = await streamSpeech(TEXT, { ...base(), model: "tts-1-hd" });
    expect(tts1.streamFormat).toBe("audio");
    expect((await collect(tts1)).subarray(0, 1)[0]).toBe(0xff); // MPEG frame sync
    expect(speechCalls().at(-1)!.body).toMatchObject({ model: "tts-1-hd", stream_format: "audio", response_format: "mp3" });
    expect(speechCalls().at(-1)!.headers.accept).not.toBe("text/event-stream");
  });

  it("hands over the first chunk while the server is still sending", async () => {
    for (const streamFormat of ["audio", "sse"] as const) {
      emu.reset();
      fault({ kind: "latency", perFrameMs: 15 });
      const stream = await streamSpeech("one two three four five", { ...base(), responseFormat: "wav", streamFormat });
      const at: number[] = [];
      for await (const _ of stream) at.push(performance.now());
      // The emulator waits 15 ms before each of its chunks, so chunks handed over one by one as
      // they arrive are spread over the whole response; buffered ones would arrive together.
      expect(at.length).toBeGreaterThan(10);
      expect(at.at(-1)! - at[0]!).toBeGreaterThan((at.length - 1) * 15 * 0.6);
      expect(stream.timeToFirstAudioMs!).toBeLessThan(at.at(-1)! - at[0]!);
    }
  });

  it("refuses bad streaming options with typed errors before any request", async () => {
    emu.reset();
    const sse = await streamSpeech("hi", { ...base(), model: "tts-1", streamFormat: "sse" }).catch((e: unknown) => e);
    expect(sse).toMatchObject({ code: "invalid_argument", path: "streamFormat", message: expect.stringContaining("tts-1 cannot stream SSE"), hint: expect.stringContaining('"audio"') });
    await expect(streamSpeech("hi", { ...base(), streamFormat: "chunks" as never })).rejects.toMatchObject({ path: "streamFormat", hint: "Use one of: audio, sse." });
    await expect(streamSpeech("hi", { ...base(), idleTimeoutMs: -1 })).rejects.toMatchObject({ path: "idleTimeoutMs" });
    // Node fires a timer above 2147483647 ms after 1 ms: a "no limit" 3e9 must not become an instant timeout.
    await expect(streamSpeech("hi", { ...base(), idleTimeoutMs: 3e9 })).rejects.toMatchObject({
      code: "invalid_argument", path: "idleTimeoutMs", message: expect.stringContaining("2147483647"), hint: expect.stringContaining("0 for no limit"),
    });
    await expect(streamSpeech("hi", { ...base(), idleTimeoutMs: "soon" as never })).rejects.toMatchObject({ path: "idleTimeoutMs" });
    await expect(streamSpeech("", base())).rejects.toMatchObject({ path: "text" });
    await expect(streamSpeech("hi", { ...base(), voice: "robot" })).rejects.toMatchObject({ path: "voice" });
    expect(emu.requests).toHaveLength(0);
  });

  it("retries 429 and 5xx before the first byte; a 400 is a typed ApiError sent once", async () => {
    emu.reset();
    const delays: number[] = [];
    fault({ kind: "rate-limit", retryAfterMs: "700" });
    fault({ kind: "http-status", status: 502 });
    const stream = await streamSpeech(TEXT, { ...base(), sleep: async (ms: number) => void delays.push(ms) });
    expect((await collect(stream)).length).toBeGreaterThan(0);
    expect(speechCalls()).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBe(700);
    emu.reset();
    fault({ kind: "http-status", status: 400, body: { error: { message: "Bad input", type: "invalid_request_error", code: "invalid_value", param: "input" } } });
    await expect(streamSpeech(TEXT, base())).rejects.toMatchObject({ code: "api_error", status: 400, serverCode: "invalid_value" });
    expect(speechCalls()).toHaveLength(1);
  });

  it("turns a dropped socket into SpeechStreamInterruptedError with the bytes delivered, never replayed", async () => {
    for (const streamFormat of ["audio", "sse"] as const) {
      emu.reset();
      // The pause lets the client read the 3 chunks first: fetch discards what it has queued
      // but not yet handed over when the connection fails.
      fault({ kind: "stall", afterEvents: 3, ms: 100 });
      fault({ kind: "sse-destroy", afterEvents: 3 });
      const { error, received } = await failure(await streamSpeech(TEXT, { ...base(), responseFormat: "pcm", streamFormat }));
      expect(error, streamFormat).toBeInstanceOf(SpeechStreamInterruptedError);
      expect(error).toBeInstanceOf(StreamInterruptedError);
      expect(error).toMatchObject({ code: "stream_interrupted", bytesDelivered: 3 * CHUNK, hint: expect.stringContaining("Retry") });
      // Raw audio chunks are cut by the network; SSE chunks are one per delta event.
      if (streamFormat === "sse") expect(error.chunksDelivered).toBe(3);
      expect(received).toBe(3 * CHUNK);
      expect(speechCalls()).toHaveLength(1);
    }
    // Without the pause the count may be lower, but it is always what the consumer received.
    emu.reset();
    fault({ kind: "sse-destroy", afterEvents: 3 });
    const { error, received } = await failure(await streamSpeech(TEXT, { ...base(), responseFormat: "pcm" }));
    expect(error).toBeInstanceOf(SpeechStreamInterruptedError);
    expect(error.bytesDelivered).toBe(received);
    expect(received).toBeLessThanOrEqual(3 * CHUNK);
  });

  it("raises SpeechStreamParseError after the audio decoded before a malformed event", async () => {
    emu.reset();
    fault({ kind: "sse-malformed", atEvent: 2 });
    const { error, received } = await failure(await streamSpeech(TEXT, { ...base(), responseFormat: "pcm" }));
    expect(error).toBeInstanceOf(SpeechStreamParseError);
    expect(error).toBeInstanceOf(StreamParseError);
    expect(error).toMatchObject({ code: "stream_parse_error", eventIndex: 2, bytesDelivered: 2 * CHUNK, transport: "sse" });
    expect(error.snippet).toContain("not json");
    expect(received).toBe(2 * CHUNK);
  });

  it("raises SpeechStreamIncompleteError when SSE ends without speech.audio.done, and SpeechServerStreamError on an error event", async () => {
    emu.reset();
    const whole = await synthesizeSpeech(TEXT, { ...base(), responseFormat: "pcm" });
    fault({ kind: "sse-no-terminal" });
    const cut = await failure(await streamSpeech(TEXT, { ...base(), responseFormat: "pcm" }));
    expect(cut.error).toBeInstanceOf(SpeechStreamIncompleteError);
    expect(cut.error).toBeInstanceOf(StreamIncompleteError);
    expect(cut.error).toMatchObject({ code: "stream_incomplete", bytesDelivered: whole.audio.length });
    expect(cut.received).toBe(whole.audio.length);

    fault({ kind: "error-event", code: "overloaded", message: "Try later", afterEvents: 1 });
    const failed = await failure(await streamSpeech(TEXT, { ...base(), responseFormat: "pcm" }));
    expect(failed.error).toBeInstanceOf(SpeechServerStreamError);
    expect(failed.error).toMatchObject({ code: "server_stream_error", serverCode: "overloaded", message: expect.stringContaining("Try later"), bytesDelivered: CHUNK });
  });

  it("closes a stalled stream after idleTimeoutMs with SpeechStreamIdleTimeoutError", async () => {
    emu.reset();
    fault({ kind: "stall", afterEvents: 1, ms: 10_000 });
    const started = performance.now();
    const { error, received } = await failure(await streamSpeech(TEXT, { ...base(), streamFormat: "audio", responseFormat: "wav", idleTimeoutMs: 150 }));
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(SpeechStreamIdleTimeoutError);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect(error).toMatchObject({ code: "stream_idle_timeout", idleMs: 150, bytesDelivered: CHUNK });
    expect(received).toBe(CHUNK);
  });

  it("idleTimeoutMs 0 means no idle limit, and the largest allowed value is a working timer", async () => {
    const whole = await synthesizeSpeech(TEXT, { ...base(), responseFormat: "wav" });
    for (const idleTimeoutMs of [0, 2_147_483_647]) {
      emu.reset();
      fault({ kind: "stall", afterEvents: 1, ms: 300 });
      const stream = await streamSpeech(TEXT, { ...base(), streamFormat: "audio", responseFormat: "wav", idleTimeoutMs });
      expect((await collect(stream)).equals(Buffer.from(whole.audio)), String(idleTimeoutMs)).toBe(true);
    }
  });

  it("a late abort does not fail a stream that delivered everything; after cancel() next() is always done", async () => {
    emu.reset();
    const controller = new AbortController();
    const stream = await streamSpeech(TEXT, { ...base(), responseFormat: "pcm", signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    let received = 0;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) received += r.value.length;
    expect(stream.usage).toBeDefined();
    controller.abort();
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
    expect(stream.bytesDelivered).toBe(received);

    const late = new AbortController();
    const cancelled = await streamSpeech(TEXT, { ...base(), responseFormat: "pcm", signal: late.signal });
    const it2 = cancelled[Symbol.asyncIterator]();
    expect((await it2.next()).done).toBe(false);
    cancelled.cancel();
    late.abort();
    await expect(it2.next()).resolves.toMatchObject({ done: true });
    expect(cancelled.done).toBe(true);
  });

  it("aborts mid-stream at once and closes the connection; break and cancel() close it too", async () => {
    emu.reset();
    const signals: AbortSignal[] = [];
    const spy: typeof fetch = (input, init) => {
      signals.push(init!.signal!);
      return fetch(input, init);
    };
    fault({ kind: "latency", perFrameMs: 600 });
    const controller = new AbortController();
    const stream = await streamSpeech(TEXT, { ...base(), fetch: spy, signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const pending = iterator.next();
    const abortedAt = performance.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
    // Well before the next chunk (600 ms away): the abort does not wait for the server.
    expect(performance.now() - abortedAt).toBeLessThan(300);
    expect(signals[0]!.aborted).toBe(true);
    expect(stream.done).toBe(true);
    await expect(iterator.next()).rejects.toMatchObject({ code: "aborted" });

    fault({ kind: "latency", perFrameMs: 50 });
    const broken = await streamSpeech(TEXT, { ...base(), fetch: spy });
    for await (const _ of broken) break;
    expect(signals[1]!.aborted).toBe(true);
    expect(broken.bytesDelivered).toBeGreaterThan(0);
    const cancelled = await streamSpeech(TEXT, { ...base(), fetch: spy });
    const waiting = cancelled[Symbol.asyncIterator]().next();
    cancelled.cancel();
    // A read that was pending when cancel() ran ends the iteration instead of failing.
    await expect(waiting).resolves.toMatchObject({ done: true });
    expect(signals[2]!.aborted).toBe(true);
    expect(() => cancelled[Symbol.asyncIterator]()).toThrow(expect.objectContaining({ code: "stream_consumed" }));

    const before = new AbortController();
    before.abort();
    const count = speechCalls().length;
    await expect(streamSpeech(TEXT, { ...base(), signal: before.signal })).rejects.toMatchObject({ code: "aborted" });
    expect(speechCalls()).toHaveLength(count);
  });

  it("refuses a 200 that is not a stream of the requested kind", async () => {
    emu.reset();
    fault({ kind: "http-status", status: 200, body: { ok: true } });
    await expect(streamSpeech(TEXT, base())).rejects.toMatchObject({ code: "bad_server_response", message: expect.stringContaining("not an SSE stream") });
    fault({ kind: "http-status", status: 200, body: { ok: true } });
    await expect(streamSpeech(TEXT, { ...base(), streamFormat: "audio" })).rejects.toMatchObject({ code: "bad_server_response" });
  });

  it("keeps the API key out of errors and inspect output; the provider streams voice notes", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-good-0123456789"] });
    try {
      const error = await streamSpeech("hi", { apiKey: KEY, baseUrl: strict.apiBase, env: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "auth_failed", status: 401 });
      expect(inspect(error, { depth: 10 })).not.toContain(KEY);
    } finally {
      await strict.close();
    }
    emu.reset();
    fault({ kind: "sse-destroy", afterEvents: 1 });
    const stream = await streamSpeech(TEXT, base());
    expect(inspect(stream, { depth: 10, showHidden: true })).not.toContain(KEY);
    const { error } = await failure(stream);
    expect(`${error.message} ${inspect(error, { depth: 10 })}`).not.toContain(KEY);

    emu.reset();
    const tts = createOpenAITts({ env: { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: emu.apiBase } });
    const note = await tts.stream("a voice note", { voice: "sage" });
    expect(note).toMatchObject({ format: "opus", streamFormat: "sse", voice: "sage" });
    expect((await collect(note)).toString("latin1", 0, 4)).toBe("OggS");
    const file = await tts.stream("a file", { target: "file", model: "tts-1" });
    expect(file).toMatchObject({ format: "mp3", streamFormat: "audio" });
    await collect(file);
    expect(speechCalls().map((r) => (r.body as { stream_format: string }).stream_format)).toEqual(["sse", "audio"]);
  });
});
