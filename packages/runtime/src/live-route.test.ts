import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { openAuthStore } from "@genesis/core";
import { createAgent, type Agent } from "./create-agent.js";
import { formatStatus } from "./agent-status.js";

// The agent agrees with `genesis models route` / `models list`: a model the live listing
// serves is usable in a turn, not only in the CLI's report.
let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-live-route-test-0123456789";

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-live-route-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  emu.setCodexModels();
  await rm(home, { recursive: true, force: true });
});

async function config(defaults: Record<string, unknown> = {}) {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" }, "openai-codex": { baseUrl: emu.codexBase } } },
    auth: { openaiCodex: { issuer: emu.authIssuer } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.5": { params: { transport: "sse" } }, "openai/gpt-5.4": { params: { transport: "sse" } }, "openai-codex/gpt-5.3-codex": { params: { transport: "sse" } } }, ...defaults } },
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

async function signIn() {
  const tokens = emu.auth.issueTokens({ accountId: "acct_live" });
  await openAuthStore({ home }).update(() => ({
    next: { version: 1, profiles: { "openai-codex": { kind: "oauth", provider: "openai-codex", access: tokens.access_token, refresh: tokens.refresh_token, accountId: "acct_live", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() } } },
    result: undefined,
  }));
}

const paths = () => emu.requests.map((r) => `${r.method} ${r.path}`);

describe("routes the live listing lifts", () => {
  it("openai/gpt-5.5 listed by /v1/models runs on the API key; the listing is read once per agent", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    const session = await agent.createSession({ model: "openai/gpt-5.5" });
    const first = await agent.run("hi", { sessionId: session.id });
    const second = await agent.run("again", { sessionId: session.id });
    expect([first.outcome, second.outcome]).toEqual(["completed", "completed"]);
    expect(paths()).toEqual(["GET /v1/models", "POST /v1/responses", "POST /v1/responses"]);
    expect(emu.authHeaderOf(0)).toBe(`Bearer ${KEY}`);
    expect(emu.requests.filter((r) => r.path === "/v1/responses").map((r) => (r.body as { model: string }).model)).toEqual(["gpt-5.5", "gpt-5.5"]);
    const route = await agent.route(session.id);
    expect(route.blockers).toEqual([]);
    expect(route.reasons).toContainEqual(expect.objectContaining({ field: "apiEnabled", why: expect.stringContaining("live openai model listing") }));
    expect(paths()).toHaveLength(3);
  });

  it("a route that is not blocked sends no listing request", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    const result = await agent.run("plain");
    expect(result.outcome).toBe("completed");
    expect(paths()).toEqual(["POST /v1/responses"]);
  });

  it("a failed /v1/models keeps model_not_api_enabled, says the live check failed, and never shows the key", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    emu.fault({ kind: "http-status", status: 401, times: 2, match: { path: "/v1/models" }, body: { error: { message: `Incorrect API key provided: ${KEY}`, type: "invalid_request_error", param: null, code: "invalid_api_key" } } });
    const session = await agent.createSession({ model: "openai/gpt-5.5" });
    const error = await agent.run("hi", { sessionId: session.id }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "model_not_api_enabled", message: expect.stringMatching(/not enabled on the public OpenAI API yet\. \(Checking the live openai model listing failed: .*401/) });
    expect((error as { hint?: string }).hint).toMatch(/openai-codex\/gpt-5\.5/);
    expect(inspect(error)).not.toContain(KEY);
    expect(String((error as Error).message)).not.toContain(KEY);
    expect(emu.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(0);
    // Not remembered: once the listing works, the next turn goes through.
    const ok = await agent.run("hi again", { sessionId: session.id });
    expect(ok.outcome).toBe("completed");
    expect(paths().filter((p) => p === "GET /v1/models")).toHaveLength(3);
  });

  it("a live-only Codex model (signed in) resolves from the Codex backend's /models and runs", async () => {
    await config();
    await signIn();
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    const session = await agent.createSession({ model: "openai-codex/gpt-5.3-codex" });
    expect(session.modelRef).toBe("openai-codex/gpt-5.3-codex");
    emu.script({ text: "live-only model here" });
    const result = await agent.run("hi", { sessionId: session.id });
    expect(result).toMatchObject({ outcome: "completed", text: "live-only model here" });
    const listing = emu.requests.filter((r) => r.path === "/backend-api/codex/models");
    expect(listing).toHaveLength(1);
    expect(listing[0]!.headers["chatgpt-account-id"]).toBe("acct_live");
    const turns = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
    expect(turns.map((r) => (r.body as { model: string }).model)).toEqual(["gpt-5.3-codex"]);
    expect((await agent.status(session.id)).model).toBe("openai-codex/gpt-5.3-codex");
    expect(emu.requests.filter((r) => r.path === "/backend-api/codex/models")).toHaveLength(1);
  });

  it("a Codex model neither the catalog nor the backend knows stays unknown_model, with the failed check noted", async () => {
    await config();
    await signIn();
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    // The backend fails (500, then its one retry): the original error stands, with a note.
    emu.fault({ kind: "http-status", status: 500, times: 2, match: { path: "/backend-api/codex/models" } });
    const error = await agent.createSession({ model: "openai-codex/gpt-5.3-codex" }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "unknown_model", message: expect.stringMatching(/^Unknown model openai-codex\/gpt-5\.3-codex\. \(Checking the live openai-codex model listing failed: .*500/) });
    expect(inspect(error)).not.toMatch(/Bearer|eyJ/);
    // The backend answers but does not list the model: plain unknown_model, and the listing is kept.
    const unknown = await agent.createSession({ model: "openai-codex/gpt-9-nonexistent" }).then(() => undefined, (e: unknown) => e);
    expect(unknown).toMatchObject({ code: "unknown_model" });
    expect((unknown as Error).message).not.toContain("live");
    await agent.createSession({ model: "openai-codex/gpt-9-other" }).catch(() => undefined);
    expect(emu.requests.map((r) => r.path)).toEqual(Array(3).fill("/backend-api/codex/models"));
  });

  it("without a Codex sign-in an unknown openai-codex/* model is refused without any request", async () => {
    await config();
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    await expect(agent.createSession({ model: "openai-codex/gpt-5.3-codex" })).rejects.toMatchObject({ code: "unknown_model" });
    expect(emu.requests).toHaveLength(0);
  });
});

describe("/status on the default (lazy) Codex runner", () => {
  it("does not claim service_tier priority before the Codex catalog was read", async () => {
    await config({ embeddedHarness: { runtime: "codex" }, models: { "openai/gpt-5.5": { params: { fastMode: true } } } });
    // No runners option: the default lazy runner. No codex binary exists, so nothing can load.
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY, GENESIS_CODEX_BIN: join(home, "no-codex") }, cwd: home });
    const session = await agent.createSession({ model: "openai/gpt-5.5" });
    expect(session.runtime).toBe("codex");
    const status = await agent.status(session.id);
    expect(status).toMatchObject({ fastMode: true, transport: { mode: "app-server" } });
    expect(status.serviceTier).toBeUndefined();
    expect(status.serviceTierNote).toMatch(/^unconfirmed: .*gpt-5\.5/);
    expect(formatStatus(status)).toMatch(/Fast mode: on \(config\); service_tier unconfirmed: /);
    await agent.setOverride(session.id, "fastMode", false);
    expect((await agent.status(session.id)).serviceTierNote).toBeUndefined();
    expect(emu.requests).toHaveLength(0);
  });
});
