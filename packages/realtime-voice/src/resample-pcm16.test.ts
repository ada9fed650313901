import { ValidationError } from "@genesis/core";
import { describe, expect, it } from "vitest";
import { resamplePcm16 } from "./resample-pcm16.js";

function sine(rate: number, freq: number, ms: number, amplitude = 12000): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * amplitude));
}

function rms(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

describe("resamplePcm16", () => {
  it("turns 24 kHz 440 Hz into the same 440 Hz sine at 8 kHz", () => {
    const out = resamplePcm16(sine(24000, 440, 200), 24000, 8000);
    expect(out).toHaveLength(1600);
    const expected = sine(8000, 440, 200);
    // Away from the edges the band-limited result matches the ideal sine to within ~0.5%.
    let worst = 0;
    for (let i = 100; i < 1500; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    expect(worst).toBeLessThan(60);
  });

  it("handles a non-integer ratio (44.1 kHz → 8 kHz) with the same accuracy", () => {
    const out = resamplePcm16(sine(44100, 440, 200), 44100, 8000);
    expect(out).toHaveLength(1600);
    const expected = sine(8000, 440, 200);
    let worst = 0;
    for (let i = 100; i < 1500; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    expect(worst).toBeLessThan(60);
  });

  it("removes content above the new Nyquist frequency instead of aliasing it (6 kHz at 24 kHz → 8 kHz)", () => {
    const out = resamplePcm16(sine(24000, 6000, 200), 24000, 8000);
    // Without the low-pass, 6 kHz folds to 2 kHz at full level (rms ≈ 8485).
    expect(rms(out, 50, out.length - 50)).toBeLessThan(8485 / 100);
  });

  it("handles 16 kHz → 8 kHz and upsampling, keeps DC, and returns the same array for equal rates", () => {
    expect(resamplePcm16(sine(16000, 300, 100), 16000, 8000)).toHaveLength(800);
    const dc = resamplePcm16(new Int16Array(300).fill(1000), 8000, 24000);
    expect(dc).toHaveLength(900);
    expect(dc.every((v) => v === 1000)).toBe(true);
    const same = new Int16Array(4);
    expect(resamplePcm16(same, 8000, 8000)).toBe(same);
  });

  it("clamps instead of wrapping at full scale", () => {
    const square = Int16Array.from({ length: 480 }, (_, i) => (Math.floor(i / 24) % 2 ? 32767 : -32768));
    const out = resamplePcm16(square, 24000, 8000);
    expect(Math.max(...out)).toBeLessThanOrEqual(32767);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-32768);
  });

  it("rejects bad rates and inputs with typed errors naming the argument", () => {
    expect(() => resamplePcm16(new Int16Array(1), 0, 8000)).toThrow(ValidationError);
    expect(() => resamplePcm16(new Int16Array(1), 24000, 8000.5)).toThrow(/toRate/);
    expect(() => resamplePcm16([1] as unknown as Int16Array, 24000, 8000)).toThrow(/Int16Array/);
  });
});
