import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
const H = { authorization: "Bearer sk-audio" };
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const speech = (body: object): Promise<Response> => fetch(`${emu.apiBase}/audio/speech`, { method: "POST", headers: { ...H, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o-mini-tts", voice: "alloy", input: "one two three", ...body }) });

function transcribe(file: Buffer, fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([file]), "a.wav");
  return fetch(`${emu.apiBase}/audio/transcriptions`, { method: "POST", headers: H, body: form });
}

describe("audio endpoints", () => {
  it("answers every response_format with its content type and magic bytes", async () => {
    const magic: Record<string, [string, (b: Buffer) => boolean]> = {
      mp3: ["audio/mpeg", (b) => b[0] === 0xff],
      opus: ["audio/ogg", (b) => b.toString("latin1", 0, 4) === "OggS"],
      aac: ["audio/aac", (b) => b[0] === 0xff && b[1] === 0xf1],
      flac: ["audio/flac", (b) => b.toString("latin1", 0, 4) === "fLaC"],
      wav: ["audio/wav", (b) => b.toString("latin1", 0, 4) === "RIFF"],
      pcm: ["audio/pcm", (b) => b.length === 47520], // 3 words ≈ 0.99 s of 24 kHz s16le
    };
    for (const [format, [type, check]] of Object.entries(magic)) {
      const res = await speech({ response_format: format });
      expect(res.headers.get("content-type"), format).toBe(type);
      expect(check(Buffer.from(await res.arrayBuffer())), format).toBe(true);
    }
  });

  it("streams speech as SSE when stream_format is sse", async () => {
    const res = await speech({ response_format: "pcm", stream_format: "sse" });
    const events = [...(await res.text()).matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!) as { type: string; audio?: string });
    expect(events.at(-1)!.type).toBe("speech.audio.done");
    const audio = Buffer.concat(events.filter((e) => e.audio).map((e) => Buffer.from(e.audio!, "base64")));
    expect(audio.length).toBe(47520);
  });

  it("refuses raw PCM uploads and formats the model cannot produce", async () => {
    const raw = Buffer.from(await (await speech({ response_format: "pcm" })).arrayBuffer());
    const bad = await transcribe(raw, { model: "whisper-1" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: "file" } });
    const wav = Buffer.from(await (await speech({ response_format: "wav" })).arrayBuffer());
    const incompatible = await transcribe(wav, { model: "gpt-4o-transcribe", response_format: "verbose_json" });
    expect(await incompatible.json()).toMatchObject({ error: { param: "response_format" } });
  });

  it("renders text, srt and vtt transcripts", async () => {
    const wav = Buffer.from(await (await speech({ response_format: "wav" })).arrayBuffer());
    expect(await (await transcribe(wav, { model: "whisper-1", response_format: "text" })).text()).toBe("one two three\n");
    expect(await (await transcribe(wav, { model: "whisper-1", response_format: "srt" })).text()).toMatch(/^1\n00:00:00,000 --> 00:00:00,990\none two three/);
    expect(await (await transcribe(wav, { model: "whisper-1", response_format: "vtt" })).text()).toMatch(/^WEBVTT\n\n00:00:00\.000 --> /);
    const withLogprobs = (await (await transcribe(wav, { model: "gpt-4o-transcribe", "include[]": "logprobs" })).json()) as { logprobs: { token: string }[] };
    expect(withLogprobs.logprobs.map((l) => l.token.trim())).toEqual(["one", "two", "three"]);
  });

  it("validates transcription forms against the spec before transcribing", async () => {
    const wav = Buffer.from(await (await speech({ response_format: "wav" })).arrayBuffer());
    const before = emu.requests.length;
    const unknown = await transcribe(wav, { model: "whisper-1", temprature: "0" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: { message: "Unknown parameter: 'temprature'.", type: "invalid_request_error", param: "temprature", code: "unknown_parameter" } });
    const temp = await transcribe(wav, { model: "whisper-1", temperature: "warm" });
    expect(await temp.json()).toMatchObject({ error: { param: "temperature", code: "invalid_value", message: expect.stringContaining('temperature: "warm"') } });
    const grains = await transcribe(wav, { model: "whisper-1", response_format: "verbose_json", "timestamp_granularities[]": "sentence" });
    expect(await grains.json()).toMatchObject({ error: { param: "timestamp_granularities[0]" } });
    // The request reached the emulator (recorded) but was refused before the handler ran.
    expect(emu.requests.length).toBe(before + 3);
    const text = new FormData();
    text.append("model", "whisper-1");
    text.append("file", "not-a-file");
    const res = await fetch(`${emu.apiBase}/audio/transcriptions`, { method: "POST", headers: H, body: text });
    expect(await res.json()).toMatchObject({ error: { param: "file", message: expect.stringContaining("expected a file upload") } });
  });

  it("skips form validation when started with validate: false (the handler still checks the file)", async () => {
    const loose = await startEmulator({ validate: false });
    try {
      const form = new FormData();
      form.append("model", "whisper-1");
      form.append("temprature", "0");
      form.append("file", new Blob([Buffer.from(await (await speech({ response_format: "wav" })).arrayBuffer())]), "a.wav");
      const res = await fetch(`${loose.apiBase}/audio/transcriptions`, { method: "POST", headers: H, body: form });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toBe("one two three");
    } finally {
      await loose.close();
    }
  });

  it("rejects bad embeddings requests naming the field", async () => {
    const embed = (body: object): Promise<Response> => fetch(`${emu.apiBase}/embeddings`, { method: "POST", headers: { ...H, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(await (await embed({ model: "text-embedding-ada-002", input: "x", dimensions: 8 })).json()).toMatchObject({ error: { param: "dimensions" } });
    expect((await embed({ model: "text-embedding-3-small", input: "" })).status).toBe(400);
    const tokens = (await (await embed({ model: "text-embedding-3-small", input: [[1, 2, 3]], dimensions: 4 })).json()) as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(tokens.data[0]!.embedding).toHaveLength(4);
    expect(tokens.usage.prompt_tokens).toBe(3);
  });
});
