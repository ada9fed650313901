import { hostname } from "node:os";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Options for {@link acquireFileLock}. */
export interface FileLockOptions {
  /** Give up waiting for a held lock after this long. Default 10000 ms. */
  timeoutMs?: number;
  /** A lock older than this is presumed abandoned and taken over. Default 30000 ms. */
  staleMs?: number;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Sleep, injectable for tests (fake timers). Default setTimeout-based. */
  sleep?: (ms: number) => Promise<void>;
}

/** A held lock. */
export interface FileLock {
  /** Whether the lock file still carries our token (false once another process took it over). */
  isHeld(): Promise<boolean>;
  /** Remove the lock if it is still ours; idempotent. */
  release(): Promise<void>;
}

/** The lock stayed held by a live owner for longer than `timeoutMs`. */
export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly waitedMs: number) {
    super(`Timed out after ${waitedMs} ms waiting for ${lockPath}`);
    this.name = "LockTimeoutError";
  }
}

interface LockOwner {
  pid: number;
  host: string;
  createdAt: number;
  token: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid exists on this host (EPERM: it exists, someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(lockPath: string): Promise<{ text: string; owner: LockOwner | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch {
    return undefined; // released meanwhile
  }
  try {
    return { text, owner: JSON.parse(text) as LockOwner };
  } catch {
    return { text, owner: undefined };
  }
}

/**
 * Decide whether an existing lock is abandoned: its owner process is gone (same host),
 * or it is older than `staleMs`. A lock file we cannot parse (the owner died between
 * create and write) is judged by its mtime.
 */
async function isStale(lockPath: string, owner: LockOwner | undefined, staleMs: number, now: number): Promise<boolean> {
  if (owner && typeof owner.createdAt === "number") {
    if (now - owner.createdAt > staleMs) return true;
    return owner.host === hostname() && typeof owner.pid === "number" && !pidAlive(owner.pid);
  }
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && now - info.mtimeMs > staleMs;
}

/**
 * Take a cross-process lock: create `lockPath` with O_EXCL holding our pid, host, time and
 * a random token. A held lock is polled (25 ms growing to 250 ms) until `timeoutMs`; an
 * abandoned one (dead pid or older than `staleMs`) is removed and retried. The lock's
 * directory is created if missing, so the first write of a store needs no special case.
 * @throws LockTimeoutError when a live owner keeps it past `timeoutMs`.
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  // Loaded here, not at import, so read-only commands that merely import core skip node:crypto.
  const { randomBytes } = await import("node:crypto");
  const token = randomBytes(12).toString("hex");
  const started = now();
  let delay = 25;
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  for (;;) {
    const owner: LockOwner = { pid: process.pid, host: hostname(), createdAt: now(), token };
    // Write the owner record first, then hard-link it into place: link() is atomic and
    // fails with EEXIST, so a lock file is never observed empty or half-written, even when
    // its creator is killed mid-acquire.
    const staged = `${lockPath}.${token}.tmp`;
    await writeFile(staged, JSON.stringify(owner), { mode: 0o600 });
    try {
      await link(staged, lockPath);
      return makeLock(lockPath, token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await unlink(staged).catch(() => undefined);
    }
    const seen = await readOwner(lockPath);
    if (seen === undefined) continue; // released between our open and read: try again now
    if (await isStale(lockPath, seen.owner, staleMs, now())) {
      // Re-read right before removing, so we only delete the exact lock we judged stale and
      // not a fresh one another process created after taking it over first.
      const again = await readOwner(lockPath);
      if (again?.text === seen.text) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    const waited = now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(lockPath, waited);
    await sleep(Math.min(delay, Math.max(1, timeoutMs - waited)));
    delay = Math.min(delay * 2, 250);
  }
}

function makeLock(lockPath: string, token: string): FileLock {
  let released = false;
  const isHeld = async () => (await readOwner(lockPath))?.owner?.token === token;
  return {
    isHeld,
    async release() {
      if (released) return;
      released = true;
      if (await isHeld()) await unlink(lockPath).catch(() => undefined);
    },
  };
}
