import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { openAuthStore } from "@genesis/core";
import { createAgent, type Agent } from "./create-agent.js";
import { canFailOver } from "./_model-failover.js";
import type { AgentEvent, TurnInput, TurnRunner } from "./turn-runner.js";

// Failover across runtimes, response.failed, billed usage and the live stream (review fixes).
let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-failover-runtime-0123456789";
const SSE = { params: { transport: "sse" } };

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-failover-rt-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

async function config(model: Record<string, unknown>, defaults: Record<string, unknown> = {}) {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" }, "openai-codex": { baseUrl: emu.codexBase } } },
    auth: { openaiCodex: { issuer: emu.authIssuer } },
    agents: { defaults: { model, models: { "openai/gpt-5.4": SSE, "openai/gpt-5.4-mini": SSE, "openai/gpt-4.1": SSE, "openai-codex/gpt-5.4": SSE }, ...defaults } },
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

async function signIn() {
  const tokens = emu.auth.issueTokens({ accountId: "acct_fo" });
  await openAuthStore({ home }).update(() => ({
    next: { version: 1, profiles: { "openai-codex": { kind: "oauth", provider: "openai-codex", access: tokens.access_token, refresh: tokens.refresh_token, accountId: "acct_fo", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() } } },
    result: undefined,
  }));
}

const env = () => ({ GENESIS_HOME: home, OPENAI_API_KEY: KEY, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer });
const models = () => emu.requests.filter((r) => r.path === "/v1/responses").map((r) => (r.body as { model: string }).model);
const usage = { input: 1, cacheRead: 0, output: 1, reasoning: 0, total: 2 };

/** A codex runner that reports a usage limit after announcing itself (and a tier note). */
function failingCodex(seen: TurnInput[]): TurnRunner {
  return {
    id: "codex",
    label: "OpenAI Codex",
    async *runTurn(input): AsyncGenerator<AgentEvent> {
      seen.push(input);
      yield { type: "turn.started", sessionId: input.sessionId, turnId: input.turnId, runtime: "codex", model: input.route.model };
      yield { type: "notice", message: "service_tier priority unconfirmed: catalog not read" };
      yield { type: "runner.state", state: { codexThreadId: "thr_failed" } };
      yield { type: "item", item: { type: "message", role: "user", content: input.message } };
      yield { type: "turn.done", outcome: "failed", text: "", usage, steps: 0, errorCode: "codex_usage_limit", reason: "usage limit" };
    },
  };
}

describe("failover: response.failed, billed usage, live stream", () => {
  it("a response.failed server_error fails over, and the failed attempt's usage counts in the turn and /status", async () => {
    await config({ primary: "openai/gpt-5.4", fallbacks: ["openai/gpt-5.4-mini"] });
    agent = createAgent({ env: env(), cwd: home });
    emu.script(
      { status: "failed", error: { code: "server_error", message: "The server had an error" }, usage: { input: 100, output: 7 } },
      { text: "From mini.", usage: { input: 50, output: 5 } },
    );
    const result = await agent.run("hello");
    expect(models()).toEqual(["gpt-5.4", "gpt-5.4-mini"]);
    expect(result.done).toMatchObject({ outcome: "completed", text: "From mini.", model: "openai/gpt-5.4-mini", failover: [{ model: "openai/gpt-5.4", code: "server_error" }] });
    expect(result.done.usage).toMatchObject({ input: 150, output: 12 });
    // Only the answering attempt's usage event reaches the stream; its total is in turn.done.
    expect(result.events.filter((e) => e.type === "usage")).toEqual([{ type: "usage", usage: expect.objectContaining({ input: 50, output: 5 }) }]);
    const status = await agent.status(result.sessionId);
    expect(status.usage.total).toMatchObject({ input: 150, output: 12 });
    const file = await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8");
    const entries = file.trim().split("\n").slice(1).flatMap((l) => JSON.parse(l).entries);
    expect(entries.filter((e: any) => e.type === "item" && e.item.role === "user")).toHaveLength(1);
  });

  it("turn.started goes out at once, before a slow primary answers or fails", async () => {
    await config({ primary: "openai/gpt-5.4", fallbacks: ["openai/gpt-5.4-mini"] });
    agent = createAgent({ env: env(), cwd: home });
    emu.fault({ kind: "slow-first-byte", ms: 600 });
    emu.script({ text: "slow but fine" });
    const t0 = Date.now();
    const at: Record<string, number> = {};
    const result = await agent.run("hi", { onEvent: (e) => (at[e.type] ??= Date.now() - t0) });
    expect(result.done).toMatchObject({ outcome: "completed", model: "openai/gpt-5.4" });
    expect(at["turn.started"]).toBeLessThan(300);
    expect(at["turn.done"]).toBeGreaterThanOrEqual(600);
  });

  it("a codex session's openai-codex/* fallback runs on pi against the Codex backend, without the session's thread", async () => {
    await config({ primary: "openai/gpt-5.4", fallbacks: ["openai-codex/gpt-5.4"] }, { embeddedHarness: { runtime: "codex" } });
    await signIn();
    const seen: TurnInput[] = [];
    agent = createAgent({ env: env(), cwd: home, runners: { codex: failingCodex(seen) } });
    emu.script({ text: "Codex OAuth answered." });
    const session = await agent.createSession();
    expect(session.runtime).toBe("codex");
    const result = await agent.run("hi", { sessionId: session.id });
    expect(seen.map((i) => i.route.ref)).toEqual(["openai/gpt-5.4"]);
    const calls = emu.requests.filter((r) => r.path.endsWith("/codex/responses"));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({ model: "gpt-5.4", store: false });
    expect(calls[0]!.headers["chatgpt-account-id"]).toBe("acct_fo");
    expect(models()).toEqual([]);
    expect(result.done).toMatchObject({ outcome: "completed", text: "Codex OAuth answered.", model: "openai-codex/gpt-5.4", failover: [{ model: "openai/gpt-5.4", code: "codex_usage_limit" }] });
    // The harness's tier notice reached the caller at once; its thread and message did not stay.
    expect(result.events.slice(0, 3).map((e) => e.type)).toEqual(["turn.started", "notice", "notice"]);
    expect(result.events[1]).toMatchObject({ message: expect.stringContaining("service_tier priority") });
    expect(result.events.some((e) => e.type === "runner.state")).toBe(false);
    expect((await agent.store.get(session.id))?.codexThreadId).toBeUndefined();
  });

  it("only a fallback on the session's own runtime gets the session's runner state", async () => {
    await config({ primary: "openai/gpt-5.4", fallbacks: ["openai/gpt-5.4-mini", "openai-codex/gpt-5.4"] }, { embeddedHarness: { runtime: "codex" } });
    await signIn();
    const codexSeen: TurnInput[] = [];
    const piSeen: TurnInput[] = [];
    const pi: TurnRunner = {
      id: "pi",
      label: "Genesis Pi Default",
      async *runTurn(input) {
        piSeen.push(input);
        yield { type: "turn.done", outcome: "completed", text: "pi", usage, steps: 1 };
      },
    };
    agent = createAgent({ env: env(), cwd: home, runners: { codex: failingCodex(codexSeen), pi } });
    const session = await agent.createSession();
    await agent.store.setCodexThreadId(session.id, "thr_session");
    const result = await agent.run("hi", { sessionId: session.id });
    expect(codexSeen.map((i) => [i.route.ref, i.runnerState.codexThreadId])).toEqual([["openai/gpt-5.4", "thr_session"], ["openai/gpt-5.4-mini", "thr_session"]]);
    expect(piSeen.map((i) => [i.route.ref, i.route.runtime, i.runnerState])).toEqual([["openai-codex/gpt-5.4", "pi", {}]]);
    expect(result.done).toMatchObject({ outcome: "completed", model: "openai-codex/gpt-5.4" });
  });

  it("a fallback that cannot start for a reason outside the failover list is skipped, not the end of the chain", async () => {
    // An embedding app's config object is not schema-checked like the file: a malformed ref gets through.
    const given = {
      models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
      agents: { defaults: { model: { primary: "openai/gpt-5.4", fallbacks: ["openai/gpt 5 mini", "openai/gpt-4.1"] }, models: { "openai/gpt-5.4": SSE, "openai/gpt-4.1": SSE } } },
    };
    agent = createAgent({ env: env(), cwd: home, config: given as never });
    emu.fault({ kind: "http-status", status: 404, body: { error: { message: "no such model", type: "invalid_request_error", param: "model", code: "model_not_found" } } });
    emu.script({ text: "gpt-4.1 here" });
    const result = await agent.run("hi");
    expect(models()).toEqual(["gpt-5.4", "gpt-4.1"]);
    expect(result.done).toMatchObject({ outcome: "completed", model: "openai/gpt-4.1" });
    expect(result.done.failover!.map((a) => [a.model, a.code])).toEqual([["openai/gpt-5.4", "api_error"], ["openai/gpt 5 mini", "invalid_model_ref"]]);
  });

  it("the chain ends with a turn.done (not a throw) when the last fallback cannot start after the turn began", async () => {
    await config({ primary: "openai/gpt-5.4", fallbacks: ["openai-codex/gpt-5.4"] });
    // No Codex sign-in: the fallback cannot start. Retries run at once.
    agent = createAgent({ env: env(), cwd: home, transportOptions: { sleep: async () => {} } });
    emu.fault({ kind: "http-status", status: 503, times: 3 });
    const result = await agent.run("hi");
    expect(result.events[0]).toMatchObject({ type: "turn.started", model: "openai/gpt-5.4" });
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "model_failover_exhausted", model: "openai-codex/gpt-5.4" });
    expect(result.done.failover!.map((a) => [a.model, a.code])).toEqual([["openai/gpt-5.4", "api_error"], ["openai-codex/gpt-5.4", "oauth_missing"]]);
  });

  it("plugin_disabled and model_excluded are failures another model can fix", () => {
    expect(canFailOver({ code: "plugin_disabled" })).toBe(true);
    expect(canFailOver({ code: "model_excluded" })).toBe(true);
    expect(canFailOver({ code: "invalid_param" })).toBe(false);
  });
});
