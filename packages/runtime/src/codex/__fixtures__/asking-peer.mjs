#!/usr/bin/env node
// A minimal JSON-RPC peer standing in for a server that asks the client something.
// On any client request it replies {ok:true}; it then sends the server request named in
// PEER_ASK (default an unknown method) and reports the client's answer back as an "echo"
// notification. With PEER_SILENT=1 it never answers anything (timeout tests).
import { createInterface } from "node:readline";

const rl = createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
const silent = process.env.PEER_SILENT === "1";
rl.on("line", (line) => {
  const msg = JSON.parse(line);
  if (silent) return;
  if (msg.method && msg.id !== undefined) {
    send({ id: msg.id, result: { ok: true, method: msg.method } });
    if (msg.method === "ask") send({ id: "srv-1", method: process.env.PEER_ASK ?? "genesis/unknownThing", params: msg.params ?? {} });
  } else if (msg.id === "srv-1") {
    send({ method: "echo", params: msg });
  }
});
rl.on("close", () => process.exit(0));
