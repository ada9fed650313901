// Child process for the "resume in a new process" test: a fresh host with its own app-server
// runs one turn on a session whose runner state (the Codex thread id) was recorded earlier.
// argv: <bundle> <json options>; prints every AgentEvent as one JSON line, then the app-server pid.
const [bundle, json] = process.argv.slice(2);
const { createCodexTurnRunner } = await import(bundle);
const o = JSON.parse(json);
const runner = createCodexTurnRunner({ codexHome: o.codexHome, endpoint: o.endpoint });
for await (const event of runner.runTurn({
  sessionId: o.sessionId,
  turnId: "turn-child",
  route: { ref: `openai/${o.model}`, provider: "openai", model: o.model, runtime: "codex" },
  message: o.message,
  instructions: o.instructions,
  history: [],
  tools: [],
  params: {},
  runnerState: o.runnerState,
  cwd: o.cwd,
})) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}
process.stdout.write(`${JSON.stringify({ type: "pid", pid: runner.client.pid })}\n`);
await runner.close();
