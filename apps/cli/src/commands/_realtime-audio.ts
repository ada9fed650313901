import { readFile } from "node:fs/promises";
import { extname } from "node:path";

type Rt = typeof import("@genesis/realtime-voice");
type Core = typeof import("@genesis/core/lite");

/** Extensions read as raw 8 kHz G.711 μ-law, sent as they are. */
export const RAW_MULAW = new Set([".ulaw", ".pcmu", ".ul", ".mulaw"]);

/**
 * The audio of `file` as 8 kHz μ-law: raw μ-law files as they are, WAV (PCM16 or μ-law, any
 * rate, mono or stereo) converted. Read before connecting, so a bad file costs no request.
 * The packages are passed in because the commands import them lazily.
 */
export async function readMulawFile(file: string, core: Core, rt: Rt): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new core.GenesisError("audio_file_not_found", `audio file not found: ${file}`, { hint: "Check the path.", cause: error });
    throw new core.GenesisError("audio_file_unreadable", `cannot read audio file ${file} (${code ?? "error"})`, { hint: "Pass the path of a readable audio file.", cause: error });
  }
  if (!RAW_MULAW.has(extname(file).toLowerCase())) return rt.wavToMulaw(bytes, file).audio;
  if (bytes.length === 0) throw new rt.RealtimeAudioFormatError({ message: `${file} is empty.`, format: "raw u-law", hint: "Check that the recording is not empty." });
  return bytes;
}
