import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatStatus } from "../agent-status.js";
import { createAgent, type Agent } from "../create-agent.js";
import type { AgentEvent } from "../turn-runner.js";
import { planCodexServiceTier } from "./codex-service-tier.js";
import { createCodexTurnRunner, type CodexTurnRunner, type CodexTurnRunnerOptions } from "./codex-turn-runner.js";
import { codexLeftUnder, isLive } from "./__fixtures__/process-state.js";

describe("planCodexServiceTier", () => {
  it("maps each Genesis tier to the Codex id and to what reaches the wire", () => {
    expect(planCodexServiceTier(undefined, "gpt-5.5", undefined)).toEqual({ codexTier: "default" });
    expect(planCodexServiceTier("priority", "gpt-5.5", ["priority"])).toEqual({ requested: "priority", codexTier: "priority", sent: "priority" });
    expect(planCodexServiceTier("priority", "gpt-5.4", [])).toMatchObject({ codexTier: "priority", note: expect.stringMatching(/^not sent: .*gpt-5\.4/) });
    expect(planCodexServiceTier("priority", "gpt-5.4", [])).not.toHaveProperty("sent");
    expect(planCodexServiceTier("priority", "gpt-5.4", undefined)).toMatchObject({ codexTier: "priority", note: expect.stringMatching(/^unconfirmed/) });
    expect(planCodexServiceTier("flex", "gpt-5.4", undefined)).toEqual({ requested: "flex", codexTier: "flex", sent: "flex" });
    for (const tier of ["default", "auto"] as const) {
      const plan = planCodexServiceTier(tier, "gpt-5.5", ["priority"]);
      expect(plan).toMatchObject({ requested: tier, codexTier: "default", note: expect.stringMatching(/^not sent/) });
      expect(plan.sent).toBeUndefined();
    }
  });
});

// Real @openai/codex binary against the emulator. The endpoint is marked native so that core
// keeps the tier (it drops service_tier for proxies); Codex then decides what reaches the wire.
const KEY = "sk-genesis-codex-tier-0123456789";
let emu: Emulator;
let home: string;
const pids = new Set<number>();

async function writeConfig(params: Record<string, unknown> = {}): Promise<void> {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: {
      defaults: {
        model: { primary: "openai/gpt-5.5" },
        embeddedHarness: { runtime: "codex" },
        models: { "openai/gpt-5.5": { params }, "openai/gpt-5.4": { params } },
      },
    },
  };
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

function newAgent(thread?: CodexTurnRunnerOptions["thread"]): { agent: Agent; runner: CodexTurnRunner } {
  const env = { ...process.env, GENESIS_HOME: home, GENESIS_CONFIG: join(home, "genesis.json5"), OPENAI_API_KEY: KEY };
  const runner = createCodexTurnRunner({ env, extraArgs: ["-c", 'model_reasoning_effort="none"'], ...(thread ? { thread } : {}) });
  return { agent: createAgent({ env, cwd: join(home, "work"), runners: { codex: runner } }), runner };
}

async function turn(agent: Agent, runner: CodexTurnRunner, sessionId: string, message: string): Promise<{ events: AgentEvent[]; tier: unknown }> {
  emu.reset();
  emu.script({ text: `reply to ${message}` });
  const events: AgentEvent[] = [];
  for await (const e of agent.send(sessionId, message)) events.push(e);
  if (runner.client?.pid) pids.add(runner.client.pid);
  expect(events.at(-1)).toMatchObject({ type: "turn.done", outcome: "completed", text: `reply to ${message}` });
  const calls = emu.requests.filter((r) => r.path === "/v1/responses");
  expect(calls).toHaveLength(1);
  return { events, tier: (calls[0]!.body as Record<string, unknown>).service_tier };
}

beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-codex-tier-"));
  await mkdir(join(home, "work"), { recursive: true });
});
beforeEach(() => writeConfig());
afterAll(async () => {
  await emu.close();
  for (const pid of pids) expect(isLive(pid), `codex pid ${pid} still alive`).toBe(false);
  expect(await codexLeftUnder(home)).toEqual([]);
  await rm(home, { recursive: true, force: true });
});

describe("fast mode and service_tier on the Codex harness (real binary)", () => {
  it("omits service_tier while fast mode is off and sends priority from the turn after /fast on", async () => {
    const { agent, runner } = newAgent();
    try {
      const { id } = await agent.createSession();
      const off = await turn(agent, runner, id, "first, fast mode off");
      expect(off.tier).toBeUndefined();
      expect(off.events.at(-1)).not.toHaveProperty("serviceTier");
      expect((await agent.status(id)).serviceTier).toBeUndefined();

      // /fast on mid-session: the thread exists, so only turn/start can carry the new tier.
      await agent.setOverride(id, "fastMode", true);
      const before = await agent.status(id);
      expect(before).toMatchObject({ fastMode: true, fastModeSource: "session" });
      // Nothing has asked this app-server's catalog yet: the status does not claim priority.
      expect(before.serviceTier).toBeUndefined();
      expect(formatStatus(before)).toMatch(/Fast mode: on \(session\); service_tier unconfirmed: /);

      const on = await turn(agent, runner, id, "second, fast mode on");
      expect(on.tier).toBe("priority");
      expect(on.events.at(-1)).toMatchObject({ type: "turn.done", serviceTier: "priority" });
      expect(on.events.some((e) => e.type === "notice")).toBe(false);
      const after = await agent.status(id);
      expect(after).toMatchObject({ serviceTier: "priority" });
      expect(after.serviceTierNote).toBeUndefined();
      expect(formatStatus(after)).toContain("Fast mode: on (session); service_tier: priority\n");

      // /fast off again: the next turn clears the thread's tier.
      await agent.setOverride(id, "fastMode", false);
      const cleared = await turn(agent, runner, id, "third, fast mode off again");
      expect(cleared.tier).toBeUndefined();
      expect((await agent.status(id)).serviceTier).toBeUndefined();
      expect(runner.client!.starts).toBe(1);
    } finally {
      await agent.close();
    }
  });

  it("starts a thread with the configured tier and resumes it with the tier in a new process", async () => {
    await writeConfig({ fastMode: true });
    let sessionId: string;
    {
      const { agent, runner } = newAgent();
      try {
        sessionId = (await agent.createSession()).id;
        const first = await turn(agent, runner, sessionId, "fast from config");
        expect(first.tier).toBe("priority");
        expect(first.events.some((e) => e.type === "runner.state")).toBe(true);
        expect(await agent.status(sessionId)).toMatchObject({ fastModeSource: "config", serviceTier: "priority" });
      } finally {
        await agent.close();
      }
    }
    const { agent, runner } = newAgent();
    try {
      const resumed = await turn(agent, runner, sessionId, "fast after resume");
      expect(resumed.tier).toBe("priority");
      expect(resumed.events.some((e) => e.type === "runner.state")).toBe(false);
    } finally {
      await agent.close();
    }
  });

  it("says so instead of claiming priority when Codex offers no Fast tier for the model", async () => {
    await writeConfig({ fastMode: true });
    const { agent, runner } = newAgent();
    try {
      const { id } = await agent.createSession({ model: "openai/gpt-5.4" });
      const first = await turn(agent, runner, id, "gpt-5.4 fast");
      expect(first.tier).toBeUndefined();
      expect(first.events.at(-1)).not.toHaveProperty("serviceTier");
      const notice = first.events.find((e) => e.type === "notice") as { message: string } | undefined;
      expect(notice?.message).toBe("service_tier priority not sent: the Codex app-server offers no priority (Fast) tier for gpt-5.4");
      const status = await agent.status(id);
      expect(status).toMatchObject({ fastMode: true, serviceTierNote: expect.stringContaining("no priority (Fast) tier for gpt-5.4") });
      expect(status.serviceTier).toBeUndefined();
      expect(formatStatus(status)).toContain("Fast mode: on (config); service_tier not sent: the Codex app-server offers no priority (Fast) tier for gpt-5.4");
      // The notice is given once per session, not on every turn.
      const second = await turn(agent, runner, id, "gpt-5.4 fast again");
      expect(second.events.some((e) => e.type === "notice")).toBe(false);
      // Once the note no longer stands (/fast off) it is forgotten; /fast on again says it again.
      await agent.setOverride(id, "fastMode", false);
      expect((await turn(agent, runner, id, "gpt-5.4 standard")).events.some((e) => e.type === "notice")).toBe(false);
      await agent.setOverride(id, "fastMode", true);
      const again = await turn(agent, runner, id, "gpt-5.4 fast once more");
      expect(again.events.filter((e) => e.type === "notice")).toHaveLength(1);
    } finally {
      await agent.close();
    }
  });

  it("sends flex as flex (an explicit serviceTier wins over fast mode)", async () => {
    await writeConfig({ serviceTier: "flex", fastMode: true });
    const { agent, runner } = newAgent();
    try {
      const { id } = await agent.createSession({ model: "openai/gpt-5.4" });
      const flex = await turn(agent, runner, id, "flex please");
      expect(flex.tier).toBe("flex");
      expect(flex.events.at(-1)).toMatchObject({ serviceTier: "flex" });
      expect(await agent.status(id)).toMatchObject({ serviceTier: "flex" });
    } finally {
      await agent.close();
    }
  });

  it("an explicit thread.serviceTier is sent as is, and neither the turn nor /status claims the planned tier", async () => {
    await writeConfig({ fastMode: true });
    const { agent, runner } = newAgent({ serviceTier: "flex" });
    try {
      const { id } = await agent.createSession();
      const fixed = await turn(agent, runner, id, "host picks the tier");
      expect(fixed.tier).toBe("flex");
      expect(fixed.events.at(-1)).not.toHaveProperty("serviceTier");
      expect(fixed.events.some((e) => e.type === "notice")).toBe(false);
      const status = await agent.status(id);
      expect(status.serviceTier).toBeUndefined();
      expect(status.serviceTierNote).toMatch(/^set by the host \(thread\.serviceTier "flex"\)/);
    } finally {
      await agent.close();
    }
  });

  it("leaves service_tier off for a proxy endpoint even with fast mode on", async () => {
    const doc = {
      models: { providers: { openai: { baseUrl: emu.apiBase } } },
      agents: { defaults: { model: { primary: "openai/gpt-5.5" }, embeddedHarness: { runtime: "codex" }, models: { "openai/gpt-5.5": { params: { fastMode: true } } } } },
    };
    await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
    const { agent, runner } = newAgent();
    try {
      const { id } = await agent.createSession();
      const proxied = await turn(agent, runner, id, "through a local endpoint");
      expect(proxied.tier).toBeUndefined();
      const status = await agent.status(id);
      expect(status).toMatchObject({ fastMode: true, endpointClass: "local" });
      expect(status.serviceTier).toBeUndefined();
    } finally {
      await agent.close();
    }
  });
});
