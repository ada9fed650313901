import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectAudioContainer, matchesTtsFormat } from "./audio-container.js";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, "__fixtures__", name)));
const bytes = (...parts: (number[] | string)[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p)))));

describe("detectAudioContainer", () => {
  it("recognises the sox fixtures and hand-made headers", () => {
    expect(detectAudioContainer(fixture("tone.wav"))).toBe("wav");
    expect(detectAudioContainer(fixture("tone.flac"))).toBe("flac");
    expect(detectAudioContainer(fixture("tone.ogg"))).toBe("ogg");
    expect(detectAudioContainer(fixture("tone.aiff"))).toBeUndefined();
    expect(detectAudioContainer(bytes("ID3", [4, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe("mp3");
    expect(detectAudioContainer(bytes([0xff, 0xfb, 0x90, 0x64], new Array(8).fill(0)))).toBe("mp3");
    expect(detectAudioContainer(bytes([0, 0, 0, 0x20], "ftypM4A ", [0, 0, 0, 0]))).toBe("mp4");
    expect(detectAudioContainer(bytes([0x1a, 0x45, 0xdf, 0xa3], new Array(8).fill(0)))).toBe("webm");
    // ADTS AAC shares the 0xFFF sync with MPEG audio but has layer 00: not mp3.
    expect(detectAudioContainer(bytes([0xff, 0xf1, 0x50, 0x80], new Array(8).fill(0)))).toBeUndefined();
    // RIFF that is not WAVE (e.g. AVI), and anything shorter than a header.
    expect(detectAudioContainer(bytes("RIFF", [0, 0, 0, 0], "AVI "))).toBeUndefined();
    expect(detectAudioContainer(bytes("RIFF"))).toBeUndefined();
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const found = detectAudioContainer(data);
        expect(found === undefined || ["wav", "mp3", "ogg", "flac", "mp4", "webm"].includes(found)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("matchesTtsFormat", () => {
  it("checks TTS answers against the requested format", () => {
    expect(matchesTtsFormat(fixture("tone.wav"), "wav")).toBe(true);
    expect(matchesTtsFormat(fixture("tone.wav"), "flac")).toBe(false);
    expect(matchesTtsFormat(fixture("tone.ogg"), "opus")).toBe(true);
    expect(matchesTtsFormat(bytes([0xff, 0xf1, 0x50, 0x80], new Array(8).fill(0)), "aac")).toBe(true);
    expect(matchesTtsFormat(new Uint8Array(3), "pcm")).toBe(false);
    expect(matchesTtsFormat(new Uint8Array(4), "pcm")).toBe(true);
  });
});
