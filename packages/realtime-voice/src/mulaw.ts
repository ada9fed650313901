import { ValidationError } from "@genesis/core";

/**
 * G.711 μ-law (`audio/pcmu`, 8 kHz, one byte per sample): the telephone codec the Realtime
 * API speaks for voice calls.
 *
 * G.711 quantizes 14-bit linear samples. A 16-bit sample is reduced to 14 bits by rounding to
 * the nearest step (ties up, clamped to the 14-bit range), which is what SoX does; the encoder
 * then applies the standard segment table (bias 33, clip 8159). The result is bit-exact with
 * `sox -D ... -e u-law` for every 16-bit input (tested against all 65,536 values).
 */

const SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const BIAS_14 = 0x21;
const CLIP_14 = 8159;

function encode14(value: number): number {
  let magnitude = value;
  let mask = 0xff;
  if (magnitude < 0) {
    magnitude = -magnitude;
    mask = 0x7f;
  }
  if (magnitude > CLIP_14) magnitude = CLIP_14;
  magnitude += BIAS_14;
  let segment = 0;
  while (segment < 8 && magnitude > SEGMENT_ENDS[segment]!) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0f)) ^ mask;
}

// 64 Ki entries: encoding becomes one lookup per sample, which matters at 50 frames/s per call.
const ENCODE_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint8Array(65536);
  for (let sample = -32768; sample < 32768; sample++) {
    const rounded = Math.min(8191, (sample + 2) >> 2);
    table[sample & 0xffff] = encode14(rounded);
  }
  return table;
})();

const DECODE_TABLE = /* @__PURE__ */ (() => {
  const table = new Int16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const u = ~byte & 0xff;
    const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
    table[byte] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
})();

/** The μ-law byte for digital silence (linear 0). */
export const MULAW_SILENCE = 0xff;

/**
 * Encodes signed 16-bit PCM samples to G.711 μ-law bytes (one byte per sample; the sample
 * rate is unchanged, so pass 8 kHz audio or resample first with {@link resamplePcm16}).
 * @throws ValidationError when `pcm16` is not an Int16Array.
 */
export function encodeMulaw(pcm16: Int16Array): Uint8Array {
  if (!(pcm16 instanceof Int16Array)) {
    throw new ValidationError("encodeMulaw expects an Int16Array of PCM samples.", { path: "pcm16", hint: "Wrap raw s16le bytes with new Int16Array(buffer.buffer, buffer.byteOffset, buffer.length / 2)." });
  }
  const out = new Uint8Array(pcm16.length);
  for (let i = 0; i < pcm16.length; i++) out[i] = ENCODE_TABLE[pcm16[i]! & 0xffff]!;
  return out;
}

/**
 * Decodes G.711 μ-law bytes to signed 16-bit PCM samples (the standard expansion table;
 * bit-exact with `sox ... -e u-law ... -e signed -b 16`).
 * @throws ValidationError when `bytes` is not a Uint8Array (a Buffer is fine).
 */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new ValidationError("decodeMulaw expects a Uint8Array (or Buffer) of μ-law bytes.", { path: "bytes", hint: "Decode base64 audio first, e.g. Buffer.from(delta, \"base64\")." });
  }
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE_TABLE[bytes[i]!]!;
  return out;
}
