import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeMulaw } from "./mulaw.js";
import { RealtimeAudioFormatError } from "./realtime-errors.js";
import { wavToMulaw } from "./wav-to-mulaw.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const toneS16 = fixture("tone-440hz-8k.s16"); // sox reference, 8 kHz mono
const toneUlaw = fixture("tone-440hz-8k.ulaw"); // its sox u-law encoding

/** A canonical WAV: fmt chunk (optionally extensible), an odd-sized chunk to skip, then data. */
function wav(f: { code: number; channels: number; rate: number; bits: number; extensible?: boolean; dataSize?: number }, data: Uint8Array): Buffer {
  const fmt = Buffer.alloc(f.extensible ? 40 : 16);
  fmt.writeUInt16LE(f.extensible ? 0xfffe : f.code, 0);
  fmt.writeUInt16LE(f.channels, 2);
  fmt.writeUInt32LE(f.rate, 4);
  fmt.writeUInt32LE((f.rate * f.channels * f.bits) / 8, 8);
  fmt.writeUInt16LE((f.channels * f.bits) / 8, 12);
  fmt.writeUInt16LE(f.bits, 14);
  if (f.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(f.bits, 18);
    fmt.writeUInt16LE(f.code, 24);
  }
  const chunk = (id: string, body: Uint8Array, size = body.length): Buffer => {
    const head = Buffer.alloc(8);
    head.write(id, 0, "ascii");
    head.writeUInt32LE(size >>> 0, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([Buffer.from("WAVE"), chunk("fmt ", fmt), chunk("LIST", Buffer.from("abc")), chunk("data", data, f.dataSize)]);
  const riff = Buffer.alloc(8);
  riff.write("RIFF", 0, "ascii");
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A sine on the left channel; the right one (if any) carries it at `rightGain`. */
function sine(rate: number, seconds: number, freq: number, channels: number, rightGain = 1): Buffer {
  const frames = Math.round(rate * seconds);
  const out = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 12000);
    for (let c = 0; c < channels; c++) out.writeInt16LE(c === 0 ? v : Math.round(v * rightGain), (i * channels + c) * 2);
  }
  return out;
}

function pitchAndRms(mulaw: Uint8Array): { hz: number; rms: number } {
  const pcm = decodeMulaw(mulaw);
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) crossings++;
  return { hz: crossings / (pcm.length / 8000), rms: Math.sqrt(pcm.reduce((s, v) => s + v * v, 0) / pcm.length) };
}

describe("wavToMulaw", () => {
  it("encodes an 8 kHz mono PCM16 WAV byte for byte like sox", () => {
    const out = wavToMulaw(wav({ code: 1, channels: 1, rate: 8000, bits: 16 }, toneS16));
    expect(Buffer.from(out.audio).equals(toneUlaw)).toBe(true);
    expect(out).toMatchObject({ durationMs: 250, source: { encoding: "pcm16", sampleRate: 8000, channels: 1 } });
  });

  it("mixes stereo down (average of both channels), resamples 44.1 kHz / 16 kHz to 8 kHz, keeps pitch", () => {
    for (const rate of [44100, 16000]) {
      // Right channel silent: the mono mix is the tone at half amplitude.
      const out = wavToMulaw(wav({ code: 1, channels: 2, rate, bits: 16, extensible: rate === 16000 }, sine(rate, 0.5, 440, 2, 0)));
      expect(out.audio).toHaveLength(4000);
      expect(out.source).toEqual({ encoding: "pcm16", sampleRate: rate, channels: 2 });
      const { hz, rms } = pitchAndRms(out.audio.subarray(200, 3800));
      expect(hz).toBeGreaterThan(430);
      expect(hz).toBeLessThan(450);
      expect(rms).toBeGreaterThan(6000 / Math.SQRT2 - 250);
      expect(rms).toBeLessThan(6000 / Math.SQRT2 + 250);
    }
  });

  it("passes an 8 kHz mono μ-law WAV through and converts other μ-law rates", () => {
    const same = wavToMulaw(wav({ code: 7, channels: 1, rate: 8000, bits: 8 }, toneUlaw));
    expect(Buffer.from(same.audio).equals(toneUlaw)).toBe(true);
    expect(same.source.encoding).toBe("mulaw");
    const doubled = Buffer.from(Array.from(toneUlaw).flatMap((b) => [b, b]));
    expect(wavToMulaw(wav({ code: 7, channels: 1, rate: 16000, bits: 8 }, doubled)).audio).toHaveLength(toneUlaw.length);
  });

  it("reads WAVs whose data size was never filled in (streamed recordings)", () => {
    for (const dataSize of [0, 0xffffffff]) {
      expect(Buffer.from(wavToMulaw(wav({ code: 1, channels: 1, rate: 8000, bits: 16, dataSize }, toneS16)).audio).equals(toneUlaw)).toBe(true);
    }
  });

  it("refuses other encodings, naming the format found and how to convert it", () => {
    const cases: [Buffer, RegExp][] = [
      [wav({ code: 3, channels: 2, rate: 44100, bits: 32 }, Buffer.alloc(64)), /call\.wav is WAV IEEE float, 32-bit, 2 channels, 44100 Hz/],
      [wav({ code: 1, channels: 1, rate: 48000, bits: 24 }, Buffer.alloc(60)), /WAV PCM, 24-bit, 1 channel, 48000 Hz/],
      [wav({ code: 1, channels: 6, rate: 48000, bits: 16 }, Buffer.alloc(48)), /WAV PCM, 16-bit, 6 channels/],
      [wav({ code: 1, channels: 1, rate: 8000, bits: 16, extensible: true }, Buffer.alloc(0)), /contains no audio samples/],
      [Buffer.concat([Buffer.from("ID3"), Buffer.alloc(40)]), /call\.wav is not a WAV file \(found: MP3\)/],
      [Buffer.concat([Buffer.from("OggS"), Buffer.alloc(40)]), /found: Ogg/],
      [Buffer.from("RIFF\0\0\0\0WAVE"), /damaged WAV file \(no fmt chunk/],
      [Buffer.from("hi"), /too short to be audio/],
    ];
    for (const [bytes, message] of cases) {
      const error = (() => {
        try {
          wavToMulaw(bytes, "call.wav");
        } catch (e) {
          return e as RealtimeAudioFormatError;
        }
        throw new Error(`accepted ${String(message)}`);
      })();
      expect(error, String(message)).toBeInstanceOf(RealtimeAudioFormatError);
      expect(error.code).toBe("audio_format_unsupported");
      expect(error.message).toMatch(message);
      expect(error.hint).toMatch(/sox|ffmpeg|empty/);
    }
    const float = (() => {
      try {
        wavToMulaw(wav({ code: 3, channels: 1, rate: 24000, bits: 32 }, Buffer.alloc(8)), "call.wav");
      } catch (e) {
        return e as RealtimeAudioFormatError;
      }
    })()!;
    expect(float.format).toBe("WAV IEEE float, 32-bit, 1 channel, 24000 Hz");
    expect(float.hint).toBe("Convert it, e.g. `sox call.wav -b 16 -e signed-integer out.wav` or `ffmpeg -i call.wav -c:a pcm_s16le -ac 1 out.wav`.");
    expect(() => wavToMulaw("x" as unknown as Uint8Array)).toThrow(/expects the file's bytes/);
  });
});
