import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import { schemaFingerprint } from "./schema-fingerprint.ts";

const root = resolve(import.meta.dirname, "..");

/**
 * Every workspace package, resolved to its TypeScript source so tests never need a build.
 * Subpath exports with an `@genesis/source` condition (e.g. `@genesis/core/lite`) come
 * first: vite matches `@genesis/core` as a prefix of `@genesis/core/lite` otherwise.
 */
function sourceAliases(): Record<string, string> {
  const subpaths: Record<string, string> = {};
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const src = join(root, "packages", dir, "src", "index.ts");
    if (!existsSync(src)) continue;
    aliases[`@genesis/${dir}`] = src;
    let pkg: { exports?: Record<string, string | Record<string, string>> };
    try {
      pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as typeof pkg;
    } catch {
      // A sibling's package.json caught mid-edit must not break every package's tests;
      // its main entry still resolves, only its subpath aliases are skipped this run.
      continue;
    }
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const source = typeof target === "object" ? target["@genesis/source"] : undefined;
      if (subpath.startsWith("./") && source) subpaths[`@genesis/${dir}/${subpath.slice(2)}`] = join(root, "packages", dir, source);
    }
  }
  return { ...subpaths, ...aliases };
}

/** Shared vitest settings: node environment, source aliases, generous timeouts for socket tests. */
export function preset(overrides: ViteUserConfig = {}): ViteUserConfig {
  return defineConfig({
    ...overrides,
    define: { __GENESIS_VERSION__: JSON.stringify("0.0.0-test"), __GENESIS_SCHEMA_FINGERPRINT__: JSON.stringify(schemaFingerprint()), ...overrides.define },
    resolve: { alias: sourceAliases(), ...overrides.resolve },
    test: {
      environment: "node",
      testTimeout: 20_000,
      hookTimeout: 20_000,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      ...overrides.test,
    },
  });
}
