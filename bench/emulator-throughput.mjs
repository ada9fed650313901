#!/usr/bin/env node
// Emulator SSE throughput: how many Responses stream events per second @genesis/testkit
// delivers over loopback for one 10,000-event stream, so it never becomes the bottleneck of
// our other benchmarks. Peer (same run, same client code): a bare node:http server that sends
// the identical bytes with one res.end(), i.e. the loopback ceiling. We report both and the ratio.
// Clients: (1) raw TCP socket that only counts bytes, (2) raw socket + minimal line splitter
// counting `data:` lines (what a cheap SSE parser must at least do).
// Usage: node bench/emulator-throughput.mjs [events=10000] [runs=7]   (needs `pnpm build` first)
import { writeFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { startEmulator } = await import(join(here, "../packages/testkit/dist/index.js"));
const EVENTS = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);
const body = JSON.stringify({ model: "gpt-5.4", input: "benchmark", stream: true });

/** One request over a fresh socket; `onData` sees every chunk. Resolves with ms from write to end. */
function request(port, path, headers, onData) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    const t0 = process.hrtime.bigint();
    sock.on("data", onData);
    sock.on("end", () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    sock.on("error", reject);
    sock.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer sk-bench\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${headers}\r\n${body}`);
  });
}

const counters = {
  "raw bytes": () => {
    let bytes = 0;
    return { onData: (c) => (bytes += c.length), result: () => ({ bytes, events: undefined }) };
  },
  "line splitter": () => {
    let bytes = 0;
    let events = 0;
    let tail = "";
    return {
      onData: (c) => {
        bytes += c.length;
        const text = tail + c.toString("latin1");
        let start = 0;
        for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
          if (text.startsWith("data: ", start)) events++;
          start = nl + 1;
        }
        tail = text.slice(start);
      },
      result: () => ({ bytes, events }),
    };
  },
};

async function measure(label, port, path, prepare) {
  const rows = [];
  for (const [client, make] of Object.entries(counters)) {
    const times = [];
    let last;
    for (let i = 0; i < RUNS + 2; i++) {
      prepare();
      const c = make();
      const ms = await request(port, path, "", c.onData);
      if (i >= 2) times.push(ms); // two warm-up runs (JIT, validator compile)
      last = c.result();
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    rows.push({ server: label, client, events: last.events ?? framesSeen, bytes: last.bytes, medianMs: +median.toFixed(2), eventsPerSec: Math.round(framesSeen / (median / 1000)) });
  }
  return rows;
}

const emu = await startEmulator();
// Capture the emulator's exact bytes once: the peer serves them, and rates use the real frame count.
emu.script({ text: "bench", events: EVENTS });
const res = await fetch(`${emu.apiBase}/responses`, { method: "POST", headers: { authorization: "Bearer sk-bench", "content-type": "application/json" }, body });
const payload = Buffer.from(await res.arrayBuffer());
const framesSeen = payload.toString().split("\n\n").filter((b) => b.startsWith("event:")).length;
const emuRows = await measure("emulator", emu.port, "/v1/responses", () => emu.script({ text: "bench", events: EVENTS }));
await emu.close();
const peer = createServer((req, r) => {
  req.resume();
  req.on("end", () => {
    r.writeHead(200, { "content-type": "text/event-stream" });
    r.end(payload);
  });
});
await new Promise((r) => peer.listen(0, "127.0.0.1", r));
const peerRows = await measure("bare node:http (same bytes)", peer.address().port, "/v1/responses", () => {});
peer.close();

const rows = [...emuRows, ...peerRows];
for (const row of emuRows) {
  const p = peerRows.find((x) => x.client === row.client);
  row.ratioToPeer = +(row.eventsPerSec / p.eventsPerSec).toFixed(3);
}
console.log(`Emulator SSE throughput: ${EVENTS} requested events (${framesSeen} frames, ${payload.length} bytes), median of ${RUNS} runs`);
console.log(`${"server".padEnd(30)}${"client".padEnd(16)}${"ms".padStart(9)}${"events/s".padStart(12)}${"ratio".padStart(8)}`);
for (const r of rows) console.log(`${r.server.padEnd(30)}${r.client.padEnd(16)}${String(r.medianMs).padStart(9)}${String(r.eventsPerSec).padStart(12)}${(r.ratioToPeer === undefined ? "" : String(r.ratioToPeer)).padStart(8)}`);
const target = 200_000;
const worst = Math.min(...emuRows.map((r) => r.eventsPerSec));
console.log(`target > ${target} events/s: ${worst > target ? "met" : "NOT met"} (worst emulator row ${worst})`);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results/emulator-throughput.json"),
  `${JSON.stringify({ bench: "emulator-throughput", date: new Date().toISOString(), node: process.version, events: EVENTS, frames: framesSeen, bytes: payload.length, runs: RUNS, target, targetMet: worst > target, rows }, null, 2)}\n`,
);
