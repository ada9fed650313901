import type { TtsFormat } from "./speech-options.js";

/** Containers `POST /audio/transcriptions` accepts, as detected from their first bytes. */
export type AudioContainer = "wav" | "mp3" | "ogg" | "flac" | "mp4" | "webm";

/** MIME type and file extensions per container (the API identifies uploads by extension too). */
export const AUDIO_CONTAINERS: Readonly<Record<AudioContainer, { mimeType: string; extensions: readonly string[] }>> = Object.freeze({
  wav: { mimeType: "audio/wav", extensions: ["wav"] },
  mp3: { mimeType: "audio/mpeg", extensions: ["mp3", "mpeg", "mpga"] },
  ogg: { mimeType: "audio/ogg", extensions: ["ogg", "oga", "opus"] },
  flac: { mimeType: "audio/flac", extensions: ["flac"] },
  mp4: { mimeType: "audio/mp4", extensions: ["m4a", "mp4"] },
  webm: { mimeType: "audio/webm", extensions: ["webm"] },
});

const ascii = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));

/** An MPEG audio frame header: 11 sync bits, a valid version, and a layer other than "reserved". */
function isMpegFrame(bytes: Uint8Array): boolean {
  const b1 = bytes[1] ?? 0;
  return bytes[0] === 0xff && (b1 & 0xe0) === 0xe0 && ((b1 >> 3) & 0x03) !== 0x01 && ((b1 >> 1) & 0x03) !== 0x00;
}

/** An ADTS AAC header: 12 sync bits and layer 00 (what MPEG audio leaves free). */
function isAdts(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0;
}

/**
 * The container of `bytes` by its magic numbers (RIFF/WAVE, ID3 or an MPEG frame, OggS,
 * fLaC, an ISO-BMFF `ftyp` box for m4a/mp4, the EBML header for webm), or undefined for
 * anything else, including ADTS AAC, AIFF and raw PCM, which the API refuses.
 */
export function detectAudioContainer(bytes: Uint8Array): AudioContainer | undefined {
  if (bytes.length < 12) return undefined;
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WAVE") return "wav";
  if (ascii(bytes, 0, 4) === "fLaC") return "flac";
  if (ascii(bytes, 0, 4) === "OggS") return "ogg";
  if (ascii(bytes, 4, 8) === "ftyp") return "mp4";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "webm";
  if (ascii(bytes, 0, 3) === "ID3" || isMpegFrame(bytes)) return "mp3";
  return undefined;
}

/** Whether TTS output bytes look like the format that was asked for (raw `pcm` has no header). */
export function matchesTtsFormat(bytes: Uint8Array, format: TtsFormat): boolean {
  switch (format) {
    case "pcm":
      return bytes.length % 2 === 0;
    case "aac":
      return isAdts(bytes) || ascii(bytes, 4, 8) === "ftyp";
    case "opus":
      return detectAudioContainer(bytes) === "ogg";
    default:
      return detectAudioContainer(bytes) === format;
  }
}
