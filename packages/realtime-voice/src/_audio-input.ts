import { ValidationError } from "@genesis/core";
import { encodeMulaw } from "./mulaw.js";
import { resamplePcm16 } from "./resample-pcm16.js";

/** How to read audio handed to `append` / `sendAudio`. */
export interface AudioInputOptions {
  /**
   * Sample rate of PCM16 input (Int16Array), default 8000; other rates are resampled to 8 kHz.
   * Ignored for μ-law bytes, which are always 8 kHz.
   */
  sampleRate?: number;
}

/** μ-law bytes pass through; PCM16 is resampled to 8 kHz and encoded. */
export function toMulaw(audio: Uint8Array | Int16Array, options: AudioInputOptions = {}): Uint8Array {
  if (audio instanceof Int16Array) {
    const rate = options.sampleRate ?? 8000;
    return encodeMulaw(rate === 8000 ? audio : resamplePcm16(audio, rate, 8000));
  }
  if (audio instanceof Uint8Array) return audio;
  throw new ValidationError("Audio must be μ-law bytes (Uint8Array/Buffer) or PCM16 samples (Int16Array).", {
    path: "audio",
    hint: "Pass G.711 μ-law bytes at 8 kHz, or an Int16Array with { sampleRate }.",
  });
}

/** Base64 for `input_audio_buffer.append`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
