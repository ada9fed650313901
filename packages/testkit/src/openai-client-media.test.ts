import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wavComment } from "./_audio.js";
import { mp4TopLevelBoxes } from "./_mp4.js";
import { pngSize, renderPng } from "./_png.js";
import { startEmulator, type Emulator } from "./index.js";

// The official client is the referee for the media, audio and embeddings endpoints.
let emu: Emulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startEmulator();
  client = new OpenAI({ apiKey: "sk-test-media", baseURL: emu.apiBase, maxRetries: 0 });
});
afterAll(() => emu.close());

describe("official openai client: media, audio, embeddings", () => {
  it("generates gpt-image-2 images of the requested size", async () => {
    const r = await client.images.generate({ model: "gpt-image-2", prompt: "a lighthouse", size: "1536x864", n: 2 });
    expect(r.data).toHaveLength(2);
    const png = Buffer.from(r.data![0]!.b64_json!, "base64");
    expect(pngSize(png)).toEqual({ width: 1536, height: 864 });
    expect(r.data![0]!.b64_json).not.toBe(r.data![1]!.b64_json);
    expect(r.usage?.output_tokens).toBeGreaterThan(0);
    expect(r.size).toBe("1536x864");
    const req = emu.requests.at(-1)!;
    expect(req).toMatchObject({ method: "POST", path: "/v1/images/generations", body: { model: "gpt-image-2", size: "1536x864", n: 2 } });
    expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-test-media");
  });

  it("rejects an out-of-range gpt-image-2 size naming the field", async () => {
    const err = await client.images.generate({ model: "gpt-image-2", prompt: "x", size: "4096x4096" as "auto" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("size");
  });

  it("edits with several image[] files and a mask (multipart)", async () => {
    const a = await toFile(renderPng(64, 64, "a"), "a.png", { type: "image/png" });
    const b = await toFile(renderPng(64, 64, "b"), "b.png", { type: "image/png" });
    const mask = await toFile(renderPng(64, 64, "m"), "mask.png", { type: "image/png" });
    const r = await client.images.edit({ model: "gpt-image-2", image: [a, b], mask, prompt: "merge them", size: "1024x1024" });
    expect(pngSize(Buffer.from(r.data![0]!.b64_json!, "base64"))).toEqual({ width: 1024, height: 1024 });
    const body = emu.requests.at(-1)!.body as { fields: Record<string, unknown>; files: { field: string; filename: string }[] };
    expect(body.fields).toMatchObject({ prompt: "merge them", model: "gpt-image-2" });
    expect(body.files.map((f) => f.field)).toEqual(["image[]", "image[]", "mask"]);
  });

  it("creates speech in wav and mp3 with real audio bytes", async () => {
    const wav = Buffer.from(await (await client.audio.speech.create({ model: "gpt-4o-mini-tts", voice: "marin", input: "hello there", response_format: "wav" })).arrayBuffer());
    expect(wav.toString("latin1", 0, 4)).toBe("RIFF");
    expect(wavComment(wav)).toBe("hello there");
    const res = await client.audio.speech.create({ model: "gpt-4o-mini-tts", voice: "marin", input: "hello there" });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    const mp3 = Buffer.from(await res.arrayBuffer());
    expect([mp3[0], mp3[1]! & 0xe0]).toEqual([0xff, 0xe0]);
  });

  it("transcribes the emulator's own speech back to its text", async () => {
    const wav = Buffer.from(await (await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "round trip works", response_format: "wav" })).arrayBuffer());
    const t = await client.audio.transcriptions.create({ model: "gpt-4o-transcribe", file: await toFile(wav, "speech.wav", { type: "audio/wav" }) });
    expect(t.text).toBe("round trip works");
    const v = await client.audio.transcriptions.create({ model: "whisper-1", file: await toFile(wav, "speech.wav"), response_format: "verbose_json", timestamp_granularities: ["word"] });
    expect(v.words?.map((w) => w.word)).toEqual(["round", "trip", "works"]);
    expect(v.duration).toBeGreaterThan(0);
  });

  it("streams a transcription as transcript.text.delta/done events", async () => {
    const wav = Buffer.from(await (await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "stream me please", response_format: "wav" })).arrayBuffer());
    const stream = await client.audio.transcriptions.create({ model: "gpt-4o-mini-transcribe", file: await toFile(wav, "s.wav"), stream: true });
    const types: string[] = [];
    let done = "";
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "transcript.text.done") done = ev.text;
    }
    expect(types.filter((t) => t === "transcript.text.delta").length).toBe(3);
    expect(types.at(-1)).toBe("transcript.text.done");
    expect(done).toBe("stream me please");
  });

  it("embeds with the client's default base64 encoding and with dimensions", async () => {
    const r = await client.embeddings.create({ model: "text-embedding-3-small", input: ["red apple", "green apple", "tax law"] });
    expect(emu.requests.at(-1)!.body).toMatchObject({ encoding_format: "base64" });
    const [a, b, c] = r.data.map((d) => d.embedding);
    expect(a).toHaveLength(1536);
    const dot = (x: number[], y: number[]): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(a!, a!)).toBeCloseTo(1, 4);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    const small = await client.embeddings.create({ model: "text-embedding-3-large", input: "red apple", dimensions: 256, encoding_format: "float" });
    expect(small.data[0]!.embedding).toHaveLength(256);
    expect(small.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("creates, polls and downloads a video, then remixes and deletes it", async () => {
    const created = await client.videos.create({ model: "sora-2", prompt: "waves", seconds: "4", size: "1280x720" });
    expect(created).toMatchObject({ object: "video", status: "queued", progress: 0 });
    const early = await client.videos.downloadContent(created.id).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(OpenAI.BadRequestError);
    const first = await client.videos.retrieve(created.id);
    expect(first).toMatchObject({ status: "in_progress", progress: 50 });
    const done = await client.videos.retrieve(created.id);
    expect(done).toMatchObject({ status: "completed", progress: 100 });
    const mp4 = Buffer.from(await (await client.videos.downloadContent(created.id)).arrayBuffer());
    expect(mp4TopLevelBoxes(mp4)).toEqual(["ftyp", "moov", "mdat"]);
    expect(emu.requests.at(-1)!.headers["accept"]).toBe("application/binary");
    const remix = await client.videos.remix(created.id, { prompt: "bigger waves" });
    expect(remix.remixed_from_video_id).toBe(created.id);
    expect((await client.videos.delete(created.id)).deleted).toBe(true);
    expect(await client.videos.retrieve(created.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
