#!/usr/bin/env node
// Runs every benchmark in this folder, one after another (they share 2 cores; never in
// parallel), and prints each one's summary. Each bench writes bench/results/<name>.json.
// Usage: pnpm bench [name ...]   e.g. pnpm bench cold-start transport
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && !f.startsWith("_"))
  .map((f) => f.slice(0, -4))
  .filter((name) => wanted.length === 0 || wanted.includes(name));

let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== bench: ${name} ===\n`);
  const result = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`bench ${name} exited with ${result.status}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
