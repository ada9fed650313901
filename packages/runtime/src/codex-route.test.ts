import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { defaultCatalog, openAuthStore } from "@genesis/core";
import { createAgent } from "./create-agent.js";

let emu: Emulator;
let home: string;
beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-codex-route-"));
});
afterEach(() => emu.reset());
afterAll(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

async function signIn(transport: "sse" | "auto", extra: Record<string, unknown> = {}) {
  await writeFile(join(home, "genesis.json5"), JSON.stringify({
    // models.providers["openai-codex"].baseUrl is the backend base the route uses (…/backend-api/codex).
    models: { providers: { "openai-codex": { baseUrl: emu.codexBase } } },
    auth: { openaiCodex: { issuer: emu.authIssuer } },
    agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" }, models: { "openai-codex/gpt-5.5": { params: { transport, ...extra } } } } },
  }));
  const tokens = emu.auth.issueTokens({ accountId: "acct_123" });
  await openAuthStore({ home }).update(() => ({
    next: { version: 1, profiles: { "openai-codex": { kind: "oauth", provider: "openai-codex", access: tokens.access_token, refresh: tokens.refresh_token, accountId: "acct_123", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() } } },
    result: undefined,
  }));
}
const env = () => ({ GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer });
const signedIn = { oauth: { "openai-codex": { accountId: "acct_123", expiresAt: Date.now() + 3_600_000 } } };

describe("openai-codex/* through the pi runtime", () => {
  it("creating an agent (not importing the runtime) registers the openai-codex/gpt-5.5 catalog recovery", () => {
    expect(defaultCatalog().recover({ provider: "openai-codex", modelId: "gpt-5.5", auth: signedIn })).toBeUndefined();
    const agent = createAgent({ env: env(), cwd: home });
    expect(defaultCatalog().recover({ provider: "openai-codex", modelId: "gpt-5.5", auth: signedIn })).toMatchObject({ source: "recovered", contextTokens: 272_000 });
    return agent.close();
  });

  it("runs a tool turn on the Codex backend with the stored sign-in", async () => {
    await signIn("sse");
    const agent = createAgent({ env: env(), cwd: home });
    try {
      emu.script({ toolCalls: [{ name: "get_time", arguments: {} }] }, { text: "Codex says hi." });
      const result = await agent.run("time?");
      expect(result).toMatchObject({ outcome: "completed", text: "Codex says hi." });
      const calls = emu.requests.filter((r) => r.path.endsWith("/codex/responses"));
      expect(calls).toHaveLength(2);
      expect(calls[0]!.headers["chatgpt-account-id"]).toBe("acct_123");
      expect(calls[1]!.body).toMatchObject({ model: "gpt-5.5", store: false, prompt_cache_key: result.sessionId });
      expect((calls[1]!.body as { input: { type: string }[] }).input.map((i) => i.type)).toContain("function_call_output");
      expect((await agent.status(result.sessionId)).runtimeLabel).toBe("Genesis Pi Default");
    } finally {
      await agent.close();
    }
  });

  it("warms the session's Codex WebSocket before its first turn (on by default, once per session)", async () => {
    await signIn("auto");
    const agent = createAgent({ env: env(), cwd: home });
    try {
      const first = await agent.run("hello over the socket");
      expect(first).toMatchObject({ outcome: "completed", text: "Echo: hello over the socket" });
      await agent.run("again", { sessionId: first.sessionId });
      const frames = emu.requests.filter((r) => r.transport === "websocket" && r.path.endsWith("/codex/responses")).flatMap((r) => r.frames ?? []) as { type: string; generate?: boolean; model?: string }[];
      expect(frames.map((f) => f.generate === false ? "warm" : "turn")).toEqual(["warm", "turn", "turn"]);
      expect(frames[0]).toMatchObject({ type: "response.create", model: "gpt-5.5", generate: false });
    } finally {
      await agent.close();
    }
  });

  it("params.openaiWsWarmup: false sends no warm-up", async () => {
    await signIn("auto", { openaiWsWarmup: false });
    const agent = createAgent({ env: env(), cwd: home });
    try {
      await agent.run("no warm-up");
      const frames = emu.requests.filter((r) => r.transport === "websocket").flatMap((r) => r.frames ?? []) as { generate?: boolean }[];
      expect(frames).toHaveLength(1);
      expect(frames[0]!.generate).toBeUndefined();
    } finally {
      await agent.close();
    }
  });
});
