// Embed a Genesis agent in your own app: register a tool, run a turn, read the session status.
// Runs against the bundled emulator, so it needs no key: `pnpm build && node examples/basic/index.js`.
// Against the real API, drop the emulator and the baseUrl override and set OPENAI_API_KEY.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRoute } from "@genesis/core";
import { createAgent } from "@genesis/runtime";
import { startEmulator } from "@genesis/testkit";

const emu = await startEmulator();
const home = mkdtempSync(join(tmpdir(), "genesis-example-"));
const config = { models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } } };
writeFileSync(join(home, "genesis.json5"), JSON.stringify(config));

// Routing is pure: the same answer `genesis models route` prints.
const route = resolveRoute({ ref: "openai/gpt-5.4", config, auth: { apiKeys: { openai: { source: "env" } }, oauth: {} } });
console.log(`route: ${route.provider} via ${route.endpointClass}, runtime ${route.runtimeLabel}, transport ${route.transport}`);

const agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: "sk-example-0000000000" } });
agent.tools.register({
  name: "lookup_order",
  description: "Look up an order's delivery status by id",
  parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
  execute: ({ id }) => JSON.stringify({ id, status: "shipped", eta: "Tuesday" }),
});

// Script the emulator's model: first call the tool, then answer from its result.
emu.script({ toolCalls: [{ name: "lookup_order", arguments: { id: "A-1001" } }] }, (body) => {
  const result = body.input.findLast((item) => item.type === "function_call_output");
  return { text: `Order A-1001: ${result?.output}` };
});

try {
  const result = await agent.run("Where is order A-1001?", {
    onEvent: (event) => {
      if (event.type === "text.delta") process.stdout.write(event.delta);
    },
  });
  const status = await agent.status(result.sessionId);
  console.log(`\noutcome: ${result.outcome}; runtime: ${status.runtimeLabel}; tokens: ${status.usage.total.total}`);
} finally {
  await agent.close();
  await emu.close();
  rmSync(home, { recursive: true, force: true });
}
