import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../index.js";
import { SPEECH_STREAM_CHUNK } from "./speech.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const TEXT = "one two three four five six seven eight nine";
const speech = (body: object): Promise<Response> =>
  fetch(`${emu.apiBase}/audio/speech`, {
    method: "POST",
    headers: { authorization: "Bearer sk-speech-stream", "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini-tts", voice: "alloy", input: TEXT, response_format: "wav", ...body }),
  });

/** Every chunk the client reads, with the time it arrived. */
async function readChunks(res: Response): Promise<{ chunks: Buffer[]; at: number[] }> {
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  const at: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { chunks, at };
    chunks.push(Buffer.from(value));
    at.push(performance.now());
  }
}

const events = (text: string) => [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!) as { type: string; audio?: string; usage?: Record<string, number> });

describe("streamed /v1/audio/speech", () => {
  it("stream_format audio sends the same bytes as the one-piece answer, chunked over several writes", async () => {
    const whole = Buffer.from(await (await speech({})).arrayBuffer());
    expect(whole.length).toBeGreaterThan(3 * SPEECH_STREAM_CHUNK);
    const res = await speech({ stream_format: "audio" });
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    const { chunks } = await readChunks(res);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
  });

  it("stream_format sse sends base64 deltas of the same bytes, then done with usage", async () => {
    const whole = Buffer.from(await (await speech({ response_format: "pcm" })).arrayBuffer());
    const res = await speech({ response_format: "pcm", stream_format: "sse" });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const list = events(await res.text());
    const deltas = list.filter((e) => e.type === "speech.audio.delta");
    expect(deltas.length).toBe(Math.ceil(whole.length / SPEECH_STREAM_CHUNK));
    expect(Buffer.concat(deltas.map((e) => Buffer.from(e.audio!, "base64"))).equals(whole)).toBe(true);
    const done = list.at(-1)!;
    expect(done.type).toBe("speech.audio.done");
    expect(done.usage!.total_tokens).toBe(done.usage!.input_tokens! + done.usage!.output_tokens!);
    expect(done.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("refuses sse for the tts-1 family with a 400 naming stream_format, but streams their audio", async () => {
    for (const model of ["tts-1", "tts-1-hd", "tts-1-hd-1106"]) {
      const res = await speech({ model, stream_format: "sse" });
      expect(res.status, model).toBe(400);
      expect(await res.json()).toMatchObject({ error: { param: "stream_format", message: expect.stringContaining(model) } });
    }
    const ok = await speech({ model: "tts-1", stream_format: "audio" });
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).toString("latin1", 0, 4)).toBe("RIFF");
    // Spec validation stays on: an unknown stream_format is refused before the handler.
    const bad = await speech({ stream_format: "chunks" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: expect.stringContaining("stream_format") } });
  });

  it("applies latency: the first chunk arrives while the server is still sending", async () => {
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "latency", perFrameMs: 10 });
    const started = performance.now();
    const { chunks, at } = await readChunks(await speech({ stream_format: "audio" }));
    expect(chunks.length).toBeGreaterThan(3);
    expect(at[0]! - started).toBeLessThan(at.at(-1)! - started - 80);
  });

  it("drops the socket mid-stream, sends a malformed event, or ends without done when a fault says so", async () => {
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "sse-destroy", afterEvents: 2 });
    const dropped = await speech({ stream_format: "audio" });
    await expect(readChunks(dropped)).rejects.toThrow();

    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "sse-malformed", atEvent: 1 });
    const malformed = await (await speech({ stream_format: "sse" })).text();
    expect(malformed).toContain('data: {"type":"speech.audio.delta", not json');

    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "error-event", code: "overloaded", afterEvents: 1 });
    const failed = events(await (await speech({ stream_format: "sse" })).text());
    expect(failed.map((e) => e.type)).toEqual(["speech.audio.delta", "error"]);
    expect(failed[1]).toMatchObject({ error: { code: "overloaded" } });

    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "sse-no-terminal" });
    const cut = events(await (await speech({ stream_format: "sse" })).text());
    expect(cut.length).toBeGreaterThan(1);
    expect(cut.every((e) => e.type === "speech.audio.delta")).toBe(true);
  });
});
