import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Helpers for tests that spawn the BUILT CLI. `ensureBuilt()` rebuilds @genesis/core and the
 * CLI with tsup only when a source file is newer than its dist output, under a lock file so
 * parallel test files never build at the same time. A rebuild never empties `dist/`: tsup
 * writes into a temp directory and the files are renamed in, hashed chunks first and entry
 * points last, so a CLI spawned mid-rebuild loads either the old build or the new one.
 */

export const root = resolve(import.meta.dirname, "..", "..", "..");
export const cliEntry = join(root, "apps", "cli", "dist", "genesis.js");

interface Target {
  dir: string;
  output: string;
}

const packageTarget = (name: string): Target => ({ dir: join(root, "packages", name), output: join(root, "packages", name, "dist", "index.js") });

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__fixtures__") newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function stale(target: Target): boolean {
  if (!existsSync(target.output)) return true;
  return newestSource(join(target.dir, "src")) > statSync(target.output).mtimeMs;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function withBuildLock(fn: () => void): Promise<void> {
  const lock = join(tmpdir(), `genesis-test-build-${createHash("sha256").update(root).digest("hex").slice(0, 12)}.lock`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lock, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) unlinkSync(lock);
      else if (attempt > 1200) throw new Error(`build lock ${lock} held too long`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    fn();
  } finally {
    unlinkSync(lock);
  }
}

/** Entry points (unhashed names other files import) go last; hashed chunks are new files. */
const isEntry = (name: string) => !/-[A-Z0-9]{8}\.(?:js|js\.map)$|-[A-Za-z0-9]{8}\.d\.ts$/.test(name);

const OLD_CHUNK_GRACE_MS = 10 * 60_000;

/** Build `dir` with tsup into a temp folder, then rename every file into `dir/dist`. */
function buildInPlace(dir: string): void {
  const dist = join(dir, "dist");
  mkdirSync(dist, { recursive: true });
  // Inside dist/: same filesystem (rename works) and already ignored by git and tsconfig.
  const out = mkdtempSync(join(dist, ".build-"));
  try {
    const result = spawnSync("npx", ["tsup", "--out-dir", out], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    if (result.status !== 0) throw new Error(`tsup failed in ${dir}:\n${result.stdout}\n${result.stderr}`);
    const names = readdirSync(out);
    for (const name of [...names.filter((n) => !isEntry(n)), ...names.filter(isEntry)]) renameSync(join(out, name), join(dist, name));
    // Chunks of earlier builds stay for a while (a CLI started before the swap may still
    // import one lazily), then go, so dist/ does not grow with every rebuild.
    const current = new Set(names);
    for (const entry of readdirSync(dist, { withFileTypes: true })) {
      const path = join(dist, entry.name);
      if (entry.isFile() && !current.has(entry.name) && Date.now() - statSync(path).mtimeMs > OLD_CHUNK_GRACE_MS) rmSync(path, { force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Build what is stale: the named workspace packages in the order given (default: core), then
 * the CLI. Call from beforeAll with a long timeout. Under `pnpm test` everything is already
 * built, so this is only a stat walk.
 */
export async function ensureBuilt(packages: readonly string[] = ["core"]): Promise<void> {
  const targets = [...packages.map(packageTarget), { dir: join(root, "apps", "cli"), output: cliEntry }];
  if (!targets.some(stale)) return;
  await withBuildLock(() => {
    for (const target of targets) {
      if (!stale(target)) continue;
      buildInPlace(target.dir);
    }
  });
}

/** A fresh GENESIS_HOME. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "genesis-cli-"));
}

/** Options for {@link runCli}. */
export interface RunOptions {
  home: string;
  env?: Record<string, string>;
  input?: string;
  nodeArgs?: string[];
}

/**
 * Run `node apps/cli/dist/genesis.js ...args` with a clean environment: only PATH, HOME
 * and GENESIS_HOME (+ `env`), so the developer's own OPENAI_API_KEY never leaks in.
 */
export function runCli(args: string[], options: RunOptions): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...(options.nodeArgs ?? []), cliEntry, ...args], {
    encoding: "utf8",
    input: options.input ?? "",
    env: { PATH: process.env.PATH ?? "", HOME: options.home, GENESIS_HOME: options.home, ...options.env },
    timeout: 20_000,
  });
}
