import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, type Agent } from "../create-agent.js";
import { createCodexTurnRunner, type CodexTurnRunner } from "./codex-turn-runner.js";
import { codexLeftUnder, isLive } from "./__fixtures__/process-state.js";

// The GPT-5 heartbeat guidance must reach the model on both runtimes: inside the Responses
// `instructions` on the Pi route, and as the Codex thread's developer instructions (which the
// real binary puts into the developer input) on the Codex harness. GPT-4.x gets none of it.
const KEY = "sk-genesis-heartbeat-0123456789";
const HEARTBEAT = /<heartbeat>\n(- [^\n]+\n)+<\/heartbeat>/;
let emu: Emulator;
let home: string;
const pids = new Set<number>();

async function useRuntime(runtime: "pi" | "codex"): Promise<void> {
  const params = { transport: "sse" };
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, embeddedHarness: { runtime }, models: { "openai/gpt-5.4": { params }, "openai/gpt-4.1": { params } } } },
  };
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

function newAgent(): { agent: Agent; runner: CodexTurnRunner } {
  const env = { ...process.env, GENESIS_HOME: home, GENESIS_CONFIG: join(home, "genesis.json5"), OPENAI_API_KEY: KEY };
  const runner = createCodexTurnRunner({ env, extraArgs: ["-c", 'model_reasoning_effort="none"'] });
  return { agent: createAgent({ env, cwd: join(home, "work"), runners: { codex: runner } }), runner };
}

async function firstRequest(model: string): Promise<{ instructions: string; developer: string; runtime: string }> {
  const { agent, runner } = newAgent();
  try {
    emu.reset();
    emu.script({ text: "ok" });
    const result = await agent.run("Refactor the parser in several steps", { model });
    if (runner.client?.pid) pids.add(runner.client.pid);
    expect(result.outcome).toBe("completed");
    const calls = emu.requests.filter((r) => r.path === "/v1/responses");
    expect(calls).toHaveLength(1);
    expect((calls[0]!.body as { model: string }).model).toBe(model.split("/")[1]);
    const body = calls[0]!.body as { instructions?: string; input: { role?: string; content?: { text?: string }[] }[] };
    const developer = body.input.filter((i) => i.role === "developer").flatMap((i) => i.content ?? []).map((c) => c.text ?? "").join("\n");
    return { instructions: body.instructions ?? "", developer, runtime: (await agent.store.get(result.sessionId))!.runtime };
  } finally {
    await agent.close();
  }
}

beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-heartbeat-"));
  await mkdir(join(home, "work"), { recursive: true });
});
afterAll(async () => {
  await emu.close();
  for (const pid of pids) expect(isLive(pid), `codex pid ${pid} still alive`).toBe(false);
  expect(await codexLeftUnder(home)).toEqual([]);
  await rm(home, { recursive: true, force: true });
});

describe("GPT-5 heartbeat overlay", () => {
  it("is in the Pi route's instructions for GPT-5 and absent for GPT-4.1", async () => {
    await useRuntime("pi");
    const gpt5 = await firstRequest("openai/gpt-5.4");
    expect(gpt5.runtime).toBe("pi");
    expect(gpt5.instructions).toMatch(HEARTBEAT);
    expect(gpt5.instructions).toContain("<gpt5_behavior_contract>");
    const gpt4 = await firstRequest("openai/gpt-4.1");
    expect(gpt4.instructions.length).toBeGreaterThan(0);
    expect(gpt4.instructions).not.toContain("<heartbeat>");
    expect(gpt4.instructions).not.toContain("<gpt5_behavior_contract>");
  });

  it("reaches the model through the Codex thread's developer instructions for GPT-5, not for GPT-4.1", async () => {
    await useRuntime("codex");
    const gpt5 = await firstRequest("openai/gpt-5.4");
    expect(gpt5.runtime).toBe("codex");
    expect(gpt5.developer).toMatch(HEARTBEAT);
    // Codex keeps its own base prompt; the heartbeat rides on top, not in place of it.
    expect(gpt5.instructions).not.toContain("<heartbeat>");
    const gpt4 = await firstRequest("openai/gpt-4.1");
    expect(gpt4.runtime).toBe("codex");
    expect(gpt4.developer).not.toContain("<heartbeat>");
    expect(gpt4.developer).not.toContain("<gpt5_behavior_contract>");
  });
});
