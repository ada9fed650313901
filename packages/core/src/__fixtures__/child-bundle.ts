import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Bundle a TypeScript child-process script (and the sources it imports) into one .mjs file,
 * so multi-process tests run the real source without a package build. esbuild is reached
 * through tsup, which already depends on it.
 */
export async function bundleForChild(entry: string): Promise<string> {
  const requireFromTsup = createRequire(createRequire(import.meta.url).resolve("tsup"));
  const esbuild = requireFromTsup("esbuild") as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const outfile = join(mkdtempSync(join(tmpdir(), "genesis-child-")), "child.mjs");
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
  return outfile;
}
