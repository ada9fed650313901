import type { GenesisConfig } from "./config-schema.js";
import { readConfigDocument, type ConfigDocument, type ConfigFileOptions } from "./config-document.js";
import { readValidatedConfig, writeValidatedConfig } from "./_config-cache.js";

// zod (the schema) is imported only when there is something to validate, so commands that
// merely read the config (`genesis models list` on a fresh machine) start without loading it.

/** A config file that parsed and validated. */
export interface LoadedConfig extends ConfigDocument {
  /** The validated config (transforms applied). */
  config: GenesisConfig;
}

function isEmptyObject(value: unknown): value is Record<string, never> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Read, parse and validate the config file: `GENESIS_CONFIG`, else
 * `$GENESIS_HOME/genesis.json5` (GENESIS_HOME defaults to `~/.genesis`).
 * A missing, blank or `{}` file is the empty config and skips loading the schema
 * (the schema has no defaults, so validating `{}` yields `{}`; a test pins that). A document
 * identical to the last one that validated under the same schema reuses that result from
 * `.genesis.json5.validated.json` beside the file, again without loading the schema.
 * @throws ConfigError `config_parse`, or ConfigValidationError `config_invalid` naming every bad path.
 */
export async function loadConfig(options: ConfigFileOptions = {}): Promise<LoadedConfig> {
  const read = await readConfigDocument(options);
  if (isEmptyObject(read.document)) return { ...read, config: {} };
  const documentJson = JSON.stringify(read.document);
  const cached = await readValidatedConfig(read.path, documentJson);
  if (cached) return { ...read, config: cached };
  const { validateConfig } = await import("./validate-config.js");
  const config = validateConfig(read.document, read.path);
  await writeValidatedConfig(read.path, documentJson, config);
  return { ...read, config };
}
