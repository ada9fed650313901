import { readFile } from "node:fs/promises";
import { ConfigError } from "./errors.js";
import { resolveConfigPath } from "./paths.js";
import type { GenesisConfig } from "./config-schema.js";

// Reading the config file. Deliberately free of zod (type imports only), and json5 is loaded
// only when there is a file to parse: read-only commands on a fresh machine start faster.

/** Where to find the config file. */
export interface ConfigFileOptions {
  /** Environment used to locate the file (`GENESIS_CONFIG`, `GENESIS_HOME`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Explicit file path; wins over the environment. */
  path?: string;
}

/** A config file as read from disk. */
export interface ConfigDocument {
  /** Absolute path of the file. */
  path: string;
  /** False when the file does not exist (then `document` is `{}`). */
  exists: boolean;
  /** The parsed JSON5, exactly as written (no defaults, no transforms). */
  document: Record<string, unknown>;
}

function configPath(options: ConfigFileOptions): string {
  return options.path ?? resolveConfigPath(options.env ?? process.env);
}

/**
 * Read and parse the config file without validating it. A missing (or blank) file is an
 * empty config.
 * @throws ConfigError `config_parse` with `file`, `line` and `column` for JSON5 syntax errors,
 *   `config_read` when the file exists but cannot be read.
 */
export async function readConfigDocument(options: ConfigFileOptions = {}): Promise<ConfigDocument> {
  const path = configPath(options);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { path, exists: false, document: {} };
    throw new ConfigError("config_read", `Cannot read config file ${path} (${code ?? "unknown error"})`, {
      file: path,
      hint: "Check the file's permissions, or point GENESIS_CONFIG at another file.",
    });
  }
  if (text.replace(/^\uFEFF/, "").trim() === "") return { path, exists: true, document: {} };
  const { default: JSON5 } = await import("json5");
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (error) {
    const e = error as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const line = e.lineNumber;
    const column = e.columnNumber;
    // json5 messages look like "JSON5: invalid character 'x' at 3:5"; keep only the reason.
    const reason = e.message.replace(/^JSON5:\s*/, "").replace(/\s+at \d+:\d+$/, "");
    throw new ConfigError("config_parse", `Cannot parse ${path}:${line ?? "?"}:${column ?? "?"}: ${reason}`, {
      file: path,
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
      hint: "Fix the JSON5 syntax at that line and column (e.g. a missing comma or quote).",
    });
  }
  return { path, exists: true, document: parsed as Record<string, unknown> };
}

/**
 * The environment with config `env` entries as fallbacks: a variable set (non-empty) in
 * the real environment wins; config entries fill the gaps. Neither input is modified.
 */
export function resolveEnv(config: Pick<GenesisConfig, "env"> | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...(config?.env ?? {}) };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") merged[key] = value;
  }
  return merged;
}
