/**
 * Process-group bookkeeping for app-server children: every child runs in its own group (so
 * helpers it spawns go with it), and a host exiting normally or through `process.exit` takes
 * every live group down synchronously. A host killed outright runs no hook; the app-server then
 * exits by itself when its stdin closes.
 */

/** Something that can be SIGKILLed when the host exits. */
export interface Killable {
  kill(signal: NodeJS.Signals): void;
}

const live = new Set<Killable>();
let exitHookInstalled = false;

/** Track a live child until {@link untrackChild}; installs the exit hook on first use. */
export function trackChild(child: Killable): void {
  live.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
}

/** Stop tracking a child that has exited. */
export function untrackChild(child: Killable): void {
  live.delete(child);
}

/** Signal a whole process group; false when it is already empty (or on Windows, which has none). */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (process.platform === "win32") return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already empty.
  }
}
