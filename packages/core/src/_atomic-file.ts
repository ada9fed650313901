import { chmod, lstat, mkdir, open, readdir, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pidAlive } from "./_file-lock.js";

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Mode of the written file, applied with chmod so umask cannot widen or narrow it. Default 0o600. */
  mode?: number;
  /** Mode for a parent directory this call creates. Default 0o700. */
  dirMode?: number;
  /**
   * How long to keep retrying a rename refused with EPERM, EACCES or EBUSY: on Windows a virus
   * scanner or indexer briefly holding the target makes the rename fail although it would work
   * a moment later. Default 2000 ms on Windows, 0 elsewhere (there those errors are final).
   */
  renameRetryMs?: number;
  /** The rename to use (tests inject a flaky one). Default `fs.promises.rename`. */
  rename?: (from: string, to: string) => Promise<void>;
}

const RETRYABLE_RENAME = new Set(["EPERM", "EACCES", "EBUSY"]);

/** Rename, retrying transient refusals with growing waits (10, 20, 40... ms) until `budgetMs` is spent. */
async function renameWithRetry(from: string, to: string, options: AtomicWriteOptions): Promise<void> {
  const doRename = options.rename ?? rename;
  const budgetMs = options.renameRetryMs ?? (process.platform === "win32" ? 2_000 : 0);
  const started = Date.now();
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      await doRename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (!RETRYABLE_RENAME.has(code) || Date.now() - started + wait > budgetMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

const TEMP_SUFFIX = ".tmp";

/** `.<name>.<pid>.<random>.tmp`: hidden, and the pid lets a later run spot orphans. */
function tempName(target: string, random: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${random}${TEMP_SUFFIX}`);
}

/**
 * Remove temp files a crashed writer (killed between write and rename) left behind.
 * Only files whose writer pid is gone are touched, so a concurrent writer is safe.
 */
async function removeOrphanTemps(target: string): Promise<void> {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) {
      await unlink(join(dirname(target), name)).catch(() => undefined);
    }
  }
}

/** Create the parent directory (and only then set its mode; existing dirs keep theirs). */
async function ensureDir(dir: string, mode: number): Promise<void> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (exists) return;
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
}

/**
 * Replace `target` with `data` so readers see either the old or the new file, never a
 * mix: write a temp file in the same directory, fsync it, rename it over the target,
 * then fsync the directory. The mode is forced with chmod (an existing 0644 file becomes
 * 0600). A symlinked target is written through: its real file is replaced, the link kept.
 * On failure the temp file is removed and the target is untouched.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  let path = target;
  const link = await lstat(target).catch(() => undefined);
  if (link?.isSymbolicLink()) path = await realpath(target);
  await ensureDir(dirname(path), options.dirMode ?? 0o700);
  await removeOrphanTemps(path);
  // node:crypto is loaded on the first write, not at import: read-only commands never need it.
  const { randomBytes } = await import("node:crypto");
  const temp = tempName(path, randomBytes(6).toString("hex"));
  let renamed = false;
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temp, path, options);
    renamed = true;
    await syncDir(dirname(path));
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** Persist the rename itself; some platforms cannot open directories, which is fine. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EISDIR/EINVAL on platforms without directory fsync.
  } finally {
    await handle.close();
  }
}
