import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createAgent, type Agent } from "./create-agent.js";
import { formatStatus } from "./agent-status.js";
import { ModelFailoverError, canFailOver, failoverChain } from "./_model-failover.js";
import type { AgentEvent } from "./turn-runner.js";

let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-failover-test-0123456789";
const SSE = { params: { transport: "sse" } };

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-failover-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

async function config(model: Record<string, unknown> = { primary: "openai/gpt-5.4", fallbacks: ["openai/gpt-5.4-mini", "openai/gpt-4.1"] }) {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: { defaults: { model, models: { "openai/gpt-5.4": SSE, "openai/gpt-5.4-mini": SSE, "openai/gpt-4.1": SSE, "openai-codex/gpt-5.4": SSE } } },
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

const env = () => ({ GENESIS_HOME: home, OPENAI_API_KEY: KEY });
// Retries run at once: the transport's own retry count is what is under test, not its delays.
const make = () => createAgent({ env: env(), cwd: home, transportOptions: { sleep: async () => {}, maxRetries: 2 } });
const models = () => emu.requests.filter((r) => r.path === "/v1/responses").map((r) => (r.body as { model: string }).model);
const notFound = (id: string) => ({ kind: "http-status" as const, status: 404, body: { error: { message: `The model '${id}' does not exist`, type: "invalid_request_error", param: "model", code: "model_not_found" } } });
const types = (events: AgentEvent[]) => events.map((e) => e.type);

describe("agent model failover (agents.defaults.model.fallbacks)", () => {
  it("model_not_found on the primary: the next fallback answers, once, and the user sees which model did", async () => {
    await config();
    agent = make();
    emu.fault(notFound("gpt-5.4"));
    emu.script({ text: "From the fallback." });
    const result = await agent.run("hello");
    expect(models()).toEqual(["gpt-5.4", "gpt-5.4-mini"]);
    expect(result).toMatchObject({ outcome: "completed", text: "From the fallback." });
    expect(result.done.model).toBe("openai/gpt-5.4-mini");
    expect(result.done.failover).toEqual([{ model: "openai/gpt-5.4", code: "api_error", reason: expect.stringContaining("model_not_found") }]);
    // The turn started at once (on the primary); the failed attempt left nothing else in the
    // stream: one turn.started, then the notice, then the fallback's output.
    expect(types(result.events).filter((t) => t === "turn.started")).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ type: "turn.started", model: "openai/gpt-5.4" });
    expect(result.events[1]).toMatchObject({ type: "notice", message: "model failover: openai/gpt-5.4 failed (api_error); switching to openai/gpt-5.4-mini." });
    // The transcript holds the user message once and the turn records the answering model.
    const file = await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8");
    const entries = file.trim().split("\n").slice(1).flatMap((l) => JSON.parse(l).entries);
    expect(entries.filter((e: any) => e.type === "item" && e.item.role === "user")).toHaveLength(1);
    expect(entries.at(-1)).toMatchObject({ type: "turn", outcome: "completed", model: "openai/gpt-5.4-mini", failover: [{ model: "openai/gpt-5.4", code: "api_error" }] });
    const status = await agent.status(result.sessionId);
    expect(status.model).toBe("openai/gpt-5.4"); // the session stays on its primary
    expect(formatStatus(status)).toContain("Failover: last turn completed on openai/gpt-5.4-mini after openai/gpt-5.4 (api_error)");

    // The next turn starts at the primary again (the failure may have been temporary).
    emu.script({ text: "Primary is back." });
    const again = await agent.run("again", { sessionId: result.sessionId });
    expect(models().slice(2)).toEqual(["gpt-5.4"]);
    expect(again.done).toMatchObject({ model: "openai/gpt-5.4" });
    expect(again.done.failover).toBeUndefined();
    expect(formatStatus(await agent.status(result.sessionId))).not.toContain("Failover");
  });

  it("5xx after the transport's retries: the primary is tried 3 times, then the fallback", async () => {
    await config();
    agent = make();
    emu.fault({ kind: "http-status", status: 503, times: 3 });
    emu.script({ text: "ok" });
    const result = await agent.run("hi");
    expect(models()).toEqual(["gpt-5.4", "gpt-5.4", "gpt-5.4", "gpt-5.4-mini"]);
    expect(result.done).toMatchObject({ outcome: "completed", model: "openai/gpt-5.4-mini", failover: [{ model: "openai/gpt-5.4", code: "api_error", reason: expect.stringMatching(/HTTP 503.*after 3 attempts/) }] });
  });

  it("429 after retries, then a plan usage limit: each fallback is tried once, in order", async () => {
    await config();
    agent = make();
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 3 });
    emu.fault({ kind: "usage-limit", planType: "plus" });
    emu.script({ text: "third time" });
    const result = await agent.run("hi");
    expect(models()).toEqual(["gpt-5.4", "gpt-5.4", "gpt-5.4", "gpt-5.4-mini", "gpt-4.1"]);
    expect(result.done).toMatchObject({ outcome: "completed", text: "third time", model: "openai/gpt-4.1" });
    expect(result.done.failover!.map((a) => [a.model, a.code])).toEqual([["openai/gpt-5.4", "rate_limited"], ["openai/gpt-5.4-mini", "usage_limit"]]);
    // One notice per switch, as it happens.
    expect(result.events.filter((e) => e.type === "notice")).toEqual([
      { type: "notice", message: "model failover: openai/gpt-5.4 failed (rate_limited); switching to openai/gpt-5.4-mini." },
      { type: "notice", message: "model failover: openai/gpt-5.4 failed (rate_limited), openai/gpt-5.4-mini failed (usage_limit); switching to openai/gpt-4.1." },
    ]);
  });

  it("a primary without credentials (no Codex sign-in) falls back before any request", async () => {
    await config({ primary: "openai-codex/gpt-5.4", fallbacks: ["openai/gpt-5.4"] });
    agent = make();
    emu.script({ text: "via the API key" });
    const result = await agent.run("hi");
    expect(emu.requests.map((r) => r.path)).toEqual(["/v1/responses"]);
    expect(models()).toEqual(["gpt-5.4"]);
    expect(result.done).toMatchObject({ outcome: "completed", model: "openai/gpt-5.4", failover: [{ model: "openai-codex/gpt-5.4", code: "oauth_missing" }] });
  });

  it("never falls back once output reached the caller", async () => {
    await config();
    agent = make();
    emu.fault({ kind: "error-event", code: "server_error", message: "boom", afterEvents: 6 });
    emu.script({ text: "partial answer that keeps going for a while" });
    const result = await agent.run("hi");
    expect(types(result.events)).toContain("text.delta");
    expect(models()).toEqual(["gpt-5.4"]);
    expect(result.done).toMatchObject({ outcome: "failed", model: "openai/gpt-5.4" });
    expect(result.done.failover).toBeUndefined();
  });

  it("never falls back on a 400 the user must fix", async () => {
    await config();
    agent = make();
    emu.fault({ kind: "http-status", status: 400, body: { error: { message: "Invalid value for reasoning", type: "invalid_request_error", param: "reasoning", code: "invalid_value" } } });
    const result = await agent.run("hi");
    expect(models()).toEqual(["gpt-5.4"]);
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "api_error", model: "openai/gpt-5.4" });
    expect(result.done.failover).toBeUndefined();
  });

  it("never falls back on abort", async () => {
    await config();
    agent = make();
    emu.fault({ kind: "slow-first-byte", ms: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await agent.run("hi", { signal: controller.signal });
    expect(result.done).toMatchObject({ outcome: "aborted", model: "openai/gpt-5.4" });
    expect(models()).toEqual(["gpt-5.4"]);
  });

  it("a session pinned to another model (/model) gets no failover", async () => {
    await config();
    agent = make();
    const session = await agent.createSession();
    await agent.setModel(session.id, "openai/gpt-4.1");
    emu.fault(notFound("gpt-4.1"));
    const result = await agent.run("hi", { sessionId: session.id });
    expect(models()).toEqual(["gpt-4.1"]);
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "api_error", model: "openai/gpt-4.1" });
  });

  it("an exhausted list reports every attempt (model + reason) without secrets", async () => {
    await config();
    agent = make();
    // The server echoes the key in its message: it must not survive into any reason.
    for (const id of ["gpt-5.4", "gpt-5.4-mini", "gpt-4.1"]) {
      emu.fault({ kind: "http-status", status: 404, body: { error: { message: `Model ${id} not found for key ${KEY}`, type: "invalid_request_error", param: "model", code: "model_not_found" } } });
    }
    const result = await agent.run("hi");
    expect(models()).toEqual(["gpt-5.4", "gpt-5.4-mini", "gpt-4.1"]);
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "model_failover_exhausted", model: "openai/gpt-4.1" });
    expect(result.done.failover!.map((a) => a.model)).toEqual(["openai/gpt-5.4", "openai/gpt-5.4-mini", "openai/gpt-4.1"]);
    for (const id of ["openai/gpt-5.4", "openai/gpt-5.4-mini", "openai/gpt-4.1"]) expect(result.done.reason).toContain(`${id} (api_error: HTTP 404 model_not_found`);
    expect(result.done.reason).toContain("hint:");
    expect(JSON.stringify(result.events)).not.toContain(KEY);
    expect(await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8")).not.toContain(KEY);
  });

  it("throws ModelFailoverError before any event when no model of the chain can start", async () => {
    await config({ primary: "openai-codex/gpt-5.4", fallbacks: ["openai/gpt-5.4"] });
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    const error = await agent.run("hi").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFailoverError);
    expect((error as ModelFailoverError).attempts.map((a) => [a.model, a.code])).toEqual([["openai-codex/gpt-5.4", "oauth_missing"], ["openai/gpt-5.4", "api_key_missing"]]);
    expect(error).toMatchObject({ code: "model_failover_exhausted" });
    expect(inspect(error)).toContain("openai/gpt-5.4 (api_key_missing");
    expect(emu.requests).toHaveLength(0);
  });
});

describe("failover rules", () => {
  it("the chain follows the primary only, without duplicates", () => {
    expect(failoverChain("openai/gpt-5.4", "openai/gpt-5.4", ["openai/gpt-4.1", "openai/gpt-5.4", "openai/gpt-4.1"])).toEqual(["openai/gpt-5.4", "openai/gpt-4.1"]);
    expect(failoverChain("openai/gpt-4.1", "openai/gpt-5.4", ["openai/gpt-4.1"])).toEqual(["openai/gpt-4.1"]);
    expect(failoverChain("openai/gpt-5.4", "openai/gpt-5.4", undefined)).toEqual(["openai/gpt-5.4"]);
  });

  it("classifies by code, server code and status", () => {
    expect(canFailOver({ code: "api_error", status: 502 })).toBe(true);
    expect(canFailOver({ code: "api_error", status: 400, serverCode: "invalid_value" })).toBe(false);
    expect(canFailOver({ code: "api_error", status: 400, serverCode: "model_not_found" })).toBe(true);
    expect(canFailOver({ code: "server_stream_error", serverCode: "content_policy_violation" })).toBe(false);
    expect(canFailOver({ code: "stream_interrupted" })).toBe(false);
    expect(canFailOver({ code: "aborted" })).toBe(false);
    // Runners that only report an errorCode (the Codex harness, response.failed).
    expect(canFailOver(undefined, "codex_usage_limit")).toBe(true);
    expect(canFailOver(undefined, "server_error")).toBe(true);
    expect(canFailOver(undefined, "codex_context_window_exceeded")).toBe(false);
  });
});
