import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Options } from "tsup";
import { schemaFingerprint } from "./schema-fingerprint";

/**
 * Shared tsup options for every publishable package: ESM only, Node 20 target,
 * declarations resolved against built siblings (not their sources), and the
 * package version injected as `__GENESIS_VERSION__`.
 */
export function preset(dir: string, overrides: Options = {}): Options {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    // Declarations must point at siblings' published types, not their sources.
    dts: { compilerOptions: { customConditions: [] } },
    define: { __GENESIS_VERSION__: JSON.stringify(pkg.version), __GENESIS_SCHEMA_FINGERPRINT__: JSON.stringify(schemaFingerprint()) },
    ...overrides,
  };
}
