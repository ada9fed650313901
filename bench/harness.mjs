#!/usr/bin/env node
// Resident memory of ONE Codex app-server serving 1, 5 and 20 sessions (threads), each having
// run one turn against the loopback emulator. The peer is the same binary serving one session,
// measured in the same run: target = the 20-session RSS under 2x the 1-session RSS.
// RSS is VmRSS from /proc/<pid>/status (Linux), read after the turns settle; VmHWM (peak) too.
//
// Imports built packages: run `npx turbo run build` (or `pnpm bench`) first.
// Usage: node bench/harness.mjs [counts=1,5,20]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { startEmulator } = await import(join(here, "../packages/testkit/dist/index.js"));
const { CodexAppServerClient, CODEX_VERSION } = await import(join(here, "../packages/runtime/dist/index.js"));

const COUNTS = (process.argv[2] ?? "1,5,20").split(",").map(Number);
const TARGET = 2;
const KEY = "sk-bench-harness-000000000000";

function memKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

// One turn per thread replays nothing, so every body is validated against the official spec.
const emu = await startEmulator();
const scratch = mkdtempSync(join(tmpdir(), "genesis-bench-harness-"));
const rows = [];
try {
  for (const sessions of COUNTS) {
    const cwd = join(scratch, `work-${sessions}`);
    mkdirSync(cwd, { recursive: true });
    const client = new CodexAppServerClient({
      codexHome: join(scratch, `codex-home-${sessions}`),
      endpoint: { baseUrl: emu.apiBase, apiKey: KEY, requestMaxRetries: 0, streamMaxRetries: 0 },
    });
    const t0 = performance.now();
    try {
      const settings = { cwd, model: "gpt-5.4", developerInstructions: "bench" };
      const threads = [];
      for (let i = 0; i < sessions; i++) threads.push(await client.startThread(settings));
      // One turn per session, all in flight together, as concurrent chats would be.
      await Promise.all(
        threads.map(async (threadId, i) => {
          for await (const event of client.runTurn({ threadId, text: `session ${i}: hello`, settings })) void event;
        }),
      );
      await new Promise((r) => setTimeout(r, 500)); // let allocators settle
      const mem = memKiB(client.pid);
      rows.push({ sessions, rssKiB: mem.rss, peakKiB: mem.hwm, ms: Math.round(performance.now() - t0) });
      process.stdout.write(`${String(sessions).padStart(3)} session(s): RSS ${(mem.rss / 1024).toFixed(1)} MiB, peak ${(mem.hwm / 1024).toFixed(1)} MiB\n`);
    } finally {
      await client.close();
    }
  }
} finally {
  await emu.close();
  rmSync(scratch, { recursive: true, force: true });
}

const base = rows.find((r) => r.sessions === 1) ?? rows[0];
for (const row of rows) row.ratio = Number((row.rssKiB / base.rssKiB).toFixed(2));
const top = rows.at(-1);
const result = {
  bench: "harness",
  date: new Date().toISOString(),
  node: process.version,
  codex: CODEX_VERSION,
  metric: "VmRSS of the codex app-server process after one turn per session",
  target: `RSS(${top.sessions} sessions) < ${TARGET}x RSS(${base.sessions} session)`,
  ratio: top.ratio,
  ok: top.ratio < TARGET,
  rows,
};
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "harness.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`ratio ${top.sessions}/${base.sessions}: ${top.ratio}x (target < ${TARGET}x) ${result.ok ? "OK" : "MISSED"}\n`);
process.exitCode = result.ok ? 0 : 1;
