import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGpt5Overlay } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_PROMPT } from "../_turn-prep.js";
import { formatStatus } from "../agent-status.js";
import { createAgent, type Agent } from "../create-agent.js";
import { createCodexTurnRunner } from "./codex-turn-runner.js";
import { codexLeftUnder, isLive } from "./__fixtures__/process-state.js";

// The codex runtime wired the way an app (or the CLI) wires it: createAgent + the default
// connection resolver reading Genesis's config file and key. Real binary, emulator upstream.
const KEY = "sk-genesis-agent-codex-0123456789";
let emu: Emulator;
let home: string;
const pids: number[] = [];

beforeAll(async () => {
  // Validation stays on with reasoning on: the second turn replays a reasoning item with
  // `"content": null`, which the emulator accepts as a documented deviation (testkit
  // src/_spec-deviations.ts) because the real API accepts what Codex sends.
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-codex-agent-"));
  await mkdir(join(home, "work"), { recursive: true });
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, embeddedHarness: { runtime: "codex" } } },
  };
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
});
afterAll(async () => {
  await emu.close();
  for (const pid of pids) expect(isLive(pid)).toBe(false);
  expect(await codexLeftUnder(home)).toEqual([]);
  await rm(home, { recursive: true, force: true });
});

function newAgent(): { agent: Agent; runner: ReturnType<typeof createCodexTurnRunner> } {
  const env = { ...process.env, GENESIS_HOME: home, GENESIS_CONFIG: join(home, "genesis.json5"), OPENAI_API_KEY: KEY };
  const runner = createCodexTurnRunner({ env });
  return { agent: createAgent({ env, cwd: join(home, "work"), runners: { codex: runner } }), runner };
}

describe("embeddedHarness.runtime: codex through createAgent", () => {
  let sessionId: string;

  it("runs the session's turns in the app-server at the configured endpoint and records the thread", async () => {
    const { agent, runner } = newAgent();
    try {
      emu.script({ text: "Codex harness reply", reasoning: { summary: "Thinking it over." }, usage: { input: 300, cached: 100, output: 12, reasoning: 5 } });
      const result = await agent.run("Hello harness");
      sessionId = result.sessionId;
      pids.push(runner.client!.pid!);
      expect(result).toMatchObject({ outcome: "completed", text: "Codex harness reply" });
      expect(result.done.transport).toBe("app-server");
      // Reasoning streams through, and its tokens reach the normalized usage.
      expect(result.events.filter((e) => e.type === "reasoning.delta").map((e) => (e as { delta: string }).delta).join("")).toBe("Thinking it over.");
      expect(result.done.usage).toEqual({ input: 200, cacheRead: 100, output: 12, reasoning: 5, total: 312 });

      const req = emu.requests.find((r) => r.path === "/v1/responses")!;
      expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
      expect(req.headers.originator).toBe("genesis");
      const developer = JSON.stringify((req.body as any).input.filter((i: any) => i.role === "developer"));
      // Only the GPT-5 contract travels; Codex keeps its own prompt, not Genesis's base prompt.
      expect(developer).toContain(JSON.stringify(buildGpt5Overlay().behaviorContract).slice(1, 80));
      expect(developer).not.toContain(DEFAULT_SYSTEM_PROMPT.slice(0, 40));

      const record = await agent.store.get(sessionId);
      expect(record).toMatchObject({ runtime: "codex", harnessId: "codex-app-server", codexThreadId: expect.any(String) });
      const status = await agent.status(sessionId);
      expect(status.runtimeLabel).toBe("OpenAI Codex");
      expect(formatStatus(status)).toContain("Runtime: OpenAI Codex");

      // A second session is a second Codex thread in the SAME app-server process.
      const pid = runner.client!.pid;
      emu.script({ text: "Other session reply" });
      const other = await agent.run("A different session");
      expect(other.sessionId).not.toBe(sessionId);
      expect(other.text).toBe("Other session reply");
      expect(runner.client!.pid).toBe(pid);
      expect(runner.client!.starts).toBe(1);
      const otherThread = (await agent.store.get(other.sessionId))?.codexThreadId;
      expect(otherThread).toEqual(expect.any(String));
      expect(otherThread).not.toBe(record?.codexThreadId);
    } finally {
      await agent.close();
    }
  });

  it("resumes the recorded thread from a fresh agent (as after a restart of the host)", async () => {
    emu.reset();
    const { agent, runner } = newAgent();
    try {
      emu.script({ text: "Still the same thread" });
      const result = await agent.run("Do you remember?", { sessionId });
      pids.push(runner.client!.pid!);
      expect(result).toMatchObject({ outcome: "completed", text: "Still the same thread" });
      const replay = JSON.stringify((emu.requests.find((r) => r.path === "/v1/responses")!.body as any).input);
      expect(replay).toContain("Hello harness");
      expect(replay).toContain("Codex harness reply");
      expect(result.events.some((e) => e.type === "runner.state")).toBe(false);
    } finally {
      await agent.close();
    }
  });
});
