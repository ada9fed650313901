import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { transcribeAudio } from "./transcribe-audio.js";
import { createOpenAITranscriber } from "./create-openai-transcriber.js";
import { synthesizeSpeech } from "./synthesize-speech.js";
import { detectAudioContainer } from "./audio-container.js";

const KEY = "sk-stt-canary-0123456789abcdef";
const fixture = (name: string) => join(import.meta.dirname, "__fixtures__", name);
let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "genesis-speech-"));
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Multipart {
  fields: Record<string, string>;
  files: { field: string; filename: string; contentType: string; size: number }[];
}
const sttCalls = () => emu.requests.filter((r) => r.path === "/v1/audio/transcriptions");
const body = (i = 0) => sttCalls()[i]!.body as Multipart;
const base = () => ({ apiKey: KEY, baseUrl: emu.apiBase, env: {} });

describe("transcribeAudio", () => {
  it("uploads a WAV file as multipart with model, language and prompt, and returns the text", async () => {
    emu.reset();
    const result = await transcribeAudio(fixture("tone.wav"), { ...base(), language: "EN", prompt: "Genesis, sox" });
    const [req] = sttCalls();
    expect(req).toMatchObject({ method: "POST", path: "/v1/audio/transcriptions", headers: { "content-type": expect.stringMatching(/^multipart\/form-data; boundary=/) } });
    expect(emu.authHeaderOf(req!.id)).toBe(`Bearer ${KEY}`);
    expect(body().fields).toEqual({ model: "gpt-4o-transcribe", response_format: "json", language: "en", prompt: "Genesis, sox" });
    expect(body().files).toEqual([{ field: "file", filename: "tone.wav", contentType: "audio/wav", size: readFileSync(fixture("tone.wav")).length }]);
    expect(result).toEqual({ text: "Emulated transcript of tone.wav.", model: "gpt-4o-transcribe" });
  });

  it("round-trips TTS audio: the emulator's WAV carries its text", async () => {
    emu.reset();
    const speech = await synthesizeSpeech("the quick brown fox", { ...base(), responseFormat: "wav" });
    const result = await transcribeAudio({ data: speech.audio, filename: "reply" }, base());
    expect(result.text).toBe("the quick brown fox");
    // A name without a known extension gets the container's.
    expect(body().files[0]).toMatchObject({ filename: "reply.wav", contentType: "audio/wav", size: speech.audio.length });
  });

  it("accepts flac, ogg, mp3 and m4a/webm containers by magic bytes", async () => {
    emu.reset();
    await transcribeAudio(fixture("tone.flac"), base());
    await transcribeAudio({ data: readFileSync(fixture("tone.ogg")), filename: "note.opus" }, base());
    const mp3 = await synthesizeSpeech("mp3 please", { ...base(), responseFormat: "mp3" });
    await transcribeAudio({ data: mp3.audio, filename: "clip.bin" }, base());
    expect(sttCalls().map((r) => (r.body as Multipart).files[0]!.filename)).toEqual(["tone.flac", "note.opus", "clip.bin.mp3"]);
    expect(sttCalls().map((r) => (r.body as Multipart).files[0]!.contentType)).toEqual(["audio/flac", "audio/ogg", "audio/mpeg"]);
    const m4a = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypM4A "), Buffer.alloc(12)]);
    const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(12)]);
    expect([detectAudioContainer(m4a), detectAudioContainer(webm)]).toEqual(["mp4", "webm"]);
    // ADTS AAC (what tts "aac" answers) is not a container the transcription API takes.
    const aac = await synthesizeSpeech("aac", { ...base(), responseFormat: "aac" });
    expect(detectAudioContainer(aac.audio)).toBeUndefined();
  });

  it("asks whisper-1 for verbose_json and reports language and duration", async () => {
    emu.reset();
    const result = await transcribeAudio(fixture("tone.wav"), { ...base(), model: "whisper-1" });
    expect(body().fields).toMatchObject({ model: "whisper-1", response_format: "verbose_json" });
    expect(result.language).toBe("english");
    // 0.25 s at 8 kHz: the emulator reads the WAV header assuming 16-bit mono.
    expect(result.durationSec).toBeCloseTo(0.25, 2);
  });

  it("sends gpt-4o-transcribe-diarize chunking_strategy=auto and never a prompt", async () => {
    emu.reset();
    const config = { tools: { media: { audio: { models: [{ provider: "openai", prompt: "Names: Ada" }] } } } };
    const result = await transcribeAudio(fixture("tone.wav"), { ...base(), config, model: "gpt-4o-transcribe-diarize" });
    // The config-wide prompt is dropped for a call that picks the diarizing model.
    expect(body().fields).toEqual({ model: "gpt-4o-transcribe-diarize", response_format: "json", chunking_strategy: "auto" });
    expect(result).toEqual({ text: "Emulated transcript of tone.wav.", model: "gpt-4o-transcribe-diarize" });
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), model: "gpt-4o-transcribe-diarize", prompt: "Ada" })).rejects.toMatchObject({
      code: "invalid_argument", path: "prompt", hint: expect.stringContaining("gpt-4o-transcribe"),
    });
    const both = { tools: { media: { audio: { models: [{ provider: "openai", model: "gpt-4o-transcribe-diarize", prompt: "Ada" }] } } } };
    expect(() => createOpenAITranscriber({ ...base(), config: both })).toThrow(expect.objectContaining({ path: "tools.media.audio.models[0].prompt" }));
    expect(sttCalls()).toHaveLength(1);
  });

  it("reads model, language, prompt from the first openai tools.media.audio.models entry; calls override", async () => {
    emu.reset();
    const config = {
      tools: { media: { audio: { models: [
        { type: "provider" as const, provider: "local", model: "whatever" },
        { type: "provider" as const, provider: "openai", model: "gpt-4o-mini-transcribe", language: "de", prompt: "Fachbegriffe" },
      ] } } },
      models: { providers: { openai: { baseUrl: emu.apiBase } } },
    };
    const transcriber = createOpenAITranscriber({ config, env: { OPENAI_API_KEY: KEY } });
    expect(transcriber).toMatchObject({ provider: "openai", model: "gpt-4o-mini-transcribe" });
    await transcriber.transcribe(fixture("tone.wav"));
    await transcriber.transcribe(fixture("tone.wav"), { language: "fr", model: undefined });
    expect(body(0).fields).toEqual({ model: "gpt-4o-mini-transcribe", response_format: "json", language: "de", prompt: "Fachbegriffe" });
    expect(body(1).fields).toMatchObject({ model: "gpt-4o-mini-transcribe", language: "fr", prompt: "Fachbegriffe" });
    expect(() => createOpenAITranscriber({ ...base(), config: { tools: { media: { audio: { models: [{ provider: "openai", model: "speechy" }] } } } } })).toThrow(
      expect.objectContaining({ code: "invalid_argument", path: "tools.media.audio.models[0].model" }),
    );
  });

  it("refuses missing, empty, oversized, unsupported and non-file inputs before any request", async () => {
    emu.reset();
    const empty = join(dir, "empty.wav");
    writeFileSync(empty, "");
    const huge = join(dir, "huge.wav");
    writeFileSync(huge, readFileSync(fixture("tone.wav")));
    truncateSync(huge, 25 * 1024 * 1024 + 1); // sparse: cheap on disk
    const cases: [Parameters<typeof transcribeAudio>[0], string, RegExp][] = [
      [join(dir, "missing.wav"), "audio_file_not_found", /not found/],
      [empty, "audio_file_empty", /is empty/],
      [huge, "audio_file_too_large", /25\.0 MB; the upload limit is 25 MB/],
      [fixture("tone.aiff"), "audio_format_unsupported", /not in a supported audio container/],
      [dir, "audio_file_unreadable", /not a regular file/],
      [{ data: new Uint8Array(0), filename: "x.wav" }, "audio_file_empty", /empty/],
      [{ data: new Uint8Array(4800), filename: "raw.pcm" }, "audio_format_unsupported", /raw\.pcm/],
      ["", "invalid_argument", /path is empty/],
    ];
    for (const [input, code, message] of cases) {
      const error = await transcribeAudio(input, base()).catch((e: unknown) => e);
      expect(error, code).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
    }
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), model: "gpt-5" })).rejects.toMatchObject({ path: "model", hint: expect.stringContaining("whisper-1") });
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), language: "English" })).rejects.toMatchObject({ path: "language" });
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), timeoutMs: -1 })).rejects.toMatchObject({ path: "timeoutMs" });
    await expect(transcribeAudio(fixture("tone.wav"), { baseUrl: emu.apiBase, env: {} })).rejects.toMatchObject({ code: "no_api_key" });
    expect(emu.requests).toHaveLength(0);
  });

  it("retries 429/5xx, types a 400, and rejects an answer without text", async () => {
    emu.reset();
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "rate-limit", retryAfter: "2" });
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "http-status", status: 500 });
    const ok = await transcribeAudio(fixture("tone.flac"), { ...base(), sleep });
    expect(ok.text).toBe("Emulated transcript of tone.flac.");
    expect(sttCalls()).toHaveLength(3);
    // Every attempt re-sends the whole file.
    expect(sttCalls().map((r) => (r.body as Multipart).files[0]!.size)).toEqual(Array(3).fill(readFileSync(fixture("tone.flac")).length));
    expect(delays[0]).toBe(2000);
    emu.reset();
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "http-status", status: 400, body: { error: { message: "Audio file might be corrupted", type: "invalid_request_error", code: "invalid_value", param: "file" } } });
    await expect(transcribeAudio(fixture("tone.wav"), base())).rejects.toMatchObject({ code: "api_error", status: 400, message: expect.stringContaining("corrupted") });
    expect(sttCalls()).toHaveLength(1);
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "http-status", status: 200, body: { transcript: "wrong field" } });
    await expect(transcribeAudio(fixture("tone.wav"), base())).rejects.toMatchObject({ code: "bad_server_response", endpoint: "/audio/transcriptions" });
  });

  it("times out after timeoutMs (config entry named in the hint) and aborts on signal", async () => {
    emu.reset();
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "slow-first-byte", ms: 3_000 });
    const config = { tools: { media: { audio: { models: [{ provider: "openai", timeoutMs: 100 }] } } } };
    const started = Date.now();
    const error = await transcribeAudio(fixture("tone.wav"), { ...base(), config, maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "connect_timeout", timeoutMs: 100, hint: expect.stringContaining("tools.media.audio.models[0].timeoutMs") });
    expect(Date.now() - started).toBeLessThan(2_000);
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "slow-first-byte", ms: 3_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), signal: controller.signal })).rejects.toMatchObject({ code: "aborted" });
  });

  it("caps timeoutMs at the largest timer Node honours; 0 means no limit (call or config entry)", async () => {
    emu.reset();
    // Node fires a timer above 2147483647 ms after 1 ms, so a "no limit" 3e9 would time out at once.
    const huge = await transcribeAudio(fixture("tone.wav"), { ...base(), timeoutMs: 3e9 }).catch((e: unknown) => e);
    expect(huge).toMatchObject({ code: "invalid_argument", path: "timeoutMs", message: expect.stringContaining("2147483647"), hint: expect.stringContaining("0 for no limit") });
    const entry = (timeoutMs: number) => ({ tools: { media: { audio: { models: [{ provider: "openai", timeoutMs }] } } } });
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), config: entry(3e9) })).rejects.toMatchObject({ path: "tools.media.audio.models[0].timeoutMs" });
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), timeoutMs: 1.5 })).rejects.toMatchObject({ path: "timeoutMs" });
    expect(emu.requests).toHaveLength(0);
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "slow-first-byte", ms: 150 });
    expect((await transcribeAudio(fixture("tone.wav"), { ...base(), config: entry(0), maxRetries: 0 })).text).toBe("Emulated transcript of tone.wav.");
    // A call's 0 lifts the entry's limit; the maximum itself is a working (not instant) timer.
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "slow-first-byte", ms: 150 });
    expect((await transcribeAudio(fixture("tone.wav"), { ...base(), config: entry(20), timeoutMs: 0, maxRetries: 0 })).text).toContain("tone.wav");
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "slow-first-byte", ms: 150 });
    expect((await transcribeAudio(fixture("tone.wav"), { ...base(), timeoutMs: 2_147_483_647, maxRetries: 0 })).text).toContain("tone.wav");
    expect(sttCalls()).toHaveLength(3);
  });

  it("keeps the API key out of errors and inspect output", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-good-0123456789"] });
    try {
      const transcriber = createOpenAITranscriber({ apiKey: KEY, baseUrl: strict.apiBase, env: {} });
      expect(inspect(transcriber, { depth: 10, showHidden: true })).not.toContain(KEY);
      const error = await transcriber.transcribe(fixture("tone.wav")).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "auth_failed", status: 401 });
      expect(String((error as Error).message)).not.toContain(KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(KEY);
    } finally {
      await strict.close();
    }
  });
});

describe("base URLs", () => {
  it("OPENAI_TTS_BASE_URL routes TTS only; transcription follows OPENAI_BASE_URL", async () => {
    const other = await startEmulator();
    try {
      emu.reset();
      const env = { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: other.apiBase, OPENAI_BASE_URL: emu.apiBase };
      const speech = await synthesizeSpeech("routed speech", { env, responseFormat: "wav" });
      const text = await transcribeAudio({ data: speech.audio, filename: "routed.wav" }, { env });
      expect(text.text).toBe("routed speech");
      expect(other.requests.map((r) => r.path)).toEqual(["/v1/audio/speech"]);
      expect(emu.requests.map((r) => r.path)).toEqual(["/v1/audio/transcriptions"]);
    } finally {
      await other.close();
    }
  });
});
