import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { createRequire } from "node:module";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { openAuthStore } from "@genesis/core";
import { createAgent, type Agent, type AgentOptions } from "./create-agent.js";

const KEY = "azure-resource-key-0123456789abcdef";
const DEP = "gpt-5-4-prod";
const REF = `azure-openai-responses/${DEP}`;
const AZURE_PATH = "/openai/v1/responses";

let emu: Emulator;
let home: string;
let agent: Agent | undefined;

// apiKeys makes the emulator refuse any other key, like a real Azure resource.
beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY] });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-azure-agent-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

/** The provider block as the spec documents it: the bare resource URL; Genesis adds /openai/v1. */
async function config(provider: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, params: Record<string, unknown> = { transport: "sse" }) {
  const doc = {
    models: { providers: { "azure-openai-responses": { baseUrl: emu.url, endpointClass: "azure", models: [{ id: DEP }], ...provider } } },
    agents: { defaults: { model: { primary: REF }, models: { [REF]: { params } } } },
    ...extra,
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

const azureCalls = () => emu.requests.filter((r) => r.path === AZURE_PATH);
// The transport's own WebSocket implementation (`ws`, its dependency), subclassed to see every socket.
const WS = createRequire(new URL("../../transport/package.json", import.meta.url))("ws") as NonNullable<AgentOptions["WebSocket"]>;

describe("createAgent with azure-openai-responses/<deployment>", () => {
  it("SSE: posts to /openai/v1/responses with api-key, the deployment as model and no api-version", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    emu.script({ text: "Hello from the Azure deployment." });
    const result = await agent.run("hi");
    expect(result).toMatchObject({ outcome: "completed", text: "Hello from the Azure deployment." });
    const calls = azureCalls();
    expect(calls).toHaveLength(1);
    const rec = calls[0]!;
    expect(rec.method).toBe("POST");
    expect(rec.transport).toBe("http");
    expect(rec.query).toEqual({});
    expect(rec.headers["api-key"]).toBe("[redacted]");
    expect(emu.authHeaderOf(rec.id)).toBe(KEY);
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.headers.originator).toBeUndefined();
    expect(rec.headers["user-agent"] ?? "").not.toMatch(/genesis/i);
    expect(rec.body).toMatchObject({ model: DEP, stream: true, store: true, input: [{ type: "message", role: "user", content: "hi" }] });
    // Nothing went to the generic OpenAI paths.
    expect(emu.requests.filter((r) => r.path !== AZURE_PATH)).toEqual([]);
  });

  it("transport auto (Azure routes default to SSE): warms and streams over the WebSocket on the Azure path", async () => {
    await config({}, {}, { transport: "auto" });
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    const result = await agent.run("ping");
    expect(result).toMatchObject({ outcome: "completed", text: "Echo: ping", done: { transport: "websocket" } });
    const ws = azureCalls().filter((r) => r.transport === "websocket");
    expect(ws.length).toBeGreaterThan(0);
    expect(ws[0]!.headers["api-key"]).toBe("[redacted]");
    const frames = ws.flatMap((r) => r.frames ?? []) as Record<string, unknown>[];
    expect(frames[0]).toMatchObject({ type: "response.create", model: DEP, generate: false });
    expect(frames.at(-1)).toMatchObject({ type: "response.create", model: DEP });
  });

  it("the same resource URL written with /openai or /openai/v1 and a stored key work too", async () => {
    const store = openAuthStore({ env: { GENESIS_HOME: home } });
    await store.update((current) => {
      current.profiles["azure-openai-responses"] = { kind: "api_key", provider: "azure-openai-responses", key: KEY, createdAt: 1 };
      return { next: current, result: undefined };
    });
    for (const baseUrl of [`${emu.url}/openai`, `${emu.url}/openai/v1/`]) {
      await config({ baseUrl });
      agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
      expect((await agent.run("x")).outcome).toBe("completed");
      await agent.close();
      agent = undefined;
    }
    expect(azureCalls().map((r) => emu.authHeaderOf(r.id))).toEqual([KEY, KEY]);
  });

  it("web search enabled in config adds the spec-valid web_search tool, as the azure provider does", async () => {
    await config({}, { tools: { web: { search: { enabled: true, contextSize: "low", allowedDomains: ["learn.microsoft.com"] } } } });
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home, tools: new (await import("./tool-registry.js")).ToolRegistry() });
    emu.script({ webSearch: { query: "azure regions" }, text: "Found it." });
    const result = await agent.run("which regions?");
    expect(result).toMatchObject({ outcome: "completed", text: "Found it." });
    expect(azureCalls().at(-1)!.body).toMatchObject({
      model: DEP,
      tools: [{ type: "web_search", search_context_size: "low", filters: { allowed_domains: ["learn.microsoft.com"] } }],
    });
  });

  it("server-side compaction param reaches the Azure request", async () => {
    await config({}, {}, { transport: "sse", responsesServerCompaction: true, responsesCompactThreshold: 50_000 });
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    await agent.run("x");
    expect(azureCalls().at(-1)!.body).toMatchObject({ store: true, context_management: [{ type: "compaction", compact_threshold: 50_000 }] });
  });

  it("a wrong key fails the turn with the typed auth error, an Azure hint, and no key anywhere", async () => {
    const wrong = "azure-wrong-key-ffffffffffffffff";
    await config({ apiKey: wrong });
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    const result = await agent.run("x");
    expect(result.outcome).toBe("failed");
    expect(result.done.errorCode).toBe("auth_failed");
    expect(result.done.reason).toContain("AZURE_OPENAI_API_KEY");
    expect(result.done.reason).toContain("genesis onboard --auth-choice azure-openai");
    expect(azureCalls().length).toBeGreaterThan(0);
    expect(emu.authHeaderOf(azureCalls()[0]!.id)).toBe(wrong);
    const session = await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8");
    for (const text of [JSON.stringify(result.events), session, inspect(agent, { depth: 6 })]) expect(text).not.toContain(wrong);
  });

  it.each([
    ["an Azure portal page", "https://portal.azure.com/#@contoso.onmicrosoft.com/resource/subscriptions/x/overview", "Azure portal page"],
    ["a deployment URL copied from the portal", "DEPLOYMENT", "points at a deployment"],
  ])("%s as baseUrl is refused with the azure package's hint before any request", async (_label, url, message) => {
    const baseUrl = url === "DEPLOYMENT" ? `${emu.url}/openai/deployments/${DEP}/chat/completions?api-version=2024-12-01-preview` : url;
    await config({ baseUrl });
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    const result = await agent.run("x");
    expect(result.outcome).toBe("failed");
    expect(result.done.errorCode).toBe("azure_invalid_base_url");
    expect(result.done.reason).toContain(message);
    expect(result.done.reason).toMatch(/hint: .*resource/i);
    expect(emu.requests).toEqual([]);
  });

  it("a Chat Completions api on the Azure provider is refused with a typed error naming the setting", async () => {
    await config({ api: "openai-completions" });
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    const result = await agent.run("x");
    expect(result.done).toMatchObject({ outcome: "failed", errorCode: "azure_unsupported_api" });
    expect(result.done.reason).toContain('models.providers["azure-openai-responses"].api');
    expect(emu.requests).toEqual([]);
  });

  it("a 429 is retried and the turn still completes on the Azure path", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    emu.fault({ kind: "rate-limit", retryAfterMs: "1" });
    expect((await agent.run("x")).outcome).toBe("completed");
    expect(azureCalls()).toHaveLength(2);
  });

  it("concurrent first turns share one provider, and close() closes every socket it opened", async () => {
    await config({}, {}, { transport: "auto" });
    const sockets: InstanceType<typeof WS>[] = [];
    class Tracked extends WS {
      constructor(...args: ConstructorParameters<typeof WS>) {
        super(...args);
        sockets.push(this);
      }
    }
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home, WebSocket: Tracked as never });
    const [a, b] = await Promise.all([agent.createSession(), agent.createSession()]);
    const results = await Promise.all([agent.run("one", { sessionId: a.id }), agent.run("two", { sessionId: b.id })]);
    expect(results.map((r) => r.done.transport)).toEqual(["websocket", "websocket"]);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    // One provider: a WebSocket cool-down on the endpoint shows in both sessions' status.
    emu.fault({ kind: "ws-refuse", times: 5 });
    const c = await agent.createSession();
    await agent.run("three", { sessionId: c.id });
    expect((await agent.status(a.id)).transport.wsDegraded).toBe(true);
    await agent.close();
    agent = undefined;
    expect(sockets.filter((s) => s.readyState === WS.OPEN || s.readyState === WS.CONNECTING)).toEqual([]);
  });

  it("aborting the turn stops it", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: KEY }, cwd: home });
    const abort = new AbortController();
    abort.abort();
    expect((await agent.run("x", { signal: abort.signal })).outcome).toBe("aborted");
    expect(azureCalls()).toEqual([]);
  });
});
