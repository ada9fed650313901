import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./_atomic-file.js";
import { bundleForChild } from "./__fixtures__/child-bundle.js";

let dir: string;
const mode = (path: string) => statSync(path).mode & 0o777;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "genesis-atomic-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it.each([0o022, 0o077, 0o000])("creates 0600 files and 0700 dirs under umask %o", async (mask) => {
    const previous = process.umask(mask);
    try {
      const target = join(dir, "sub", "file.json");
      await writeFileAtomic(target, "{}");
      expect(mode(target)).toBe(0o600);
      expect(mode(join(dir, "sub"))).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it("tightens an existing 0644 file to 0600", async () => {
    const target = join(dir, "file.json");
    writeFileSync(target, "old");
    chmodSync(target, 0o644);
    await writeFileAtomic(target, "new");
    expect(mode(target)).toBe(0o600);
    expect(readFileSync(target, "utf8")).toBe("new");
  });

  it("writes through a symlink and keeps the link", async () => {
    const real = join(dir, "real.json");
    const link = join(dir, "link.json");
    writeFileSync(real, "old");
    symlinkSync(real, link);
    await writeFileAtomic(link, "new");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, "utf8")).toBe("new");
  });

  it("removes its temp file and keeps the old content when the write fails", async () => {
    const target = join(dir, "file.json");
    writeFileSync(target, "old");
    // Renaming a file over a non-empty directory fails after the temp file was written.
    const blocked = join(dir, "blocked");
    await writeFileAtomic(join(blocked, "x"), "x");
    await expect(writeFileAtomic(blocked, "new")).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(["blocked", "file.json"]);
    expect(readFileSync(target, "utf8")).toBe("old");
  });

  it("removes temp files orphaned by a dead writer", async () => {
    const target = join(dir, "file.json");
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const orphan = join(dir, `.file.json.${deadPid}.abcdef.tmp`);
    const live = join(dir, `.file.json.${process.ppid}.abcdef.tmp`);
    writeFileSync(orphan, "partial");
    writeFileSync(live, "someone else's");
    await writeFileAtomic(target, "new");
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe("crash consistency", () => {
  let script: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    script = await bundleForChild(join(import.meta.dirname, "__fixtures__", "atomic-writer-child.ts"));
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    rmSync(join(script, ".."), { recursive: true, force: true });
  });

  it("never exposes a partial file when the writer is SIGKILLed mid-loop", async () => {
    const target = join(dir, "state.json");
    let lastSeen = 0;
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, [script, target], { stdio: ["ignore", "pipe", "inherit"] });
      children.push(child);
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      const until = Date.now() + 40 + Math.floor(Math.random() * 80);
      // Read continuously while the child writes, then kill it at an arbitrary point.
      while (Date.now() < until) {
        const parsed = JSON.parse(readFileSync(target, "utf8")) as { n: number };
        expect(parsed.n).toBeGreaterThan(0);
        expect(mode(target)).toBe(0o600);
      }
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const final = JSON.parse(readFileSync(target, "utf8")) as { n: number };
      expect(final.n).toBeGreaterThan(0);
      lastSeen = final.n;
    }
    expect(lastSeen).toBeGreaterThan(0);
    // Whatever temp file the last kill orphaned is cleaned by the next write.
    await writeFileAtomic(target, "{}");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });
});

describe("writeFileAtomic rename retries (Windows sharing violations)", () => {
  const flaky = (failures: number, code: string) => {
    let calls = 0;
    const fn = async (from: string, to: string) => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error(`${code}: operation not permitted, rename`), { code });
      const { rename } = await import("node:fs/promises");
      await rename(from, to);
    };
    return { fn, calls: () => calls };
  };

  it("retries EPERM/EBUSY until the rename goes through, then the new content is in place", async () => {
    const target = join(dir, "profiles.json");
    writeFileSync(target, "old");
    const rename = flaky(3, "EBUSY");
    await writeFileAtomic(target, "new", { rename: rename.fn, renameRetryMs: 2_000 });
    expect(rename.calls()).toBe(4);
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["profiles.json"]);
  });

  it("gives up after the budget with the original error, leaving the old file and no temp file", async () => {
    const target = join(dir, "profiles.json");
    writeFileSync(target, "old");
    const rename = flaky(1_000, "EPERM");
    const error = await writeFileAtomic(target, "new", { rename: rename.fn, renameRetryMs: 100 }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe("EPERM");
    expect(rename.calls()).toBeGreaterThan(1);
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["profiles.json"]);
  });

  it("does not retry other errors, nor EPERM when no retry budget is set (POSIX default)", async () => {
    const target = join(dir, "profiles.json");
    const enoent = flaky(5, "ENOENT");
    await expect(writeFileAtomic(target, "x", { rename: enoent.fn, renameRetryMs: 2_000 })).rejects.toMatchObject({ code: "ENOENT" });
    expect(enoent.calls()).toBe(1);
    const eperm = flaky(5, "EPERM");
    await expect(writeFileAtomic(target, "x", { rename: eperm.fn, renameRetryMs: 0 })).rejects.toMatchObject({ code: "EPERM" });
    expect(eperm.calls()).toBe(1);
  });
});
