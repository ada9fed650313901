import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { synthesizeSpeech } from "./synthesize-speech.js";
import { createOpenAITts } from "./create-openai-tts.js";
import { TTS_VOICES } from "./speech-options.js";

const KEY = "sk-tts-canary-0123456789abcdef";
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const ascii = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString("latin1");
const speechCalls = () => emu.requests.filter((r) => r.path === "/v1/audio/speech");
const base = () => ({ apiKey: KEY, baseUrl: emu.apiBase, env: {} });

describe("synthesizeSpeech", () => {
  it("sends the defaults (gpt-4o-mini-tts, coral, mp3 for files) and returns real mp3 bytes", async () => {
    emu.reset();
    const result = await synthesizeSpeech("Hello from Genesis", base());
    const [req] = speechCalls();
    expect(req).toMatchObject({ method: "POST", path: "/v1/audio/speech", headers: { "content-type": "application/json" } });
    expect(emu.authHeaderOf(req!.id)).toBe(`Bearer ${KEY}`);
    expect(req!.body).toEqual({ model: "gpt-4o-mini-tts", input: "Hello from Genesis", voice: "coral", response_format: "mp3" });
    expect(result).toMatchObject({ format: "mp3", mimeType: "audio/mpeg", model: "gpt-4o-mini-tts", voice: "coral", warnings: [] });
    // An MPEG audio frame sync word.
    expect(result.audio[0]).toBe(0xff);
    expect(result.audio[1]! & 0xe0).toBe(0xe0);
  });

  it("returns WAV, FLAC, PCM and Ogg Opus with the right headers, forwarding speed and instructions", async () => {
    emu.reset();
    const wav = await synthesizeSpeech("one two three four five six", { ...base(), responseFormat: "wav", speed: 2, instructions: "Speak calmly." });
    expect(ascii(wav.audio, 0, 4)).toBe("RIFF");
    expect(ascii(wav.audio, 8, 12)).toBe("WAVE");
    expect(wav.mimeType).toBe("audio/wav");
    expect(speechCalls()[0]!.body).toMatchObject({ response_format: "wav", speed: 2, instructions: "Speak calmly." });
    const flac = await synthesizeSpeech("one two three", { ...base(), responseFormat: "flac" });
    expect(ascii(flac.audio, 0, 4)).toBe("fLaC");
    const pcm = await synthesizeSpeech("one two three", { ...base(), responseFormat: "pcm" });
    // 3 words ≈ 0.99 s of 24 kHz s16 mono.
    expect(pcm.audio.length).toBe(Math.round(0.99 * 24_000) * 2);
    const opus = await synthesizeSpeech("one two three", { ...base(), target: "voice-note" });
    expect(opus.format).toBe("opus");
    expect(ascii(opus.audio, 0, 4)).toBe("OggS");
    expect(speechCalls().at(-1)!.body).toMatchObject({ response_format: "opus" });
  });

  it("resolves settings from messages.tts.providers.openai and the environment", async () => {
    emu.reset();
    const config = { messages: { tts: { providers: { openai: { model: "tts-1-hd", voice: "Onyx", responseFormat: "flac" as const, speed: 1.5 } } } } };
    const result = await synthesizeSpeech("configured", { config, env: { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: emu.apiBase } });
    expect(speechCalls()[0]!.body).toEqual({ model: "tts-1-hd", input: "configured", voice: "onyx", response_format: "flac", speed: 1.5 });
    expect(emu.authHeaderOf(speechCalls()[0]!.id)).toBe(`Bearer ${KEY}`);
    expect(result).toMatchObject({ model: "tts-1-hd", voice: "onyx", format: "flac" });
    // A per-call value beats the config.
    await synthesizeSpeech("override", { config, env: { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: emu.apiBase }, voice: "marin", responseFormat: "wav" });
    expect(speechCalls()[1]!.body).toMatchObject({ voice: "marin", response_format: "wav", model: "tts-1-hd" });
    // The configured base URL beats OPENAI_TTS_BASE_URL (which points nowhere here).
    const withBase = { messages: { tts: { providers: { openai: { baseUrl: emu.apiBase } } } } };
    await synthesizeSpeech("configured base", { config: withBase, env: { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: "http://127.0.0.1:9/v1" }, maxRetries: 0 });
    expect(speechCalls()[2]!.body).toMatchObject({ input: "configured base" });
  });

  it("drops config instructions for tts-1 with a warning, but rejects explicit ones", async () => {
    emu.reset();
    const config = { messages: { tts: { providers: { openai: { instructions: "Whisper." } } } } };
    const warnings: string[] = [];
    const result = await synthesizeSpeech("hi", { ...base(), config, model: "tts-1", onWarning: (w) => warnings.push(w) });
    expect(speechCalls()[0]!.body).not.toHaveProperty("instructions");
    expect(result.warnings).toEqual([expect.stringContaining("messages.tts.providers.openai.instructions ignored")]);
    expect(warnings).toEqual(result.warnings);
    const error = await synthesizeSpeech("hi", { ...base(), model: "tts-1", instructions: "Whisper." }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_argument", path: "instructions", hint: expect.stringContaining("gpt-4o-mini-tts") });
    expect(speechCalls()).toHaveLength(1);
  });

  it("rejects bad input with typed errors before any request", async () => {
    emu.reset();
    const cases: [string, Parameters<typeof synthesizeSpeech>[1], string, RegExp][] = [
      ["", base(), "text", /empty/],
      ["   ", base(), "text", /empty/],
      ["x".repeat(4097), base(), "text", /4097 characters; the limit is 4096/],
      ["hi", { ...base(), voice: "robot" }, "voice", /unknown voice "robot"/],
      ["hi", { ...base(), model: "gpt-4o-tts" }, "model", /unknown TTS model/],
      ["hi", { ...base(), responseFormat: "ogg" as never }, "responseFormat", /unknown audio format "ogg"/],
      ["hi", { ...base(), speed: 4.5 }, "speed", /out of range/],
      ["hi", { ...base(), speed: 0.2 }, "speed", /out of range/],
      ["hi", { ...base(), target: "podcast" as never }, "target", /unknown target/],
      ["hi", { ...base(), baseUrl: "ftp://example.com" }, "baseUrl", /http\(s\) URL/],
      ["hi", { ...base(), speed: "fast" as never }, "speed", /expected number/],
      ["hi", { apiKey: KEY, env: { OPENAI_TTS_BASE_URL: "not a url" } }, "OPENAI_TTS_BASE_URL", /http\(s\) URL/],
    ];
    for (const [text, options, path, message] of cases) {
      const error = await synthesizeSpeech(text, options).catch((e: unknown) => e);
      expect(error, path).toMatchObject({ code: "invalid_argument", path, message: expect.stringMatching(message) });
    }
    // A key pasted into the wrong option is not echoed back.
    const pasted = (await synthesizeSpeech("hi", { ...base(), voice: "sk-proj-pastedkey0123456789" }).catch((e: unknown) => e)) as Error;
    expect(pasted).toMatchObject({ path: "voice" });
    expect(`${pasted.message} ${inspect(pasted)}`).not.toContain("pastedkey");
    const voice = (await synthesizeSpeech("hi", { ...base(), voice: "robot" }).catch((e: unknown) => e)) as { hint: string };
    for (const name of TTS_VOICES) expect(voice.hint).toContain(name);
    const config = { messages: { tts: { providers: { openai: { voice: "robot" } } } } };
    await expect(synthesizeSpeech("hi", { ...base(), config })).rejects.toMatchObject({ path: "messages.tts.providers.openai.voice" });
    await expect(synthesizeSpeech("hi", { baseUrl: emu.apiBase, env: {} })).rejects.toMatchObject({ code: "no_api_key", hint: expect.stringContaining("OPENAI_API_KEY") });
    expect(emu.requests).toHaveLength(0);
  });

  it("retries 429 and 5xx, then succeeds", async () => {
    emu.reset();
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "rate-limit", retryAfterMs: "1500" });
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "http-status", status: 503 });
    const result = await synthesizeSpeech("retry me", { ...base(), sleep, responseFormat: "wav" });
    expect(ascii(result.audio, 0, 4)).toBe("RIFF");
    expect(speechCalls()).toHaveLength(3);
    expect(delays[0]).toBe(1500);
    expect(delays).toHaveLength(2);
  });

  it("turns 400 into a typed ApiError (sent once) and a non-audio 200 into SpeechResponseError", async () => {
    emu.reset();
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "http-status", status: 400, body: { error: { message: "Bad voice", type: "invalid_request_error", code: "invalid_value", param: "voice" } } });
    const error = await synthesizeSpeech("hi", base()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "api_error", status: 400, serverCode: "invalid_value", message: expect.stringContaining("Bad voice") });
    expect(speechCalls()).toHaveLength(1);
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "http-status", status: 200, body: { ok: true } });
    await expect(synthesizeSpeech("hi", base())).rejects.toMatchObject({ code: "bad_server_response", endpoint: "/audio/speech" });
  });

  it("aborts with a typed error, before sending and while waiting", async () => {
    emu.reset();
    const before = new AbortController();
    before.abort();
    await expect(synthesizeSpeech("hi", { ...base(), signal: before.signal })).rejects.toMatchObject({ code: "aborted" });
    expect(speechCalls()).toHaveLength(0);
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "slow-first-byte", ms: 5_000 });
    const during = new AbortController();
    const pending = synthesizeSpeech("hi", { ...base(), signal: during.signal });
    setTimeout(() => during.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("keeps the API key out of errors, inspect output and the provider object", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-good-0123456789"] });
    try {
      const error = await synthesizeSpeech("hi", { apiKey: KEY, baseUrl: strict.apiBase, env: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "auth_failed", status: 401 });
      expect(String((error as Error).message)).not.toContain(KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(KEY);
      const tts = createOpenAITts({ apiKey: KEY, baseUrl: strict.apiBase, env: {} });
      expect(inspect(tts, { depth: 10, showHidden: true })).not.toContain(KEY);
      const viaProvider = await tts.synthesize("hi").catch((e: unknown) => e);
      expect(inspect(viaProvider, { depth: 10 })).not.toContain(KEY);
    } finally {
      await strict.close();
    }
  });
});

describe("createOpenAITts", () => {
  it("defaults to voice notes (opus), applies per-call overrides, and checks config at creation", async () => {
    emu.reset();
    const tts = createOpenAITts({ config: { messages: { tts: { providers: { openai: { voice: "sage" } } } } }, env: { OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: emu.apiBase } });
    expect(tts).toMatchObject({ provider: "openai", model: "gpt-4o-mini-tts", voice: "sage", responseFormat: "opus" });
    const note = await tts.synthesize("a voice note");
    expect(note).toMatchObject({ format: "opus", mimeType: "audio/ogg", voice: "sage" });
    const file = await tts.synthesize("a file", { target: "file", voice: "verse", speed: undefined });
    expect(file).toMatchObject({ format: "mp3", voice: "verse" });
    expect(speechCalls().map((r) => (r.body as { response_format: string }).response_format)).toEqual(["opus", "mp3"]);
    expect(() => createOpenAITts({ apiKey: KEY, config: { messages: { tts: { providers: { openai: { model: "tts-2" } } } } } })).toThrow(
      expect.objectContaining({ code: "invalid_argument", path: "messages.tts.providers.openai.model" }),
    );
    expect(() => createOpenAITts({ env: {} })).toThrow(expect.objectContaining({ code: "no_api_key" }));
  });
});
