import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { AbortError } from "@genesis/transport";
import type { GenerateVideoOptions } from "../generate-video.js";

/** A unique fake key: any appearance in an error or log is a leak. */
export const CANARY_KEY = "sk-canary-video-7f3a9c1e5b";

/** An emulator, a temp directory and options wired to both, with a recording fake sleep. */
export interface VideoHarness {
  emu: Emulator;
  dir: string;
  delays: number[];
  options: (extra?: Partial<GenerateVideoOptions>) => GenerateVideoOptions;
  close: () => Promise<void>;
}

export async function videoHarness(): Promise<VideoHarness> {
  const emu = await startEmulator();
  const dir = await mkdtemp(join(tmpdir(), "genesis-video-"));
  const delays: number[] = [];
  // Records every wait (retry backoff and polling) and honours abort like the real sleep.
  const sleep = async (ms: number, signal?: AbortSignal) => {
    delays.push(ms);
    if (signal?.aborted) throw new AbortError();
  };
  return {
    emu,
    dir,
    delays,
    options: (extra = {}) => ({ apiKey: CANARY_KEY, baseUrl: emu.apiBase, outputDir: join(dir, "out"), cwd: dir, sleep, env: {}, ...extra }),
    close: async () => {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Path-only summary of what the emulator received, e.g. `POST /v1/videos`. */
export function requestLines(emu: Emulator): string[] {
  return emu.requests.map((r) => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ""}`);
}
