import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { inspect } from "node:util";
import { AuthError } from "./errors.js";
import { resolveGenesisHome } from "./paths.js";
import type { GenesisConfig } from "./config-schema.js";
import { writeFileAtomic } from "./_atomic-file.js";
import { acquireFileLock, LockTimeoutError } from "./_file-lock.js";
import { buildAuthSnapshot, type AuthSnapshot } from "./auth-snapshot.js";
import { checkAuthFile, type AuthFile, type AuthProfile } from "./_auth-file-check.js";

export type { AuthFile, AuthProfile, ApiKeyProfile, OAuthProfile } from "./_auth-file-check.js";

/** Options for {@link openAuthStore}. */
export interface AuthStoreOptions {
  /** Genesis home; default `$GENESIS_HOME`, else `~/.genesis`. */
  home?: string;
  /** Environment used to find the home and for `snapshot()`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long `update` waits for another process's lock. Default 10000 ms. */
  lockTimeoutMs?: number;
  /** A lock older than this (or whose pid is dead) is taken over. Default 30000 ms. */
  staleLockMs?: number;
}

/** Genesis's own credential store at `$GENESIS_HOME/auth/profiles.json` (dir 0700, file 0600). */
export interface AuthStore {
  /** Absolute path of `profiles.json`. */
  readonly path: string;
  /** The file's content; an empty store when the file does not exist. */
  read(): Promise<AuthFile>;
  /** The profile stored for `provider`. */
  get(provider: string): Promise<AuthProfile | undefined>;
  /**
   * Read-modify-write under the cross-process lock: the file is re-read after the lock is
   * taken, `fn` gets a private copy, and the file is written (atomically) only when `fn`
   * returns `next`.
   */
  update<T>(fn: (current: AuthFile) => Promise<{ next?: AuthFile; result: T }> | { next?: AuthFile; result: T }): Promise<T>;
  /** Delete `provider`'s profile; false when there was none. */
  remove(provider: string): Promise<boolean>;
  /** Secret-free summary for route resolution (env `OPENAI_API_KEY` etc. included). */
  snapshot(env?: NodeJS.ProcessEnv, config?: Pick<GenesisConfig, "env" | "models">): Promise<AuthSnapshot>;
}

const emptyFile = (): AuthFile => ({ version: 1, profiles: {} });

function corrupt(path: string, why: string): AuthError {
  // Built from our own words only: JSON.parse messages quote the file's text (secrets).
  return new AuthError("auth_store_corrupt", `Auth store ${path} is corrupt (${why}); it was left untouched`, {
    hint: `Move ${path} aside, then sign in again with \`genesis onboard\` or \`genesis models auth login\`.`,
  });
}

async function readStore(path: string): Promise<AuthFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyFile();
    throw new AuthError("auth_store_unreadable", `Cannot read auth store ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      hint: "Check the permissions of the file and its directory.",
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(path, "not valid JSON");
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version > 1) {
    throw new AuthError("auth_store_version", `Auth store ${path} was written by a newer Genesis (version ${version})`, {
      hint: "Upgrade Genesis to read it.",
    });
  }
  const checked = checkAuthFile(raw);
  if (!checked.ok) throw corrupt(path, `unexpected shape at ${checked.where}`);
  return checked.file;
}

function checkNext(next: AuthFile): AuthFile {
  // Round-trip through JSON first: drops undefined optionals and anything non-JSON.
  const checked = checkAuthFile(JSON.parse(JSON.stringify(next)));
  if (!checked.ok) {
    throw new AuthError("auth_profile_invalid", `Refusing to store an invalid auth profile (at ${checked.where})`, {
      hint: "This is a bug in the caller; nothing was written.",
    });
  }
  for (const [id, profile] of Object.entries(checked.file.profiles)) {
    if (profile.provider !== id) {
      throw new AuthError("auth_profile_invalid", `Profile stored under "${id}" is for provider "${profile.provider}"`, {
        provider: id,
        hint: "Store each profile under its own provider id; nothing was written.",
      });
    }
  }
  return checked.file;
}

/** Create the directory 0700, and tighten it if it exists with wider permissions. */
async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * Open the Genesis auth store. Nothing is read until a method is called.
 * The returned object holds no secrets; `inspect` and `JSON.stringify` show only its path.
 */
export function openAuthStore(options: AuthStoreOptions = {}): AuthStore {
  const env = options.env ?? process.env;
  const home = options.home ?? resolveGenesisHome(env);
  const path = join(home, "auth", "profiles.json");
  const lockPath = `${path}.lock`;

  const store: AuthStore = {
    path,
    read: () => readStore(path),
    async get(provider) {
      return (await readStore(path)).profiles[provider];
    },
    async update(fn) {
      await ensurePrivateDir(dirname(path));
      let lock;
      try {
        lock = await acquireFileLock(lockPath, { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: options.staleLockMs ?? 30_000 });
      } catch (error) {
        if (!(error instanceof LockTimeoutError)) throw error;
        throw new AuthError("auth_store_locked", `Auth store ${path} is locked by another process (waited ${error.waitedMs} ms)`, {
          hint: `Wait for the other genesis command to finish; if none is running, remove ${lockPath}.`,
        });
      }
      try {
        const current = await readStore(path);
        const { next, result } = await fn(structuredClone(current));
        if (next !== undefined) {
          const checked = checkNext(next);
          // If we stalled past staleLockMs another process may own the lock now: abandon
          // the write rather than clobber what it wrote.
          if (!(await lock.isHeld())) {
            throw new AuthError("auth_store_lock_lost", `Lost the lock on ${path} while updating; nothing was written`, {
              hint: "Retry the command.",
            });
          }
          await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
        }
        return result;
      } finally {
        await lock.release();
      }
    },
    remove(provider) {
      return store.update((current) => {
        if (!(provider in current.profiles)) return { result: false };
        delete current.profiles[provider];
        return { next: current, result: true };
      });
    },
    async snapshot(snapshotEnv = env, config) {
      const file = await readStore(path);
      return buildAuthSnapshot({ file, env: snapshotEnv, ...(config ? { config } : {}) });
    },
  };
  Object.defineProperty(store, inspect.custom, { value: () => `AuthStore { path: ${JSON.stringify(path)} }` });
  Object.defineProperty(store, "toJSON", { value: () => ({ path }) });
  return store;
}
