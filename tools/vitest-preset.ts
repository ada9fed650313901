import { readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const root = resolve(import.meta.dirname, "..");

/** Every workspace package, resolved to its TypeScript source so tests never need a build. */
function sourceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const src = join(root, "packages", dir, "src", "index.ts");
    if (existsSync(src)) aliases[`@genesis/${dir}`] = src;
  }
  return aliases;
}

/** Shared vitest settings: node environment, source aliases, generous timeouts for socket tests. */
export function preset(overrides: ViteUserConfig = {}): ViteUserConfig {
  return defineConfig({
    ...overrides,
    define: { __GENESIS_VERSION__: JSON.stringify("0.0.0-test"), ...overrides.define },
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
