import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { GenesisConfig } from "./config-schema.js";

/**
 * A cache of the last successful validation, beside the config file (0600, like the file).
 * Validation needs zod, which costs most of a read-only command's start-up; an unchanged
 * document validated by the same schema always gives the same result, so it is kept here.
 * The entry is keyed by the schema's source fingerprint (build time), the file path and the
 * parsed document itself, so an edit, another file or a new schema all miss.
 */
interface CacheEntry {
  fingerprint: string;
  path: string;
  document: string;
  config: GenesisConfig;
}

/** `.genesis.json5.validated.json` beside the config file. */
export function validatedCachePath(configPath: string): string {
  return join(dirname(configPath), `.${basename(configPath)}.validated.json`);
}

/** The cached validated config for exactly this document, or undefined (missing, stale or unreadable). */
export async function readValidatedConfig(configPath: string, documentJson: string): Promise<GenesisConfig | undefined> {
  let entry: Partial<CacheEntry>;
  try {
    entry = JSON.parse(await readFile(validatedCachePath(configPath), "utf8")) as Partial<CacheEntry>;
  } catch {
    return undefined;
  }
  const hit =
    entry.fingerprint === __GENESIS_SCHEMA_FINGERPRINT__ &&
    entry.path === configPath &&
    entry.document === documentJson &&
    typeof entry.config === "object" && entry.config !== null;
  return hit ? entry.config : undefined;
}

/** Remember a successful validation. Best effort: a read-only directory just means no cache. */
export async function writeValidatedConfig(configPath: string, documentJson: string, config: GenesisConfig): Promise<void> {
  const entry: CacheEntry = { fingerprint: __GENESIS_SCHEMA_FINGERPRINT__, path: configPath, document: documentJson, config };
  try {
    const { writeFileAtomic } = await import("./_atomic-file.js");
    await writeFileAtomic(validatedCachePath(configPath), JSON.stringify(entry), { mode: 0o600 });
  } catch {
    // The cache only saves time; never fail a load because it could not be written.
  }
}
