#!/usr/bin/env node
// A JSON-RPC peer standing in for an app-server's model catalog. PEER_CATALOG picks the
// `model/list` answer: "paged" (two pages), "malformed" (wrong shape), "error" (JSON-RPC error)
// or "endless" (always another cursor), "fail-once" (an error, then "paged"). Every request is
// echoed back as a "seen" notification and, when PEER_LOG names a file, appended to it (a
// CodexAppServerClient ignores unknown notifications). Started as a codex binary it ignores args.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

const rl = createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
const model = (id, tiers) => ({ id, model: id, displayName: id, serviceTiers: tiers.map((t) => ({ id: t, name: t, description: "" })) });
let lists = 0;
rl.on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.id === undefined || !msg.method) return;
  send({ method: "seen", params: { method: msg.method, params: msg.params } });
  if (process.env.PEER_LOG) appendFileSync(process.env.PEER_LOG, `${msg.method}\n`);
  if (msg.method !== "model/list") return send({ id: msg.id, result: {} });
  const mode = process.env.PEER_CATALOG;
  lists++;
  if (mode === "error" || (mode === "fail-once" && lists === 1)) return send({ id: msg.id, error: { code: -32601, message: "method not found" } });
  if (mode === "malformed") return send({ id: msg.id, result: { data: "gpt-5.5" } });
  if (mode === "endless") return send({ id: msg.id, result: { data: [], nextCursor: `c${Math.random()}` } });
  if (!msg.params?.cursor) return send({ id: msg.id, result: { data: [model("gpt-5.5", ["priority"])], nextCursor: "page-2" } });
  send({ id: msg.id, result: { data: [model("gpt-5.4", []), { id: "x-alias", model: "gpt-x", serviceTiers: null }], nextCursor: null } });
});
rl.on("close", () => process.exit(0));
