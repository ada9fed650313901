import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { AUDIO_CONTAINERS, detectAudioContainer, type AudioContainer } from "./audio-container.js";
import { AudioFileError } from "./speech-errors.js";
import { MAX_AUDIO_BYTES } from "./speech-options.js";
import { invalid } from "./_validate.js";

/** Audio to transcribe: a file path, or bytes with the file name to upload them as. */
export type AudioInput = string | { data: Uint8Array; filename: string };

/** The filesystem calls used to read an audio path (injectable for tests). */
export interface AudioFileSystem {
  stat(path: string): Promise<{ size: number; isFile(): boolean }>;
  readFile(path: string): Promise<Uint8Array>;
}

/** An upload that passed every local check. */
export interface CheckedAudio {
  data: Uint8Array;
  /** The name sent to the API; carries the container's extension. */
  filename: string;
  container: AudioContainer;
  mimeType: string;
}

const SUPPORTED = "wav, mp3, ogg/opus, flac, m4a/mp4 or webm";
const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

async function readPath(path: string, fs: AudioFileSystem): Promise<Uint8Array> {
  let info: { size: number; isFile(): boolean };
  try {
    info = await fs.stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new AudioFileError("audio_file_not_found", `audio file not found: ${path}`, { file: path, hint: "Check the path.", cause: error });
    }
    throw new AudioFileError("audio_file_unreadable", `cannot read audio file ${path} (${code ?? "error"})`, { file: path, hint: "Check the file's permissions.", cause: error });
  }
  if (!info.isFile()) throw new AudioFileError("audio_file_unreadable", `not a regular file: ${path}`, { file: path, hint: "Pass the path of an audio file." });
  // Checked before reading, so a huge file is refused without loading it.
  checkSize(info.size, path);
  try {
    return await fs.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AudioFileError("audio_file_unreadable", `cannot read audio file ${path} (${code ?? "error"})`, { file: path, hint: "Check the file's permissions.", cause: error });
  }
}

function checkSize(size: number, file: string): void {
  if (size === 0) throw new AudioFileError("audio_file_empty", `audio file ${file} is empty`, { file, size, hint: "Record or export the audio again." });
  if (size > MAX_AUDIO_BYTES) {
    throw new AudioFileError("audio_file_too_large", `audio file ${file} is ${mb(size)}; the upload limit is 25 MB`, {
      file, size, limit: MAX_AUDIO_BYTES, hint: "Split the audio or re-encode it at a lower bitrate (e.g. mono opus or mp3).",
    });
  }
}

/**
 * Read and check audio before any request: it must exist, be non-empty, at most 25 MB and in
 * a container the API accepts (detected from its magic bytes, not its name). The upload name
 * gets the container's extension when its own does not match, so the API can identify it.
 */
export async function loadAudio(input: AudioInput, fs: AudioFileSystem = { stat, readFile }): Promise<CheckedAudio> {
  let data: Uint8Array;
  let name: string;
  if (typeof input === "string") {
    if (input.trim() === "") throw invalid("input", "the audio file path is empty", "Pass a file path, or { data, filename }.");
    data = await readPath(input, fs);
    name = basename(input);
  } else if (input && typeof input === "object" && input.data instanceof Uint8Array) {
    name = typeof input.filename === "string" && input.filename.trim() !== "" ? basename(input.filename.trim()) : "audio";
    data = input.data;
    checkSize(data.length, name);
  } else {
    throw invalid("input", "expected a file path or { data: Uint8Array, filename }", "Pass a file path, or the bytes with a file name.");
  }
  const container = detectAudioContainer(data);
  const label = typeof input === "string" ? input : name;
  if (!container) {
    throw new AudioFileError("audio_format_unsupported", `${label} is not in a supported audio container`, {
      file: label, size: data.length, hint: `Convert it to ${SUPPORTED} (for example with ffmpeg -i <file> out.wav).`,
    });
  }
  const { mimeType, extensions } = AUDIO_CONTAINERS[container];
  const ext = extname(name).slice(1).toLowerCase();
  const filename = extensions.includes(ext) ? name : `${name}.${extensions[0]}`;
  return { data, filename, container, mimeType };
}
