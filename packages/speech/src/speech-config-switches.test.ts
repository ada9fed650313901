import { join } from "node:path";
import { inspect } from "node:util";
import { ConfigError } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAITranscriber } from "./create-openai-transcriber.js";
import { createOpenAITts } from "./create-openai-tts.js";
import { streamSpeech } from "./stream-speech.js";
import { synthesizeSpeech } from "./synthesize-speech.js";
import { transcribeAudio } from "./transcribe-audio.js";
import type { SpeechConfig } from "./_settings.js";

const KEY = "sk-speech-switch-0123456789abcdef";
const fixture = (name: string) => join(import.meta.dirname, "__fixtures__", name);
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const base = () => ({ apiKey: KEY, baseUrl: emu.apiBase, env: {} });
const openaiOff: SpeechConfig = { plugins: { entries: { openai: { enabled: false } } } };
const fields = (i = 0) => (emu.requests.filter((r) => r.path === "/v1/audio/transcriptions")[i]!.body as { fields: Record<string, string> }).fields;

/** The error a call throws (synchronously or as a rejection). */
async function failure(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error("expected a failure");
}

describe("plugins.entries.openai.enabled: false", () => {
  it("stops every speech entry point before any request, naming the key and the fix", async () => {
    const calls: [string, () => unknown][] = [
      ["Text-to-speech", () => synthesizeSpeech("hi", { ...base(), config: openaiOff })],
      ["Text-to-speech", () => streamSpeech("hi", { ...base(), config: openaiOff })],
      ["Text-to-speech", () => createOpenAITts({ ...base(), config: openaiOff })],
      ["Speech-to-text", () => transcribeAudio(fixture("tone.wav"), { ...base(), config: openaiOff })],
      // Checked before the file is read: the switch, not the missing file, is reported.
      ["Speech-to-text", () => transcribeAudio("/no/such/file.wav", { ...base(), config: openaiOff })],
      ["Speech-to-text", () => createOpenAITranscriber({ ...base(), config: openaiOff })],
    ];
    for (const [surface, run] of calls) {
      const error = await failure(run);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.openai.enabled" });
      expect(error.message).toContain(surface);
      expect(error.hint).toContain("genesis config set plugins.entries.openai.enabled true");
      expect(inspect(error)).not.toContain(KEY);
    }
    expect(emu.requests).toEqual([]);
  });

  it("absent or true means enabled; without a config nothing is checked", async () => {
    for (const config of [{}, { plugins: { entries: { openai: { enabled: true } } } }, { plugins: { entries: { "voice-call": { enabled: false } } } }, undefined] as (SpeechConfig | undefined)[]) {
      const speech = await synthesizeSpeech("enabled", { ...base(), config, responseFormat: "wav" });
      const text = await transcribeAudio({ data: speech.audio, filename: "enabled.wav" }, { ...base(), config });
      expect(text.text).toBe("enabled");
    }
    expect(emu.requests.map((r) => r.path)).toEqual(Array(4).fill(["/v1/audio/speech", "/v1/audio/transcriptions"]).flat());
  });
});

describe("messages.tts.provider", () => {
  it("anything but openai is a typed error naming the key, the value and the fix", async () => {
    const config: SpeechConfig = { messages: { tts: { provider: "elevenlabs" } } };
    for (const run of [() => synthesizeSpeech("hi", { ...base(), config }), () => streamSpeech("hi", { ...base(), config }), () => createOpenAITts({ ...base(), config })]) {
      const error = await failure(run);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "provider_unavailable", path: "messages.tts.provider" });
      expect(error.message).toBe('messages.tts.provider is "elevenlabs", but Genesis ships only the openai text-to-speech provider.');
      expect(error.hint).toBe("Only 'openai' is available; remove the key ('genesis config unset messages.tts.provider') or set it to openai ('genesis config set messages.tts.provider openai').");
    }
    expect(emu.requests).toEqual([]);
  });

  it("openai (any case) works and reads the openai provider block", async () => {
    const config: SpeechConfig = { messages: { tts: { provider: "OpenAI", providers: { openai: { voice: "sage" } } } } };
    const result = await synthesizeSpeech("selected", { ...base(), config });
    expect(result.voice).toBe("sage");
    expect(emu.requests[0]!.body).toMatchObject({ voice: "sage", input: "selected" });
  });

  it("does not echo a secret pasted as the provider", async () => {
    const error = await failure(() => synthesizeSpeech("hi", { ...base(), config: { messages: { tts: { provider: KEY } } } }));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).not.toContain(KEY);
  });
});

describe("shared tools.media.audio.language / prompt", () => {
  it("are sent when no models[] entry or call sets them", async () => {
    const config: SpeechConfig = { tools: { media: { audio: { language: "DE", prompt: "Genesis, Sora" } } } };
    await transcribeAudio(fixture("tone.wav"), { ...base(), config });
    expect(fields()).toEqual({ model: "gpt-4o-transcribe", response_format: "json", language: "de", prompt: "Genesis, Sora" });
  });

  it("rank below the openai models[] entry, which ranks below the call", async () => {
    const config: SpeechConfig = {
      tools: { media: { audio: { language: "de", prompt: "shared words", models: [{ provider: "openai", language: "fr" }] } } },
    };
    const transcriber = createOpenAITranscriber({ ...base(), config });
    await transcriber.transcribe(fixture("tone.wav"));
    await transcriber.transcribe(fixture("tone.wav"), { language: "es", prompt: "call words" });
    const entryPrompt: SpeechConfig = { tools: { media: { audio: { prompt: "shared words", models: [{ provider: "openai", prompt: "entry words" }] } } } };
    await transcribeAudio(fixture("tone.wav"), { ...base(), config: entryPrompt });
    expect(fields(0)).toMatchObject({ language: "fr", prompt: "shared words" });
    expect(fields(1)).toMatchObject({ language: "es", prompt: "call words" });
    expect(fields(2)).toEqual({ model: "gpt-4o-transcribe", response_format: "json", prompt: "entry words" });
  });

  it("a bad shared language is refused naming its path, before any request", async () => {
    const config: SpeechConfig = { tools: { media: { audio: { language: "German" } } } };
    await expect(transcribeAudio(fixture("tone.wav"), { ...base(), config })).rejects.toMatchObject({
      code: "invalid_argument", path: "tools.media.audio.language", hint: expect.stringContaining("two-letter"),
    });
    expect(emu.requests).toEqual([]);
  });

  it("a shared prompt is dropped for the diarizing model instead of failing", async () => {
    const config: SpeechConfig = { tools: { media: { audio: { prompt: "shared words", models: [{ provider: "openai", model: "gpt-4o-transcribe-diarize" }] } } } };
    await transcribeAudio(fixture("tone.wav"), { ...base(), config });
    expect(fields()).toEqual({ model: "gpt-4o-transcribe-diarize", response_format: "json", chunking_strategy: "auto" });
  });
});
