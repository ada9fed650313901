import { join } from "node:path";
import { build } from "tsup";

/**
 * Node 20 cannot run our TypeScript, so tests that need the harness in a SEPARATE process
 * (resume in a new process, exit hook) bundle it into one ESM file first (~100 ms).
 */
export async function bundleHarness(outDir: string): Promise<string> {
  await build({
    entry: { harness: join(import.meta.dirname, "bundle-entry.ts") },
    outDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    silent: true,
    dts: false,
    sourcemap: false,
    clean: false,
    noExternal: [/.*/],
    define: { __GENESIS_VERSION__: JSON.stringify("0.0.0-test") },
    esbuildOptions(options) {
      options.conditions = ["@genesis/source"];
    },
    config: false,
  });
  return join(outDir, "harness.js");
}
