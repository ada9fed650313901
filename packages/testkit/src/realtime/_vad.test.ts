import { describe, expect, it } from "vitest";
import { decodeMulaw, mulawTone, MULAW_SILENCE } from "../_g711.js";
import { ServerVad, speechProbability } from "./_vad.js";

const config = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 };
const audio = decodeMulaw(Buffer.concat([Buffer.alloc(800, MULAW_SILENCE), mulawTone(1000, 300, 0.4), Buffer.alloc(8000, MULAW_SILENCE)]));

describe("ServerVad", () => {
  it("finds start (minus prefix padding) and stop (after the silence window) on the session timeline", () => {
    const events = new ServerVad(config, 8000).push(audio);
    expect(events).toEqual([
      { kind: "start", audioStartMs: 0 }, // speech at 100 ms, minus 300 ms padding, floored at 0
      { kind: "stop", audioEndMs: 1600 }, // speech ends at 1100 ms + 500 ms of silence
    ]);
  });

  it("gives the same events however the audio is chunked", () => {
    const vad = new ServerVad(config, 8000);
    const events = [];
    for (let i = 0; i < audio.length; i += 37) events.push(...vad.push(audio.subarray(i, i + 37)));
    expect(events).toEqual(new ServerVad(config, 8000).push(audio));
  });

  it("maps level to probability and honours the threshold", () => {
    expect(speechProbability(decodeMulaw(Buffer.alloc(160, MULAW_SILENCE)))).toBe(0);
    const quiet = decodeMulaw(mulawTone(1000, 300, 0.05));
    expect(new ServerVad({ ...config, threshold: 0.2 }, 8000).push(quiet)).toHaveLength(1);
    expect(new ServerVad({ ...config, threshold: 0.9 }, 8000).push(quiet)).toHaveLength(0);
  });
});
