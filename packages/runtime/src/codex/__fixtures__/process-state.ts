import { readdirSync, readFileSync } from "node:fs";

/**
 * True while `pid` is a live process. A killed process whose parent is gone stays a zombie
 * until PID 1 reaps it (slowly, in some sandboxes); a zombie runs nothing, so it counts as dead.
 */
export function isLive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // Field 3 follows the parenthesised command name, which may itself contain spaces.
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/**
 * Pids of live processes whose `CODEX_HOME` lies under `dir`: the app-servers (and helpers they
 * spawned) of one test file, found by their environment rather than by what the file tracked,
 * so one the harness forgot to track still shows up. Linux `/proc` only.
 */
export function liveCodexUnder(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    const home = environ.split("\0").find((v) => v.startsWith("CODEX_HOME="))?.slice("CODEX_HOME=".length);
    if (home !== undefined && (home === dir || home.startsWith(`${dir}/`)) && isLive(pid)) found.push(pid);
  }
  return found;
}

/** {@link liveCodexUnder} after giving SIGKILLed helpers up to `ms` to die; empty when clean. */
export async function codexLeftUnder(dir: string, ms = 2_000): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = liveCodexUnder(dir);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
