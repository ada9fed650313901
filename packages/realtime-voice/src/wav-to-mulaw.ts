import { ValidationError } from "@genesis/core";
import { decodeMulaw, encodeMulaw } from "./mulaw.js";
import { RealtimeAudioFormatError } from "./realtime-errors.js";
import { resamplePcm16 } from "./resample-pcm16.js";

/** Audio ready for the realtime wire, and what it was made from. */
export interface MulawAudio {
  /** G.711 μ-law bytes, 8 kHz mono (one byte per 125 µs). */
  audio: Uint8Array;
  /** Length of `audio` in milliseconds. */
  durationMs: number;
  /** The input's encoding (`pcm16` or `mulaw`), sample rate and channel count. */
  source: { encoding: "pcm16" | "mulaw"; sampleRate: number; channels: number };
}

const WAVE_FORMATS: Record<number, string> = { 1: "PCM", 3: "IEEE float", 6: "A-law", 7: "μ-law", 0x11: "IMA ADPCM", 0x55: "MP3", 0xfffe: "extensible" };

/** Names a few common containers by their magic bytes, for the error message. */
function sniff(bytes: Uint8Array): string {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === "RF64") return "RF64 (64-bit WAV)";
  if (ascii(0, 4) === "RIFF") return `RIFF ${JSON.stringify(ascii(8, 12))} (not WAVE)`;
  if (ascii(0, 3) === "ID3" || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return "MP3";
  if (ascii(0, 4) === "OggS") return "Ogg";
  if (ascii(0, 4) === "fLaC") return "FLAC";
  if (ascii(0, 4) === "FORM") return "AIFF";
  if (ascii(4, 8) === "ftyp") return "MP4/M4A";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "WebM/Matroska";
  return "unknown";
}

interface WavFormat {
  code: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

function describe(f: WavFormat): string {
  const name = WAVE_FORMATS[f.code] ?? `format 0x${f.code.toString(16)}`;
  return `WAV ${name}, ${f.bits}-bit, ${f.channels} channel${f.channels === 1 ? "" : "s"}, ${f.sampleRate} Hz`;
}

/** Walks the RIFF chunks; returns the format and the sample bytes. */
function parseWav(bytes: Uint8Array, label: string): { format: WavFormat; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    const found = bytes.length < 12 ? "too short to be audio" : sniff(bytes);
    throw new RealtimeAudioFormatError({ message: `${label} is not a WAV file (found: ${found}).`, format: found });
  }
  let format: WavFormat | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt " && size >= 16 && body + 16 <= bytes.length) {
      let code = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE carries the real format code in its sub-format GUID.
      if (code === 0xfffe && size >= 40 && body + 26 <= bytes.length) code = view.getUint16(body + 24, true);
      format = { code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === "data") {
      if (!format) break;
      // Streaming writers leave the size at 0 or 0xffffffff: take what is there.
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      return { format, data: bytes.subarray(body, end) };
    }
    at = body + size + (size % 2);
  }
  throw new RealtimeAudioFormatError({
    message: `${label} is a damaged WAV file (${format ? "no data chunk" : "no fmt chunk before the data"}).`,
    format: "damaged WAV",
    hint: "Re-export it, e.g. `sox in.wav -b 16 out.wav` or `ffmpeg -i in.wav -c:a pcm_s16le out.wav`.",
  });
}

function toMono(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const out = new Int16Array(Math.floor(interleaved.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = Math.round((interleaved[2 * i]! + interleaved[2 * i + 1]!) / 2);
  return out;
}

/**
 * Turns a WAV file into what the Realtime API's `audio/pcmu` expects: 16-bit PCM (any sample
 * rate, mono or stereo) or G.711 μ-law WAV is mixed down to mono, resampled to 8 kHz with
 * {@link resamplePcm16} and encoded with {@link encodeMulaw}; an 8 kHz mono μ-law WAV passes
 * through untouched. Raw μ-law (`.ulaw` / `.pcmu`) needs no conversion: send it as it is.
 * @param label how to name the input in errors (e.g. the file path); default `the audio`.
 * @throws RealtimeAudioFormatError (`audio_format_unsupported`) for anything else, naming
 *   the format found and how to convert it; ValidationError when `bytes` is not a Uint8Array.
 */
export function wavToMulaw(bytes: Uint8Array, label = "the audio"): MulawAudio {
  if (!(bytes instanceof Uint8Array)) throw new ValidationError("wavToMulaw expects the file's bytes (Uint8Array or Buffer).", { path: "bytes", hint: "Read the file first, e.g. readFileSync(path)." });
  const { format, data } = parseWav(bytes, label);
  const pcm16 = format.code === 1 && format.bits === 16;
  const mulaw = format.code === 7 && format.bits === 8;
  const rateOk = format.sampleRate >= 1000 && format.sampleRate <= 384000;
  if (!(pcm16 || mulaw) || format.channels < 1 || format.channels > 2 || !rateOk) {
    const found = describe(format);
    const fix = format.channels > 2 ? " -c 1" : "";
    const input = label === "the audio" ? "in.wav" : label;
    throw new RealtimeAudioFormatError({
      message: `${label} is ${found}; realtime transcription reads 16-bit PCM or μ-law WAV, mono or stereo.`,
      format: found,
      hint: `Convert it, e.g. \`sox ${input} -b 16 -e signed-integer${fix} out.wav\` or \`ffmpeg -i ${input} -c:a pcm_s16le -ac 1 out.wav\`.`,
    });
  }
  const source = { encoding: pcm16 ? ("pcm16" as const) : ("mulaw" as const), sampleRate: format.sampleRate, channels: format.channels };
  let audio: Uint8Array;
  if (mulaw && format.channels === 1 && format.sampleRate === 8000) {
    audio = data;
  } else {
    let samples: Int16Array;
    if (pcm16) {
      samples = new Int16Array(Math.floor(data.length / 2));
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
    } else samples = decodeMulaw(data);
    audio = encodeMulaw(resamplePcm16(toMono(samples, format.channels), format.sampleRate, 8000));
  }
  if (audio.length === 0) {
    throw new RealtimeAudioFormatError({ message: `${label} contains no audio samples.`, format: describe(format), hint: "Check that the recording is not empty." });
  }
  return { audio, durationMs: audio.length / 8, source };
}
