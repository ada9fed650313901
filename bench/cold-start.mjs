#!/usr/bin/env node
// Cold start of the built CLI as a ratio to bare Node (`node -e 0`), measured in the same
// run: every round spawns each command once, in interleaved order, so machine load hits all
// of them alike; the median per command is compared. Targets (issue #2):
//   genesis --help        <= 1.5x node -e 0
//   genesis models list   <= 2.5x node -e 0   (skipped if the command is not registered)
// Usage: node bench/cold-start.mjs [rounds]   (default 25; needs `pnpm build` first)
// Writes bench/results/cold-start.json. Exit code 1 when a target is missed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "apps", "cli", "dist", "genesis.js");
const rounds = Number(process.argv[2] ?? 25);

if (!existsSync(cli)) {
  console.error(`cold-start: ${cli} is missing; run \`pnpm build\` first`);
  process.exit(1);
}

// An empty GENESIS_HOME: no config, no credentials, no developer keys from the environment.
const home = mkdtempSync(join(tmpdir(), "genesis-bench-"));
const env = { PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home };

const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8", env });
const hasModelsList = /^\s+models list\b/m.test(help.stdout);

const cases = [
  { name: "node -e 0", args: ["-e", "0"], target: undefined },
  { name: "genesis --help", args: [cli, "--help"], target: 1.5 },
  ...(hasModelsList ? [{ name: "genesis models list", args: [cli, "models", "list"], target: 2.5 }] : []),
];

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const samples = new Map(cases.map((c) => [c.name, []]));
try {
  // Warm the OS file cache once so round 1 is not an outlier for whichever case runs first.
  for (const c of cases) timeOnce(c.args);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no case always runs right after another.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length];
      samples.get(c.name).push(timeOnce(c.args));
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

const baseline = median(samples.get("node -e 0"));
const rows = cases.map((c) => {
  const ms = median(samples.get(c.name));
  const ratio = ms / baseline;
  return { name: c.name, medianMs: Number(ms.toFixed(1)), ratio: Number(ratio.toFixed(2)), target: c.target ?? null, ok: c.target === undefined || ratio <= c.target };
});

console.log(`cold start, median of ${rounds} interleaved runs (node ${process.version}, baseline node -e 0 = ${baseline.toFixed(1)} ms)`);
console.log(`${"command".padEnd(22)}${"median ms".padStart(10)}${"ratio".padStart(8)}${"target".padStart(8)}  result`);
for (const r of rows) {
  const target = r.target === null ? "-" : `<=${r.target}x`;
  console.log(`${r.name.padEnd(22)}${r.medianMs.toFixed(1).padStart(10)}${`${r.ratio.toFixed(2)}x`.padStart(8)}${target.padStart(8)}  ${r.target === null ? "baseline" : r.ok ? "ok" : "MISSED"}`);
}
if (!hasModelsList) console.log("genesis models list: not registered in this build; skipped");

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "cold-start.json"),
  `${JSON.stringify({ bench: "cold-start", date: new Date().toISOString(), node: process.version, rounds, baselineMs: Number(baseline.toFixed(1)), rows }, null, 2)}\n`,
);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
