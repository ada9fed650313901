import JSON5 from "json5";
import { writeFileAtomic } from "./_atomic-file.js";
import { acquireFileLock, LockTimeoutError } from "./_file-lock.js";
import { ConfigError } from "./errors.js";
import { resolveConfigPath } from "./paths.js";
import type { GenesisConfig } from "./config-schema.js";
import { readConfigDocument, type ConfigFileOptions } from "./config-document.js";
import type { LoadedConfig } from "./load-config.js";
import { validateConfig } from "./validate-config.js";

/** Serialize a document the way Genesis writes it (JSON5, 2-space indent, trailing newline). */
export function stringifyConfigDocument(document: unknown): string {
  return `${JSON5.stringify(document, { space: 2, quote: '"' })}\n`;
}

/**
 * Validate `document` and, only if it is valid, write it atomically (mode 0600). An invalid
 * document throws before anything touches the disk, so the file stays byte-for-byte unchanged.
 * Comments and formatting of the previous file are not preserved.
 */
export async function writeConfigDocument(path: string, document: Record<string, unknown>): Promise<GenesisConfig> {
  const config = validateConfig(document, path);
  await writeFileAtomic(path, stringifyConfigDocument(document), { mode: 0o600, dirMode: 0o700 });
  return config;
}

/**
 * Read the raw document, apply `edit`, validate the whole result, then write it, all under
 * `<file>.lock` so two concurrent `config set` runs cannot lose each other's change.
 * Values the edit does not touch are kept as written.
 * @throws ConfigError `config_locked` when another process holds the lock for 10 s.
 */
export async function updateConfigDocument(
  options: ConfigFileOptions,
  edit: (document: Record<string, unknown>) => Record<string, unknown>,
): Promise<LoadedConfig> {
  const path = options.path ?? resolveConfigPath(options.env ?? process.env);
  let lock;
  try {
    lock = await acquireFileLock(`${path}.lock`);
  } catch (error) {
    if (!(error instanceof LockTimeoutError)) throw error;
    throw new ConfigError("config_locked", `Config file ${path} is locked by another process`, {
      file: path,
      hint: `Wait for the other genesis command to finish; if none is running, remove ${path}.lock.`,
    });
  }
  try {
    const read = await readConfigDocument({ path });
    const next = edit(read.document);
    const config = await writeConfigDocument(read.path, next);
    return { path: read.path, exists: true, document: next, config };
  } finally {
    await lock.release();
  }
}
