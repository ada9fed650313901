#!/usr/bin/env node
// Regenerates packages/runtime/protocol/ from the pinned @openai/codex binary:
//   node scripts/codex-protocol.mjs            (or: pnpm --filter @genesis/runtime codex:protocol)
// The drift test (src/codex/protocol-drift.test.ts) fails when the committed files differ.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = { "linux-x64": ["x86_64-unknown-linux-musl", "linux-x64"], "linux-arm64": ["aarch64-unknown-linux-musl", "linux-arm64"],
  "darwin-x64": ["x86_64-apple-darwin", "darwin-x64"], "darwin-arm64": ["aarch64-apple-darwin", "darwin-arm64"] }[`${process.platform}-${process.arch}`];
const codexPkg = createRequire(join(root, "package.json")).resolve("@openai/codex/package.json");
const platformPkg = createRequire(codexPkg).resolve(`@openai/codex-${target[1]}/package.json`);
const bin = process.env.GENESIS_CODEX_BIN || join(dirname(platformPkg), "vendor", target[0], "bin", "codex");
const home = mkdtempSync(join(tmpdir(), "genesis-codex-gen-"));
const out = join(home, "out");
const r = spawnSync(bin, ["app-server", "generate-ts", "--out", out], { env: { ...process.env, CODEX_HOME: home }, stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);
rmSync(join(root, "protocol"), { recursive: true, force: true });
cpSync(out, join(root, "protocol"), { recursive: true });
rmSync(home, { recursive: true, force: true });
console.log(`protocol/ regenerated from ${bin}`);
