#!/usr/bin/env node
// Cold start of the built CLI as a ratio to bare Node (`node -e 0`), measured in the same
// run: every round spawns each command once, in interleaved order, so machine load hits all
// of them alike; the median per command is compared. Targets (issue #2):
//   genesis --help        <= 1.5x node -e 0
//   genesis models list   <= 2.5x node -e 0   (fresh home; skipped if the command is not registered)
// `models list (config)` runs against a home with a typical config file and is reported
// without a target: validating a real config loads the zod schema (see @genesis/core/lite).
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
// A second home with a typical config (a default model, no key, so no network): its
// `models list` has to load the zod schema to validate it. Reported, without a target.
const configuredHome = mkdtempSync(join(tmpdir(), "genesis-bench-conf-"));
writeFileSync(join(configuredHome, "genesis.json5"), '{ agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" } } } }\n');
const configuredEnv = { ...env, HOME: configuredHome, GENESIS_HOME: configuredHome };

const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8", env });
const hasModelsList = /^\s+models list\b/m.test(help.stdout);

const cases = [
  { name: "node -e 0", args: ["-e", "0"], target: undefined },
  { name: "genesis --help", args: [cli, "--help"], target: 1.5 },
  ...(hasModelsList
    ? [
        { name: "genesis models list", args: [cli, "models", "list"], target: 2.5 },
        { name: "models list (config)", args: [cli, "models", "list"], target: undefined, env: configuredEnv },
      ]
    : []),
];

function timeOnce(args, caseEnv = env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: caseEnv, stdio: ["ignore", "ignore", "pipe"] });
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
  for (const c of cases) timeOnce(c.args, c.env);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no case always runs right after another.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length];
      samples.get(c.name).push(timeOnce(c.args, c.env));
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
  rmSync(configuredHome, { recursive: true, force: true });
}

const baseline = median(samples.get("node -e 0"));
const rows = cases.map((c) => {
  const ms = median(samples.get(c.name));
  const ratio = ms / baseline;
  return { name: c.name, medianMs: Number(ms.toFixed(1)), ratio: Number(ratio.toFixed(2)), target: c.target ?? null, ok: c.target === undefined || ratio <= c.target, ...(c.env ? { home: "config with a default model" } : {}) };
});

console.log(`cold start, median of ${rounds} interleaved runs (node ${process.version}, baseline node -e 0 = ${baseline.toFixed(1)} ms)`);
console.log(`${"command".padEnd(22)}${"median ms".padStart(10)}${"ratio".padStart(8)}${"target".padStart(8)}  result`);
for (const r of rows) {
  const target = r.target === null ? "-" : `<=${r.target}x`;
  const result = r.name === "node -e 0" ? "baseline" : r.target === null ? "info" : r.ok ? "ok" : "MISSED";
  console.log(`${r.name.padEnd(22)}${r.medianMs.toFixed(1).padStart(10)}${`${r.ratio.toFixed(2)}x`.padStart(8)}${target.padStart(8)}  ${result}`);
}
if (!hasModelsList) console.log("genesis models list: not registered in this build; skipped");

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "cold-start.json"),
  `${JSON.stringify({ bench: "cold-start", date: new Date().toISOString(), node: process.version, rounds, baselineMs: Number(baseline.toFixed(1)), rows }, null, 2)}\n`,
);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
