#!/usr/bin/env node
// Turn overhead: 200 agent turns through Genesis (createAgent: config + auth read, route
// resolution, JSONL session, request shaping, SSE transport, event normalization) versus the
// SAME request bodies sent through the official `openai` client (responses.create, stream:true),
// both against one in-process emulator, in one run. Blocks of turns alternate between the two
// so machine drift hits both alike (block size 1: each Genesis turn is followed by the same
// request through the official client). Both use SSE (the official client has no WebSocket mode for
// Responses streaming by default). Spec validation is off in the emulator so server work is small
// and client overhead is what the ratio shows. Target: Genesis <= 1.1x.
// Writes bench/results/turn-overhead.json. Needs built packages (pnpm build).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const TURNS = Number(process.env.BENCH_TURNS ?? 200);
const BLOCK = 1;
const WARMUP = 10;
const dist = (pkg) => import(pathToFileURL(join(root, "packages", pkg, "dist", "index.js")).href);
const { startEmulator } = await dist("testkit");
const { createAgent } = await dist("runtime");
const OpenAI = createRequire(join(root, "packages", "openai", "package.json"))("openai").default;

const emu = await startEmulator({ validate: false });
const home = await mkdtemp(join(tmpdir(), "genesis-bench-"));
await writeFile(join(home, "genesis.json5"), JSON.stringify({
  models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
  agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { transport: "sse" } } } } },
}));
const KEY = "sk-bench-0123456789";
const agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
const client = new OpenAI({ apiKey: KEY, baseURL: emu.apiBase, maxRetries: 0 });

const now = () => Number(process.hrtime.bigint()) / 1e6;
const bodies = [];
emu.requests.length = 0;

async function genesisTurns(sessionId, from, to, sink) {
  for (let i = from; i < to; i++) {
    const t0 = now();
    const result = await agent.run(`turn ${i}: tell me something`, { sessionId });
    if (result.outcome !== "completed") throw new Error(`genesis turn ${i}: ${result.outcome} ${result.done.reason ?? ""}`);
    sink?.push(now() - t0);
    const req = emu.requests.filter((r) => r.path === "/v1/responses").at(-1);
    bodies.push(req.body);
    emu.requests.length = 0;
  }
}
async function openaiTurns(list, sink) {
  for (const body of list) {
    const t0 = now();
    const { stream: _s, ...rest } = body;
    const stream = await client.responses.create({ ...rest, stream: true });
    let done = false;
    for await (const event of stream) if (event.type === "response.completed") done = true;
    if (!done) throw new Error("openai client: no response.completed");
    sink?.push(now() - t0);
    emu.requests.length = 0;
  }
}

// Warm-up (JIT, sockets, spec of the emulator) on a separate session, not measured.
const warm = await agent.createSession();
await genesisTurns(warm.id, 0, WARMUP);
await openaiTurns(bodies.splice(0));

const session = await agent.createSession();
const g = [];
const o = [];
for (let from = 0; from < TURNS; from += BLOCK) {
  const to = Math.min(TURNS, from + BLOCK);
  await genesisTurns(session.id, from, to, g);
  await openaiTurns(bodies.splice(0), o);
}
await agent.close();
await emu.close();
await rm(home, { recursive: true, force: true });

const sum = (a) => a.reduce((x, y) => x + y, 0);
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
const stats = (a) => ({ totalMs: +sum(a).toFixed(1), meanMs: +(sum(a) / a.length).toFixed(3), p50Ms: +pct(a, 50).toFixed(3), p95Ms: +pct(a, 95).toFixed(3) });
const result = {
  bench: "turn-overhead",
  date: new Date().toISOString(),
  node: process.version,
  turns: TURNS,
  transport: "sse",
  emulatorValidation: false,
  genesis: stats(g),
  openaiClient: stats(o),
  ratio: +(sum(g) / sum(o)).toFixed(3),
  ratioP50: +(pct(g, 50) / pct(o, 50)).toFixed(3),
  target: 1.1,
};
result.pass = result.ratio <= result.target;
await writeFile(join(here, "results", "turn-overhead.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `turn-overhead: ${TURNS} turns, Genesis ${result.genesis.meanMs} ms/turn vs openai client ${result.openaiClient.meanMs} ms/turn; ` +
    `ratio ${result.ratio}x (p50 ${result.ratioP50}x, target <= ${result.target}x) ${result.pass ? "PASS" : "FAIL"}\n`,
);
