/**
 * G.711 μ-law (PCMU) and A-law (PCMA) codecs, the `audio/pcmu` / `audio/pcma` formats of the
 * Realtime API (8 kHz, 8-bit). G.711 works on 14-bit (μ-law) or 13-bit (A-law) linear
 * samples; a 16-bit sample is reduced by rounding to the nearest step (clamped at the top),
 * as SoX does, so the bytes match `sox -D ... -e u-law` / `-e a-law` for every int16 input.
 */

const BIAS = 0x84;
const BIAS_14 = 0x21;
const CLIP_14 = 8159;

const clamp16 = (sample: number): number => Math.max(-32768, Math.min(32767, Math.round(sample)));

/** Encodes one signed 16-bit sample to a μ-law byte. */
export function linearToMulaw(sample: number): number {
  let s = Math.min(8191, (clamp16(sample) + 2) >> 2);
  const mask = s < 0 ? 0x7f : 0xff;
  if (s < 0) s = -s;
  if (s > CLIP_14) s = CLIP_14;
  s += BIAS_14;
  let segment = 0;
  while (segment < 8 && s > (0x40 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((s >> (segment + 1)) & 0x0f)) ^ mask;
}

const DECODE = /* @__PURE__ */ (() => {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const exponent = (u >> 4) & 0x07;
    const magnitude = (((u & 0x0f) << 3) + BIAS) << exponent;
    t[i] = u & 0x80 ? BIAS - magnitude : magnitude - BIAS;
  }
  return t;
})();

/** Decodes one μ-law byte to a signed 16-bit sample. */
export function mulawToLinear(byte: number): number {
  return DECODE[byte & 0xff]!;
}

/** Encodes s16 samples to μ-law bytes. */
export function encodeMulaw(samples: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i]!);
  return out;
}

/** Decodes μ-law bytes to s16 samples. */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE[bytes[i]!]!;
  return out;
}

/** μ-law silence byte (encodes 0). */
export const MULAW_SILENCE = 0xff;

/** Root-mean-square of samples, normalized to 0..1 of full scale. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length) / 32768;
}

/** A μ-law tone: `ms` milliseconds at 8 kHz, `freq` Hz, `amplitude` 0..1 of full scale. */
export function mulawTone(ms: number, freq = 440, amplitude = 0.5): Buffer {
  const n = Math.round((ms * 8000) / 1000);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / 8000) * amplitude * 32767);
  return encodeMulaw(samples);
}

/** Encodes one signed 16-bit sample to an A-law byte (G.711 `audio/pcma`). */
export function linearToAlaw(sample: number): number {
  let s = Math.min(4095, (clamp16(sample) + 4) >> 3);
  const sign = s >= 0 ? 0x80 : 0;
  if (!sign) s = -s - 1;
  if (s > 0xfff) s = 0xfff;
  let exponent = 0;
  for (let v = s >> 4; v > 1 && exponent < 7; v >>= 1) exponent++;
  const mantissa = exponent === 0 ? (s >> 1) & 0x0f : (s >> exponent) & 0x0f;
  return (sign | (exponent << 4) | mantissa) ^ 0x55;
}

/** Decodes one A-law byte to a signed 16-bit sample. */
export function alawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}
