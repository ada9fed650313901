import type { RealtimeClock } from "../_heartbeat.js";

interface ManualTimer {
  id: number;
  at: number;
  callback: () => void;
  unrefd: boolean;
}

/**
 * A clock that only moves when the test says so. `advance()` fires due timers in time order
 * (including ones scheduled by those callbacks), so a heartbeat of 15 s runs in microseconds
 * while the socket under it stays real.
 */
export function manualClock(start = 1_700_000_000_000): RealtimeClock & { advance(ms: number): void; pending(): number; allUnrefd(): boolean } {
  let now = start;
  let seq = 0;
  const timers = new Map<number, ManualTimer>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer: ManualTimer = { id: ++seq, at: now + ms, callback, unrefd: false };
      timers.set(timer.id, timer);
      return { id: timer.id, unref: () => void (timer.unrefd = true) };
    },
    clearTimeout(handle) {
      timers.delete((handle as { id: number }).id);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.values()].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers.delete(due.id);
        now = due.at;
        due.callback();
      }
      now = target;
    },
    pending: () => timers.size,
    allUnrefd: () => [...timers.values()].every((t) => t.unrefd),
  };
}

/**
 * The system timers, watched: which handles are still scheduled and whether each was unref'd
 * (what lets a process exit while a session object is still referenced).
 */
export function trackingClock(): RealtimeClock & { live(): NodeJS.Timeout[]; created: NodeJS.Timeout[] } {
  const live = new Set<NodeJS.Timeout>();
  const created: NodeJS.Timeout[] = [];
  return {
    now: () => Date.now(),
    setTimeout(callback, ms) {
      const handle: NodeJS.Timeout = setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      created.push(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle as NodeJS.Timeout);
      clearTimeout(handle as NodeJS.Timeout);
    },
    live: () => [...live],
    created,
  };
}
