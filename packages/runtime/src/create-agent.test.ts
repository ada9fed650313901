import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { openAuthStore, type SessionEntry, type SessionRecord, type SessionStore } from "@genesis/core";
import { createAgent, type Agent } from "./create-agent.js";
import { formatStatus } from "./agent-status.js";
import { estimateTokens } from "./context-budget.js";
import type { TurnRunner } from "./turn-runner.js";
import { createOpenAIProvider, type OpenAIProvider } from "@genesis/openai";

let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-agent-test-0123456789";

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-agent-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

async function config(extra: Record<string, unknown> = {}, defaults: Record<string, unknown> = {}) {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { transport: "sse" } } }, ...defaults } },
    ...extra,
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

const env = () => ({ GENESIS_HOME: home, OPENAI_API_KEY: KEY });
const bodies = () => emu.requests.filter((r) => r.path === "/v1/responses").map((r) => r.body as any);

describe("createAgent", () => {
  it("runs a turn end to end with the GPT-5 overlay and persists a JSONL transcript", async () => {
    await config();
    agent = createAgent({ env: env(), cwd: home });
    emu.script({ toolCalls: [{ name: "get_time", arguments: {} }] }, { text: "It is now." });
    const result = await agent.run("What time is it?");
    expect(result).toMatchObject({ outcome: "completed", text: "It is now." });
    const [first] = bodies();
    expect(first.instructions).toMatch(/<tool_discipline>|tool_discipline/);
    expect(first).toMatchObject({ model: "gpt-5.4", store: true, prompt_cache_key: result.sessionId });
    const file = await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8");
    const lines = file.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ kind: "session", runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" });
    expect(lines.at(-1).entries.map((e: any) => e.type)).toEqual(["item", "item", "item", "item", "turn"]);

    // the second turn replays the history
    emu.script({ text: "Still now." });
    await agent.run("And now?", { sessionId: result.sessionId });
    const second = bodies().at(-1);
    expect(second.input.map((i: any) => i.type)).toEqual(["message", "function_call", "function_call_output", "message", "message"]);
    const status = await agent.status(result.sessionId);
    expect(status).toMatchObject({ runtimeLabel: "Genesis Pi Default", turns: 2, fastMode: false, transport: { mode: "sse", last: "sse", wsDegraded: false } });
    expect(formatStatus(status)).toContain("Runtime: Genesis Pi Default");
  });

  it("keeps sessions in an app-supplied SessionStore instead of JSONL files", async () => {
    await config();
    const sessions = new Map<string, { record: SessionRecord; entries: SessionEntry[] }>();
    const get = (id: string) => {
      const s = sessions.get(id);
      if (!s) throw new Error(`no session ${id}`);
      return s;
    };
    const store: SessionStore = {
      async create(input) {
        const record: SessionRecord = { id: input.id ?? `mem-${sessions.size + 1}`, createdAt: Date.now(), runtime: input.runtime, harnessId: input.harnessId, modelRef: input.modelRef, overrides: { ...input.overrides } };
        sessions.set(record.id, { record, entries: [] });
        return { ...record };
      },
      get: async (id) => (sessions.has(id) ? { ...get(id).record, overrides: { ...get(id).record.overrides } } : undefined),
      appendEntries: async (id, entries) => void get(id).entries.push(...entries),
      readEntries: async (id) => [...get(id).entries],
      setOverride: async (id, key, value) => ((get(id).record.overrides[key] = value), get(id).record),
      clearOverride: async (id, key) => (delete get(id).record.overrides[key], get(id).record),
      setCodexThreadId: async (id, threadId) => ((get(id).record.codexThreadId = threadId), get(id).record),
      list: async () => [...sessions.values()].map((s) => s.record),
    };
    agent = createAgent({ env: env(), cwd: home, store });
    const first = await agent.run("remember me");
    expect(first.sessionId).toBe("mem-1");
    await agent.setOverride(first.sessionId, "fastMode", true);
    await agent.run("again", { sessionId: first.sessionId });
    expect(bodies().at(-1)).toMatchObject({ service_tier: "priority", input: [{ content: "remember me" }, { role: "assistant" }, { content: "again" }] });
    expect(sessions.get("mem-1")!.entries.filter((e) => e.type === "turn")).toHaveLength(2);
    await expect(readdir(join(home, "sessions"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("session overrides win over config and clearing returns to the configured default", async () => {
    await config({}, { models: { "openai/gpt-5.4": { params: { transport: "sse", fastMode: true } } } });
    agent = createAgent({ env: env(), cwd: home });
    const session = await agent.createSession();
    await agent.run("one", { sessionId: session.id });
    expect(bodies().at(-1).service_tier).toBe("priority");
    expect((await agent.status(session.id)).fastModeSource).toBe("config");
    await agent.setOverride(session.id, "fastMode", false);
    await agent.run("two", { sessionId: session.id });
    expect(bodies().at(-1).service_tier).toBeUndefined();
    expect(await agent.status(session.id)).toMatchObject({ fastMode: false, fastModeSource: "session" });
    // a fresh agent (new process) still sees the persisted override
    const again = createAgent({ env: env(), cwd: home });
    expect((await again.status(session.id)).fastMode).toBe(false);
    await again.clearOverride(session.id, "fastMode");
    expect(await again.status(session.id)).toMatchObject({ fastMode: true, fastModeSource: "config" });
    await again.close();
  });

  it("a session keeps its recorded runtime; a new session picks up the config change", async () => {
    await config();
    agent = createAgent({ env: env(), cwd: home });
    const old = await agent.createSession();
    await config({}, { embeddedHarness: { runtime: "codex" } });
    expect((await agent.status(old.id)).runtimeLabel).toBe("Genesis Pi Default");
    const fresh = await agent.createSession();
    expect(fresh.runtime).toBe("codex");
    expect((await agent.status(fresh.id)).runtimeLabel).toBe("OpenAI Codex");
    // /status names the harness's wire before any codex turn ran
    const before = await agent.status(fresh.id);
    expect(before.transport).toEqual({ mode: "app-server", wsDegraded: false });
    expect(formatStatus(before)).toContain("Transport: app-server; WebSocket: not used");
  });

  it("runs codex sessions on the Codex app-server harness by default (loaded at the first codex turn)", async () => {
    await config({}, { embeddedHarness: { runtime: "codex" } });
    // No runners option: the default codex runner is the real harness. With a missing binary the
    // turn fails with the harness's typed error (never silently on pi, never before a codex turn).
    agent = createAgent({ env: { ...env(), GENESIS_CODEX_BIN: join(home, "no-such-codex") }, cwd: home });
    const session = await agent.createSession();
    expect(session).toMatchObject({ runtime: "codex", harnessId: "codex-app-server" });
    const result = await agent.run("hi", { sessionId: session.id });
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "codex_binary_not_found", transport: "app-server" });
    expect(result.events[0]).toMatchObject({ type: "turn.started", runtime: "codex" });
    expect(emu.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(0);
    const status = await agent.status(session.id);
    expect(status).toMatchObject({ runtimeLabel: "OpenAI Codex", transport: { mode: "app-server", last: "app-server" } });
  });

  it("dispatches to a supplied runner by the session's recorded runtime", async () => {
    await config({}, { embeddedHarness: { runtime: "codex" } });
    const seen: string[] = [];
    const codex: TurnRunner = {
      id: "codex",
      label: "OpenAI Codex",
      async *runTurn(input) {
        seen.push(`${input.route.model}:${String(input.runnerState.codexThreadId ?? "")}`);
        yield { type: "runner.state", state: { codexThreadId: "thr_1" } };
        yield { type: "turn.done", outcome: "completed", text: "from codex", usage: { input: 1, cacheRead: 0, output: 1, reasoning: 0, total: 2 }, steps: 1 };
      },
    };
    agent = createAgent({ env: env(), cwd: home, runners: { codex } });
    const first = await agent.run("hi");
    expect(first.text).toBe("from codex");
    await agent.run("again", { sessionId: first.sessionId });
    expect(seen).toEqual(["gpt-5.4:", "gpt-5.4:thr_1"]);
    expect((await agent.store.get(first.sessionId))?.codexThreadId).toBe("thr_1");
  });

  it("openai/* without a key but with a Codex sign-in says to use openai-codex/* or set OPENAI_API_KEY", async () => {
    await config();
    const store = openAuthStore({ home });
    await store.update(() => ({ next: { version: 1, profiles: { "openai-codex": { kind: "oauth", provider: "openai-codex", access: "a.b.c", refresh: "r", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now(), accountId: "acct" } } } as any, result: undefined }));
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    const session = await agent.createSession();
    const error = await agent.run("hi", { sessionId: session.id }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "api_key_missing" });
    expect((error as { hint?: string }).hint).toMatch(/openai-codex\/gpt-5\.4.*OPENAI_API_KEY/);
  });

  it("/model switches persist and route the next turn", async () => {
    await config({}, { models: { "openai/gpt-5.4": { params: { transport: "sse" } }, "openai/gpt-5.4-mini": { params: { transport: "sse" } } } });
    agent = createAgent({ env: env(), cwd: home });
    const session = await agent.createSession();
    const route = await agent.setModel(session.id, "openai/gpt-5.4-mini");
    expect(route.ref).toBe("openai/gpt-5.4-mini");
    await agent.run("hi", { sessionId: session.id });
    expect(bodies().at(-1).model).toBe("gpt-5.4-mini");
    expect((await agent.status(session.id)).model).toBe("openai/gpt-5.4-mini");
  });

  it("keeps the prompt within contextTokens by dropping the oldest turns", async () => {
    await config({ models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai", models: [{ id: "gpt-5.4", contextTokens: 2_000 }] } } } });
    agent = createAgent({ env: env(), cwd: home, tools: new (await import("./tool-registry.js")).ToolRegistry() });
    const session = await agent.createSession();
    const big = "x".repeat(1_600);
    for (let i = 0; i < 4; i++) await agent.run(`turn ${i} ${big}`, { sessionId: session.id });
    const last = bodies().at(-1);
    const users = last.input.filter((m: any) => m.role === "user").map((m: any) => String(m.content).slice(0, 6));
    expect(users).not.toContain("turn 0");
    expect(users.at(-1)).toBe("turn 3");
    expect(last.input.some((m: any) => m.role === "developer" && /omitted/.test(m.content))).toBe(true);
    // Every request the emulator received fits the budget (same ~4 chars/token estimate).
    for (const body of bodies()) {
      expect(estimateTokens(body.instructions) + estimateTokens(body.input) + estimateTokens(body.tools ?? [])).toBeLessThanOrEqual(2_000);
    }
    // ... while the whole stored transcript would not have.
    const stored = (await agent.store.readEntries(session.id)).filter((e) => e.type === "item").map((e) => e.item);
    expect(estimateTokens(stored)).toBeGreaterThan(2_000);
  });

  it("auto transport: a WebSocket failure falls back to SSE and /status reports WebSocket degraded", async () => {
    await config({}, { models: { "openai/gpt-5.4": { params: { transport: "auto", openaiWsWarmup: false } } } });
    agent = createAgent({ env: env(), cwd: home, transportOptions: { wsRetryDelayMs: 0 } });
    const first = await agent.run("over ws");
    expect(await agent.status(first.sessionId)).toMatchObject({ transport: { mode: "auto", last: "websocket", wsDegraded: false } });
    emu.fault({ kind: "ws-refuse", times: 5 });
    const session = await agent.createSession();
    const second = await agent.run("after the failure", { sessionId: session.id });
    expect(second).toMatchObject({ outcome: "completed", text: "Echo: after the failure" });
    const status = await agent.status(session.id);
    expect(status.transport).toMatchObject({ mode: "auto", last: "sse", wsDegraded: true });
    expect(status.transport.degradedForMs).toBeGreaterThan(0);
    expect(formatStatus(status)).toMatch(/WebSocket: degraded, using SSE/);
    // Each session reports its own last wire; the degraded cool-down is the endpoint's.
    expect((await agent.status(first.sessionId)).transport).toMatchObject({ last: "websocket", wsDegraded: true });
  });

  it("warms the WebSocket before a session's first turn, for built-in and app-supplied providers", async () => {
    await config({}, { models: { "openai/gpt-5.4": { params: { transport: "auto" } } } });
    const wsFrames = () => emu.requests.filter((r) => r.transport === "websocket").flatMap((r) => r.frames ?? []) as { generate?: boolean; model?: string }[];
    agent = createAgent({ env: env(), cwd: home });
    const first = await agent.run("one");
    await agent.run("two", { sessionId: first.sessionId });
    expect(wsFrames().map((f) => (f.generate === false ? "warm" : "turn"))).toEqual(["warm", "turn", "turn"]);
    await agent.close();
    emu.reset();

    // An embedding app's own factory (here wrapping the built-in provider) gets warm() called too.
    const opened: OpenAIProvider[] = [];
    const warmedFor: string[] = [];
    agent = createAgent({
      env: env(),
      cwd: home,
      providers: {
        openai: (route, ctx) => {
          const p = createOpenAIProvider({ route, apiKey: ctx.apiKey ?? "" });
          opened.push(p);
          return { streamTurn: (r, o) => p.streamTurn(r, o), state: () => p.state(), warm: (id) => (warmedFor.push(id), p.warm(id)) };
        },
      },
    });
    try {
      const custom = await agent.run("three");
      expect(warmedFor).toEqual([custom.sessionId]);
      expect(wsFrames().map((f) => (f.generate === false ? "warm" : "turn"))).toEqual(["warm", "turn"]);
    } finally {
      for (const p of opened) await p.close();
    }
  });

  it("agents.defaults.embeddedPi.executionContract: strict-agentic reaches retry and an explicit blocked state", async () => {
    await config({}, { embeddedPi: { executionContract: "strict-agentic" } });
    agent = createAgent({ env: env(), cwd: home });
    for (let i = 0; i < 3; i++) emu.script({ text: "I will check the time and then report back." });
    const result = await agent.run("What time is it?");
    expect(result.events.filter((e) => e.type === "turn.retry").map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(result.done).toMatchObject({ outcome: "blocked", errorCode: "strict_agentic_blocked" });
    expect(bodies()).toHaveLength(3);
    expect((await agent.status(result.sessionId)).executionContract).toBe("strict-agentic");
  });

  it("keeps server-side compaction items and replays history from the latest one", async () => {
    await config({}, { models: { "openai/gpt-5.4": { params: { transport: "sse", responsesCompactThreshold: 1000 } } } });
    agent = createAgent({ env: env(), cwd: home });
    const session = await agent.createSession();
    await agent.run(`first ${"word ".repeat(1500)}`, { sessionId: session.id });
    expect(bodies().at(-1).context_management).toEqual([{ type: "compaction", compact_threshold: 1000 }]);
    emu.script({ text: "after compaction", compaction: true });
    await agent.run("second", { sessionId: session.id });
    await agent.run("third", { sessionId: session.id });
    const input = bodies().at(-1).input as { type: string; role?: string; content?: unknown }[];
    expect(input[0]!.type).toBe("compaction");
    expect(input.some((i) => typeof i.content === "string" && i.content.startsWith("first"))).toBe(false);
    expect(input.at(-1)).toEqual({ type: "message", role: "user", content: "third" });
  });
});
