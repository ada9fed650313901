import { ValidationError } from "@genesis/core";
import type WebSocket from "ws";

/**
 * Time source and timers of the liveness check. Defaults read `Date.now` / `setTimeout` at
 * call time, so `vi.useFakeTimers()` controls them; tests may pass a manual clock instead.
 */
export interface RealtimeClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: RealtimeClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Checks an injected clock at the edge, so a wrong object fails at creation, not minutes later. */
export function resolveClock(clock: RealtimeClock | undefined): RealtimeClock {
  if (clock === undefined) return systemClock;
  for (const name of ["now", "setTimeout", "clearTimeout"] as const) {
    if (typeof (clock as unknown as Record<string, unknown> | null)?.[name] !== "function") {
      throw new ValidationError(`options.clock.${name}: must be a function (got ${typeof (clock as unknown as Record<string, unknown> | null)?.[name]}).`, {
        path: `options.clock.${name}`,
        hint: "Fix options.clock: pass an object with now(), setTimeout(callback, ms) and clearTimeout(handle), or omit it to use the system timers.",
      });
    }
  }
  return clock;
}

/** What {@link Heartbeat} needs. */
export interface HeartbeatOptions {
  /** Inbound silence after which a ping is sent; 0 disables the check. */
  intervalMs: number;
  /** How long a ping may go unanswered (no pong, no frame at all) before the peer counts as gone. */
  timeoutMs: number;
  clock: RealtimeClock;
}

/**
 * Liveness of one socket. Every inbound frame (event, pong, server ping) counts as a sign of
 * life; after `intervalMs` without one a ping goes out, and if nothing arrives within
 * `timeoutMs` of it `onLost` is called with how long the peer has been silent. One unref'd
 * timer at a time, re-armed only by the first frame after a ping, so a busy session costs one
 * timestamp per frame and the check never keeps the process alive.
 */
export class Heartbeat {
  #lastInbound: number;
  #pingSentAt: number | undefined;
  #timer: unknown;
  #stopped = false;
  readonly #touch = (): void => {
    this.#lastInbound = this.options.clock.now();
    if (this.#pingSentAt === undefined || this.#stopped) return;
    // Answered: the next ping is due one interval after this frame, not after the timeout.
    this.#pingSentAt = undefined;
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#schedule(this.options.intervalMs);
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly options: HeartbeatOptions,
    private readonly onLost: (silentMs: number) => void,
  ) {
    this.#lastInbound = options.clock.now();
    if (options.intervalMs <= 0) {
      this.#stopped = true;
      return;
    }
    ws.on("message", this.#touch);
    ws.on("pong", this.#touch);
    ws.on("ping", this.#touch);
    this.#schedule(options.intervalMs);
  }

  /** Clears the timer and the listeners; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.ws.off("message", this.#touch);
    this.ws.off("pong", this.#touch);
    this.ws.off("ping", this.#touch);
  }

  #schedule(ms: number): void {
    const handle = this.options.clock.setTimeout(() => this.#tick(), Math.max(1, ms));
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const { intervalMs, timeoutMs, clock } = this.options;
    const now = clock.now();
    if (this.#pingSentAt !== undefined) {
      // Still set: nothing at all arrived since the ping (any frame clears it).
      const waited = now - this.#pingSentAt;
      if (waited < timeoutMs) return this.#schedule(timeoutMs - waited);
      const silentMs = now - this.#lastInbound;
      this.stop();
      return this.onLost(silentMs);
    }
    const idle = now - this.#lastInbound;
    if (idle < intervalMs) return this.#schedule(intervalMs - idle);
    if (this.ws.readyState !== this.ws.OPEN) return this.stop();
    this.#pingSentAt = now;
    // The callback swallows a send error; the close that follows is reported by the connection.
    this.ws.ping(undefined, undefined, () => undefined);
    this.#schedule(timeoutMs);
  }
}
