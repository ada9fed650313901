import { readFileSync } from "node:fs";

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
