import { ValidationError } from "@genesis/core";

/**
 * Band-limited resampling of mono PCM16 (e.g. 24 kHz or 16 kHz microphone audio down to the
 * 8 kHz that G.711 carries). A Blackman-windowed sinc low-pass at the lower Nyquist frequency
 * keeps energy above 4 kHz from folding back into the telephone band as audible aliasing.
 */

const HALF_TAPS = 16;

function checkRate(value: number, path: string): void {
  if (!Number.isInteger(value) || value < 1000 || value > 384000) {
    throw new ValidationError(`${path} must be a whole number of Hz between 1000 and 384000 (got ${String(value)}).`, { path, hint: "Pass the real sample rate of the audio, e.g. 24000 or 16000." });
  }
}

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/**
 * Resamples mono signed 16-bit samples from `fromRate` to `toRate` Hz. Returns the input
 * unchanged (same array) when the rates are equal. Output length is
 * `round(input.length * toRate / fromRate)`; values are rounded and clamped to 16 bits.
 * @throws ValidationError for a non-Int16Array input or a rate outside 1000..384000 Hz.
 */
export function resamplePcm16(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(samples instanceof Int16Array)) throw new ValidationError("resamplePcm16 expects an Int16Array.", { path: "samples", hint: "Pass PCM16 samples (Int16Array)." });
  checkRate(fromRate, "fromRate");
  checkRate(toRate, "toRate");
  if (fromRate === toRate) return samples;
  const ratio = toRate / fromRate;
  // Cut-off at the lower of the two Nyquist frequencies, as a fraction of the input rate.
  const cutoff = Math.min(1, ratio);
  const radius = HALF_TAPS / cutoff;
  const reach = Math.ceil(radius);
  // Common rate pairs (24k→8k, 16k→8k) hit only a few fractional phases: their kernels are reused.
  const kernels = new Map<number, Float64Array>();
  const kernelFor = (phase: number): Float64Array => {
    const key = Math.round(phase * 1e9);
    let kernel = kernels.get(key);
    if (kernel) return kernel;
    kernel = new Float64Array(2 * reach + 1);
    for (let j = 0; j < kernel.length; j++) {
      const distance = j - reach - phase;
      if (Math.abs(distance) >= radius) continue;
      const window = 0.42 + 0.5 * Math.cos((Math.PI * distance) / radius) + 0.08 * Math.cos((2 * Math.PI * distance) / radius);
      kernel[j] = cutoff * sinc(cutoff * distance) * window;
    }
    if (kernels.size < 4096) kernels.set(key, kernel);
    return kernel;
  };
  const out = new Int16Array(Math.round(samples.length * ratio));
  for (let n = 0; n < out.length; n++) {
    const center = n / ratio;
    const base = Math.floor(center);
    const kernel = kernelFor(center - base);
    const first = Math.max(0, base - reach);
    const last = Math.min(samples.length - 1, base + reach);
    let acc = 0;
    let weightSum = 0;
    for (let k = first; k <= last; k++) {
      const weight = kernel[k - base + reach]!;
      acc += samples[k]! * weight;
      weightSum += weight;
    }
    // Normalizing by the summed weights keeps DC gain at exactly 1, including near the edges.
    const value = weightSum === 0 ? 0 : Math.round(acc / weightSum);
    out[n] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return out;
}
