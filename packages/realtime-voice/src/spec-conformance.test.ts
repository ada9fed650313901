import { readFileSync } from "node:fs";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulawSilence } from "./__fixtures__/recording-websocket.js";
import { specProblems } from "./__fixtures__/spec-fields.js";
import { createRealtimeTranscriber } from "./create-realtime-transcriber.js";
import { createRealtimeVoiceSession } from "./create-realtime-voice-session.js";

/** Every frame this package sends uses only event types, fields and values the official GA spec defines. */
const tone = readFileSync(new URL("./__fixtures__/tone-440hz-8k.ulaw", import.meta.url));
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
const frames = (): { type: string }[] => emu.requests.filter((r) => r.transport === "websocket").flatMap((r) => r.frames as { type: string }[]);

describe("client frames against the OpenAPI RealtimeClientEvent schemas", () => {
  it("the checker itself catches beta-era fields and values", () => {
    expect(specProblems({ type: "session.update", session: { type: "realtime", temperature: 0.8 } } as never)).toEqual(["session.update.session.temperature"]);
    expect(specProblems({ type: "session.update", session: { type: "realtime", audio: { input: { format: { type: "g711_ulaw" } } } } } as never)).toEqual(['session.update.session.audio.input.format.type="g711_ulaw"']);
    expect(specProblems({ type: "transcription_session.update" })).toEqual(["unknown client event transcription_session.update"]);
  });

  it("transcriber and voice sessions (audio, text, tools, cancel, commit, clear) send only spec-defined frames", async () => {
    const env = { OPENAI_API_KEY: "sk-spec-check-123456" };
    const url = emu.wsUrl("/v1/realtime");
    const stt = await createRealtimeTranscriber({ url, env, language: "en", prompt: "hint" });
    stt.append(tone);
    stt.append(new Int16Array(480), { sampleRate: 24000 });
    stt.commit();
    stt.clear();
    await stt.close();
    const voice = await createRealtimeVoiceSession({
      url,
      env,
      instructions: "Be brief.",
      inputTranscription: { model: "gpt-4o-transcribe", language: "en" },
      tools: [{ name: "lookup", description: "d", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] }, execute: () => "ok" }],
    });
    voice.on("audio", () => voice.interrupt());
    voice.sendText("please lookup this");
    voice.sendAudio(Buffer.concat([tone, mulawSilence(600)]));
    voice.commit();
    for await (const e of voice) if (e.type === "response-done" && !e.calledTools && e.transcript.startsWith("The tool returned")) break;
    await voice.close();
    const sent = frames();
    expect(new Set(sent.map((f) => f.type))).toEqual(
      new Set(["session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "input_audio_buffer.clear", "conversation.item.create", "response.create", "response.cancel"]),
    );
    expect(sent.flatMap(specProblems)).toEqual([]);
  });
});
