import { readFileSync } from "node:fs";
import { ValidationError } from "@genesis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMulaw, encodeMulaw, MULAW_SILENCE } from "./mulaw.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const s16 = (bytes: Buffer): Int16Array => {
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
};

describe("G.711 μ-law against SoX", () => {
  it("encodes the 440 Hz tone byte for byte like sox", () => {
    const pcm = s16(fixture("tone-440hz-8k.s16"));
    expect(pcm).toHaveLength(2000);
    expect(Buffer.from(encodeMulaw(pcm)).equals(fixture("tone-440hz-8k.ulaw"))).toBe(true);
  });

  it("encodes every one of the 65,536 int16 values like sox", () => {
    const ramp = new Int16Array(65536);
    for (let i = 0; i < ramp.length; i++) ramp[i] = i - 32768;
    const expected = fixture("ramp-all-int16.ulaw");
    const actual = encodeMulaw(ramp);
    const mismatches: number[] = [];
    for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) mismatches.push(i - 32768);
    expect(mismatches).toEqual([]);
  });

  it("decodes all 256 bytes like sox", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(Array.from(decodeMulaw(all))).toEqual(Array.from(s16(fixture("all-ulaw-bytes.s16"))));
  });

  it("decodes the sox-encoded tone back close to the original", () => {
    const original = s16(fixture("tone-440hz-8k.s16"));
    const decoded = decodeMulaw(fixture("tone-440hz-8k.ulaw"));
    for (let i = 0; i < original.length; i++) expect(Math.abs(decoded[i]! - original[i]!)).toBeLessThanOrEqual(Math.abs(original[i]!) / 32 + 8);
  });

  it("maps silence to 0xff and accepts a Buffer", () => {
    expect(encodeMulaw(new Int16Array(3))).toEqual(new Uint8Array([MULAW_SILENCE, MULAW_SILENCE, MULAW_SILENCE]));
    expect(Array.from(decodeMulaw(Buffer.from([0xff, 0x7f])))).toEqual([0, 0]);
  });

  it("refuses the wrong input types with a typed error", () => {
    expect(() => encodeMulaw([1, 2] as unknown as Int16Array)).toThrow(ValidationError);
    expect(() => decodeMulaw("abc" as unknown as Uint8Array)).toThrow(/Uint8Array/);
  });
});

describe("μ-law properties", () => {
  it("decode∘encode stays within half a quantization step (|e| ≤ |x|/32 + 8)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 64 }), (values) => {
        const pcm = Int16Array.from(values);
        const back = decodeMulaw(encodeMulaw(pcm));
        return values.every((x, i) => Math.abs(back[i]! - x) <= Math.abs(x) / 32 + 8);
      }),
    );
  });

  it("encode∘decode is the identity on bytes (except negative zero, which becomes 0xff)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (byte) => {
        const again = encodeMulaw(decodeMulaw(new Uint8Array([byte])))[0];
        return again === (byte === 0x7f ? 0xff : byte);
      }),
    );
  });

  it("is monotonic: a larger sample never decodes smaller", () => {
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: -32768, max: 32767 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const out = decodeMulaw(encodeMulaw(Int16Array.of(lo, hi)));
        return out[0]! <= out[1]!;
      }),
    );
  });
});
