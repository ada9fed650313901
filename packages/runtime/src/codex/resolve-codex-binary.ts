import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { CodexHarnessError } from "./errors.js";

/** The `@openai/codex` version this harness is built and tested against. */
export const CODEX_VERSION = "0.169.0";

// The launcher in @openai/codex (bin/codex.js) picks one of these optional packages; we do the
// same lookup so we can spawn the native binary directly (no Node wrapper process in between,
// which keeps signals, process groups and RSS figures about the real server).
const TARGETS: Record<string, { triple: string; pkg: string } | undefined> = {
  "linux-x64": { triple: "x86_64-unknown-linux-musl", pkg: "@openai/codex-linux-x64" },
  "linux-arm64": { triple: "aarch64-unknown-linux-musl", pkg: "@openai/codex-linux-arm64" },
  "darwin-x64": { triple: "x86_64-apple-darwin", pkg: "@openai/codex-darwin-x64" },
  "darwin-arm64": { triple: "aarch64-apple-darwin", pkg: "@openai/codex-darwin-arm64" },
  "win32-x64": { triple: "x86_64-pc-windows-msvc", pkg: "@openai/codex-win32-x64" },
  "win32-arm64": { triple: "aarch64-pc-windows-msvc", pkg: "@openai/codex-win32-arm64" },
};

/** Options of {@link resolveCodexBinary}. */
export interface ResolveCodexBinaryOptions {
  /** An explicit path; wins over everything else. */
  path?: string;
  /** Environment to read `GENESIS_CODEX_BIN` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where to start resolving `@openai/codex` from. Default: this module. */
  from?: string;
  platform?: NodeJS.Platform;
  arch?: string;
}

/**
 * Find the native `codex` executable: `options.path`, else `$GENESIS_CODEX_BIN`, else the
 * platform package that `@openai/codex` (an optional peer dependency) installed.
 * Throws `codex_binary_not_found` with an install hint when none exists.
 */
export function resolveCodexBinary(options: ResolveCodexBinaryOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.GENESIS_CODEX_BIN?.trim();
  if (explicit) {
    const abs = resolve(explicit);
    if (!existsSync(abs)) {
      throw new CodexHarnessError("codex_binary_not_found", `The Codex binary ${abs} does not exist.`, {
        hint: options.path ? "Pass an existing executable as codexBin." : "Fix or unset GENESIS_CODEX_BIN.",
      });
    }
    return abs;
  }
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const target = TARGETS[`${platform}-${arch}`];
  const hint = `Install it next to Genesis: npm install @openai/codex@${CODEX_VERSION} (or set GENESIS_CODEX_BIN).`;
  if (!target) {
    throw new CodexHarnessError("codex_binary_not_found", `Codex has no build for ${platform}-${arch}.`, { hint });
  }
  const req = createRequire(options.from ?? import.meta.url);
  let codexPkg: string;
  try {
    codexPkg = req.resolve("@openai/codex/package.json");
  } catch (cause) {
    throw new CodexHarnessError("codex_binary_not_found", "The @openai/codex package is not installed.", { hint, cause });
  }
  const exe = platform === "win32" ? "codex.exe" : "codex";
  const candidates: string[] = [];
  try {
    const platformPkg = createRequire(codexPkg).resolve(`${target.pkg}/package.json`);
    candidates.push(join(dirname(platformPkg), "vendor", target.triple, "bin", exe));
  } catch {
    // Older layouts shipped the binary inside @openai/codex itself.
  }
  candidates.push(join(dirname(codexPkg), "vendor", target.triple, "bin", exe));
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new CodexHarnessError(
      "codex_binary_not_found",
      `@openai/codex is installed but its native package ${target.pkg} is missing.`,
      { hint: `Reinstall with optional dependencies enabled: npm install @openai/codex@${CODEX_VERSION}.` },
    );
  }
  return found;
}
