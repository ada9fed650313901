import { rms } from "../_g711.js";

/**
 * Server VAD for the emulator: 20 ms frames, a frame counts as speech when its RMS level,
 * mapped to a 0..1 "speech probability" (RMS of 0.1 full scale = -20 dBFS → 1.0), reaches
 * `threshold`. Speech stops after `silence_duration_ms` of non-speech frames.
 */

/** The turn-detection settings that matter here (GA `server_vad`). */
export interface VadConfig {
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

/** What a chunk of audio did to the VAD. */
export type VadEvent = { kind: "start"; audioStartMs: number } | { kind: "stop"; audioEndMs: number };

const FRAME_MS = 20;

/** Speech probability of a frame, 0..1. */
export function speechProbability(samples: Int16Array): number {
  return Math.min(1, rms(samples) / 0.1);
}

/** Streaming VAD state; feed decoded samples with their rate, read events. */
export class ServerVad {
  #speaking = false;
  #silenceMs = 0;
  // One partial frame carried between appends; reused to keep appends allocation-light.
  #frame = new Int16Array(0);
  #filled = 0;
  /** Milliseconds of audio consumed so far (session timeline). */
  positionMs = 0;

  constructor(
    private config: VadConfig,
    private rate: number,
  ) {}

  /** Updates settings (session.update) without losing the timeline. */
  configure(config: VadConfig, rate: number): void {
    this.config = config;
    this.rate = rate;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Forgets an in-progress utterance (input_audio_buffer.clear or commit). */
  reset(): void {
    this.#speaking = false;
    this.#silenceMs = 0;
  }

  /** Feeds samples; returns the start/stop events they caused, in order. */
  push(samples: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    const frameLen = Math.max(1, Math.round((this.rate * FRAME_MS) / 1000));
    if (this.#frame.length !== frameLen) {
      this.#frame = new Int16Array(frameLen);
      this.#filled = 0;
    }
    const frame = this.#frame;
    for (let i = 0; i < samples.length; ) {
      const take = Math.min(frameLen - this.#filled, samples.length - i);
      frame.set(samples.subarray(i, i + take), this.#filled);
      this.#filled += take;
      i += take;
      if (this.#filled < frameLen) break;
      this.#filled = 0;
      const frameStart = this.positionMs;
      this.positionMs += FRAME_MS;
      const speech = speechProbability(frame) >= this.config.threshold;
      if (!this.#speaking && speech) {
        this.#speaking = true;
        this.#silenceMs = 0;
        events.push({ kind: "start", audioStartMs: Math.max(0, frameStart - this.config.prefixPaddingMs) });
      } else if (this.#speaking && !speech) {
        this.#silenceMs += FRAME_MS;
        if (this.#silenceMs >= this.config.silenceDurationMs) {
          this.#speaking = false;
          this.#silenceMs = 0;
          events.push({ kind: "stop", audioEndMs: this.positionMs });
        }
      } else if (speech) this.#silenceMs = 0;
    }
    return events;
  }
}
