import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireFileLock, LockTimeoutError } from "./_file-lock.js";

let dir: string;
let lockPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "genesis-lock-"));
  lockPath = join(dir, "nested", "store.json.lock");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const writeLock = (owner: object) => writeFileSync(lockPath, JSON.stringify(owner));

describe("acquireFileLock", () => {
  it("creates the lock (and its directory) with our pid, and releases it", async () => {
    const lock = await acquireFileLock(lockPath);
    const owner = JSON.parse(readFileSync(lockPath, "utf8")) as { pid: number; host: string; token: string };
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(hostname());
    expect(await lock.isHeld()).toBe(true);
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
    await lock.release();
  });

  it("waits on a live owner with growing, capped delays, then times out", async () => {
    const first = await acquireFileLock(lockPath);
    const clock = fakeClock();
    const error = await acquireFileLock(lockPath, { timeoutMs: 1000, staleMs: 60_000, ...clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).waitedMs).toBe(1000);
    expect(clock.sleeps).toEqual([25, 50, 100, 200, 250, 250, 125]);
    expect(await first.isHeld()).toBe(true);
    await first.release();
  });

  it("gets the lock as soon as the owner releases it", async () => {
    const first = await acquireFileLock(lockPath);
    let sleeps = 0;
    const second = await acquireFileLock(lockPath, {
      sleep: async () => {
        if (++sleeps === 2) await first.release();
      },
    });
    expect(sleeps).toBe(2);
    expect(await second.isHeld()).toBe(true);
    await second.release();
  });

  it("takes over a lock whose owner process is dead", async () => {
    await acquireFileLock(lockPath).then((l) => l.release()); // creates the directory
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
    writeLock({ pid: deadPid, host: hostname(), createdAt: Date.now(), token: "dead" });
    const lock = await acquireFileLock(lockPath, { timeoutMs: 100 });
    expect(JSON.parse(readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("takes over a lock older than staleMs even if its pid lives", async () => {
    await acquireFileLock(lockPath).then((l) => l.release());
    writeLock({ pid: process.ppid, host: hostname(), createdAt: Date.now() - 31_000, token: "old" });
    const lock = await acquireFileLock(lockPath, { timeoutMs: 100 });
    expect(await lock.isHeld()).toBe(true);
    await lock.release();
  });

  it("does not take over a fresh lock held by a live pid on another host", async () => {
    await acquireFileLock(lockPath).then((l) => l.release());
    writeLock({ pid: 999_999_999, host: "elsewhere", createdAt: Date.now(), token: "remote" });
    await expect(acquireFileLock(lockPath, { timeoutMs: 60 })).rejects.toBeInstanceOf(LockTimeoutError);
  });

  it("never removes a lock that is no longer its own", async () => {
    const lock = await acquireFileLock(lockPath);
    writeLock({ pid: process.ppid, host: hostname(), createdAt: Date.now(), token: "thief" });
    expect(await lock.isHeld()).toBe(false);
    await lock.release();
    expect(JSON.parse(readFileSync(lockPath, "utf8")).token).toBe("thief");
  });
});
