import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Genesis's home directory: `$GENESIS_HOME`, else `~/.genesis`.
 * Everything Genesis stores (config, auth store, sessions) lives under it.
 */
export function resolveGenesisHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GENESIS_HOME?.trim();
  return fromEnv ? resolve(fromEnv) : join(homedir(), ".genesis");
}

/** The config file: `$GENESIS_CONFIG`, else `$GENESIS_HOME/genesis.json5`. */
export function resolveConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GENESIS_CONFIG?.trim();
  return fromEnv ? resolve(fromEnv) : join(resolveGenesisHome(env), "genesis.json5");
}
