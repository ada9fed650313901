#!/usr/bin/env node
// Transport throughput and warm-turn latency, as ratios against peers measured in the same run.
//
// 1. The same N-event Responses stream (the emulator's scripted `events` padding) consumed by
//    (a) Genesis SSE, (b) Genesis WebSocket, (c) the official `openai` client's streaming,
//    (d) a raw socket read that only counts bytes, and (e) a bare `ws` client that only counts
//    frames (the floor of the WebSocket path), and (f) the JSON floor: node:http + a naive
//    blank-line split + JSON.parse per event, the least work any validating client can do. Median of RUNS interleaved rounds, with the
//    client's own CPU time per run (wall-time ratios swing with machine load; CPU does not).
//    Targets: Genesis SSE >= 2x the official client, and within 1.5x of the raw read.
// 2. Time to first event of a second turn on a warm WebSocket vs an SSE request (fresh
//    connection, and keep-alive), through a loopback proxy adding 10 ms each way (20 ms per
//    round trip, plus one round trip for each new TCP connection).
//
// Imports built packages: run `npx turbo run build` (or `pnpm bench`) first.
// Usage: node bench/transport.mjs [events=100000] [runs=3]
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { createResponsesTransport } = await import(join(here, "../packages/transport/dist/index.js"));
const { default: OpenAI } = await import(join(here, "../packages/transport/node_modules/openai/index.mjs"));
const { default: WebSocket } = await import(join(here, "../packages/transport/node_modules/ws/wrapper.mjs"));

const EVENTS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);
const KEY = "sk-bench-0000000000000000";
const BODY = { model: "gpt-5.4", input: "bench" };
const ONE_WAY_MS = 10;

// The emulator runs in its own process so its work does not share the client's thread.
const child = fork(join(here, "_emulator-child.mjs"), { stdio: "inherit" });
const [info] = await once(child, "message");
const emu = {
  port: info.port,
  apiBase: info.apiBase,
  async script(turn) {
    child.send({ script: turn });
    await once(child, "message");
  },
  close() {
    child.send("close");
    return once(child, "exit");
  },
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function genesis(mode) {
  const t = createResponsesTransport({ baseUrl: emu.apiBase, headers: { authorization: `Bearer ${KEY}` }, mode, heartbeatMs: 0 });
  await emu.script({ events: EVENTS });
  const start = performance.now();
  let events = 0;
  for await (const e of t.stream(BODY, { sessionId: `bench-${mode}` })) if (e.type) events++;
  const ms = performance.now() - start;
  t.close();
  return { ms, events };
}

async function official() {
  const client = new OpenAI({ apiKey: KEY, baseURL: emu.apiBase, maxRetries: 0 });
  await emu.script({ events: EVENTS });
  const start = performance.now();
  let events = 0;
  const stream = await client.responses.create({ ...BODY, stream: true });
  for await (const e of stream) if (e.type) events++;
  return { ms: performance.now() - start, events };
}

async function raw() {
  await emu.script({ events: EVENTS });
  const body = JSON.stringify({ ...BODY, stream: true });
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let bytes = 0;
    const socket = connect(emu.port, "127.0.0.1", () => {
      socket.write(
        `POST /v1/responses HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${KEY}\r\ncontent-type: application/json\r\n` +
          `accept: text/event-stream\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    socket.on("data", (chunk) => (bytes += chunk.length));
    socket.on("end", () => resolve({ ms: performance.now() - start, bytes }));
    socket.on("error", reject);
  });
}

// The floor of any client that validates each event: node:http, a naive split on blank lines
// and one JSON.parse per event, with no typed events, no errors, no backpressure. Whatever a
// JSON-validating SSE client does, it cannot go below this on the same machine and Node.
async function jsonFloor() {
  await emu.script({ events: EVENTS });
  const body = JSON.stringify({ ...BODY, stream: true });
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let events = 0;
    let rest = "";
    const req = httpRequest(`${emu.apiBase}/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    req.on("response", (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        const text = rest + chunk;
        let from = 0;
        for (;;) {
          const end = text.indexOf("\n\n", from);
          if (end < 0) break;
          const data = text.indexOf("data: ", from);
          if (data >= 0 && data < end && JSON.parse(text.slice(data + 6, end)).type) events++;
          from = end + 2;
        }
        rest = text.slice(from);
      });
      res.on("end", () => resolve({ ms: performance.now() - start, events }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// A bare `ws` client that only counts frames: the floor for the WebSocket path.
async function rawWebSocket() {
  await emu.script({ events: EVENTS });
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${emu.apiBase.replace(/^http/, "ws")}/responses`, { headers: { authorization: `Bearer ${KEY}` }, perMessageDeflate: false });
    let frames = 0;
    ws.on("open", () => ws.send(JSON.stringify({ type: "response.create", ...BODY })));
    ws.on("message", (data) => {
      frames++;
      // The event type comes first in every frame; look only there.
      if (data.subarray(0, 48).includes('"response.completed"')) {
        resolve({ ms: performance.now() - start, frames });
        ws.close();
      }
    });
    ws.on("error", reject);
  });
}

// ---- 1. throughput ----
const consumers = {
  "genesis-sse": () => genesis("sse"),
  "genesis-websocket": () => genesis("websocket"),
  "openai-client": official,
  "raw-socket": raw,
  "json-floor": jsonFloor,
  "raw-websocket": rawWebSocket,
};
const samples = Object.fromEntries(Object.keys(consumers).map((k) => [k, []]));
await official(); // warm-up round (JIT, spec validator, connection pool), not counted
await genesis("sse");
for (let run = 0; run < RUNS; run++) {
  for (const [name, fn] of Object.entries(consumers)) {
    // Client CPU (this process only; the emulator runs in its own): unlike wall time it does
    // not depend on how busy the machine is, so it shows the per-event cost directly.
    const cpu = process.cpuUsage();
    const sample = await fn();
    const used = process.cpuUsage(cpu);
    samples[name].push({ ...sample, cpuMs: (used.user + used.system) / 1000 });
  }
}
const wireEvents = median(samples["openai-client"].map((s) => s.events));
const rows = Object.entries(samples).map(([name, list]) => {
  const ms = median(list.map((s) => s.ms));
  const cpuMs = median(list.map((s) => s.cpuMs));
  return { consumer: name, medianMs: Math.round(ms * 10) / 10, clientCpuMs: Math.round(cpuMs), eventsPerSec: Math.round(wireEvents / (ms / 1000)), delivered: list[0].events ?? undefined, bytes: list[0].bytes ?? undefined };
});
const by = Object.fromEntries(rows.map((r) => [r.consumer, r]));
const sseVsOfficial = by["genesis-sse"].eventsPerSec / by["openai-client"].eventsPerSec;
const sseVsRaw = by["genesis-sse"].medianMs / by["raw-socket"].medianMs;
const floorVsRaw = by["json-floor"].medianMs / by["raw-socket"].medianMs;
const sseVsFloor = by["genesis-sse"].medianMs / by["json-floor"].medianMs;
const wsVsOfficial = by["genesis-websocket"].eventsPerSec / by["openai-client"].eventsPerSec;
const wsVsRawWs = by["genesis-websocket"].medianMs / by["raw-websocket"].medianMs;
const sseCpuVsOfficialCpu = by["openai-client"].clientCpuMs / by["genesis-sse"].clientCpuMs;

// ---- 2. time to first event with 20 ms per round trip ----
function delayProxy(targetPort) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pause();
    // A new TCP connection costs one extra round trip before any byte flows.
    setTimeout(() => client.resume(), 2 * ONE_WAY_MS);
    const relay = (from, to) => from.on("data", (d) => setTimeout(() => to.write(d), ONE_WAY_MS));
    relay(client, upstream);
    relay(upstream, client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ port: server.address().port, close: () => { for (const s of sockets) s.destroy(); server.close(); } }),
    ),
  );
}

async function firstEventMs(transport, sessionId) {
  await emu.script({ text: "ttfe" });
  const start = performance.now();
  let first;
  for await (const e of transport.stream(BODY, { sessionId })) first ??= performance.now() - start;
  return first;
}

const TURNS = 9;
const ttfe = { "websocket-warm-second-turn": [], "sse-fresh-connection": [], "sse-keep-alive": [] };
{
  const proxy = await delayProxy(emu.port);
  const ws = createResponsesTransport({ baseUrl: `http://127.0.0.1:${proxy.port}/v1`, headers: { authorization: `Bearer ${KEY}` }, mode: "websocket", heartbeatMs: 0 });
  await ws.warm("ttfe", BODY);
  await firstEventMs(ws, "ttfe"); // first turn; the measured ones are the following turns
  for (let i = 0; i < TURNS; i++) ttfe["websocket-warm-second-turn"].push(await firstEventMs(ws, "ttfe"));
  ws.close();
  const keep = createResponsesTransport({ baseUrl: `http://127.0.0.1:${proxy.port}/v1`, headers: { authorization: `Bearer ${KEY}` }, mode: "sse" });
  await firstEventMs(keep, "ka");
  for (let i = 0; i < TURNS; i++) ttfe["sse-keep-alive"].push(await firstEventMs(keep, "ka"));
  proxy.close();
  for (let i = 0; i < TURNS; i++) {
    // A new proxy port is a new origin, so fetch cannot reuse a pooled connection.
    const p = await delayProxy(emu.port);
    const fresh = createResponsesTransport({ baseUrl: `http://127.0.0.1:${p.port}/v1`, headers: { authorization: `Bearer ${KEY}` }, mode: "sse" });
    ttfe["sse-fresh-connection"].push(await firstEventMs(fresh, "fresh"));
    p.close();
  }
}
const ttfeRows = Object.entries(ttfe).map(([name, xs]) => ({ case: name, medianMs: Math.round(median(xs) * 10) / 10 }));
await emu.close();

const result = {
  bench: "transport",
  date: new Date().toISOString(),
  node: process.version,
  events: EVENTS,
  wireEvents,
  runs: RUNS,
  throughput: rows,
  ratios: {
    genesisSseVsOpenaiClient: Math.round(sseVsOfficial * 100) / 100,
    genesisWebsocketVsOpenaiClient: Math.round(wsVsOfficial * 100) / 100,
    genesisSseTimeVsRawRead: Math.round(sseVsRaw * 100) / 100,
    jsonFloorTimeVsRawRead: Math.round(floorVsRaw * 100) / 100,
    genesisSseTimeVsJsonFloor: Math.round(sseVsFloor * 100) / 100,
    genesisWebsocketTimeVsRawWebsocket: Math.round(wsVsRawWs * 100) / 100,
    openaiClientCpuVsGenesisSseCpu: Math.round(sseCpuVsOfficialCpu * 100) / 100,
  },
  loadAverage: (await import("node:os")).loadavg().map((x) => Math.round(x * 10) / 10),
  targets: { sseAtLeast2xOfficial: sseVsOfficial >= 2, sseWithin1_5xOfRaw: sseVsRaw <= 1.5 },
  timeToFirstEvent: { oneWayDelayMs: ONE_WAY_MS, turns: TURNS, rows: ttfeRows },
};
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "transport.json"), `${JSON.stringify(result, null, 2)}\n`);
console.table(rows);
console.table(ttfeRows);
console.log(JSON.stringify(result.ratios), JSON.stringify(result.targets));
