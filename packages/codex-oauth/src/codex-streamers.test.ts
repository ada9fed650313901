import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore, resolveRoute } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexCredentialStore } from "./codex-credential-store.js";
import { createCodexStreamers } from "./codex-streamers.js";
import { fakeJwt } from "./__fixtures__/oauth-peer.js";

let emu: Emulator;
let home: string;
beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-streamers-"));
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

describe("createCodexStreamers (the runtime's openai-codex provider factory)", () => {
  it("runs a turn on the route core resolves for openai-codex/gpt-5.5", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const access = fakeJwt({ accountId: "acct_rt", exp });
    await codexCredentialStore(openAuthStore({ home, env: {} })).save({
      kind: "oauth", provider: "openai-codex", access, refresh: "rt", accountId: "acct_rt", expiresAt: exp * 1000, updatedAt: Date.now(),
    });
    const config = {
      auth: { openaiCodex: { codexBaseUrl: `${emu.url}/backend-api` } },
      agents: { defaults: { models: { "openai-codex/gpt-5.5": { params: { transport: "sse" as const } } } } },
    };
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", config, auth: { oauth: { "openai-codex": { accountId: "acct_rt", expiresAt: exp * 1000 } } }, env: {} });
    expect(route).toMatchObject({ provider: "openai-codex", modelId: "gpt-5.5", runtime: "pi", baseUrl: `${emu.url}/backend-api/codex`, contextWindow: 1_000_000, contextTokens: 272_000 });
    const streamers = createCodexStreamers({ env: { GENESIS_HOME: home } });
    const streamer = streamers(route);
    emu.script({ text: "pong" });
    let text = "";
    for await (const e of streamer.streamTurn({ instructions: "Be terse.", input: [{ type: "message", role: "user", content: "ping" }] }, { sessionId: "sess-rt", turnId: "t1" })) {
      if (e.type === "text.delta") text += e.delta;
    }
    expect(text).toBe("pong");
    expect(streamer.state()).toMatchObject({ mode: "sse", lastTransport: "sse", wsDegraded: false });
    const req = emu.requests.find((r) => r.path === "/backend-api/codex/responses")!;
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${access}`);
    expect(req.headers).toMatchObject({ "chatgpt-account-id": "acct_rt", session_id: "sess-rt", "openai-beta": "responses=experimental" });
    expect(req.body).toMatchObject({ model: "gpt-5.5", instructions: "Be terse.", store: false, prompt_cache_key: "sess-rt", include: ["reasoning.encrypted_content"] });
    await streamer.close();
    streamers.close();
  });

  it("warms the session's WebSocket ahead of the first turn in auto mode", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await codexCredentialStore(openAuthStore({ home, env: {} })).save({
      kind: "oauth", provider: "openai-codex", access: fakeJwt({ accountId: "acct_w", exp }), refresh: "rt", accountId: "acct_w", expiresAt: exp * 1000, updatedAt: 0,
    });
    const streamers = createCodexStreamers({ env: { GENESIS_HOME: home } });
    const streamer = streamers({ modelId: "gpt-5.5", baseUrl: emu.codexBase, transport: "auto", params: {} });
    await streamer.warm("sess-w");
    await streamer.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "sess-w" })[Symbol.asyncIterator]().next();
    const ws = emu.requests.filter((r) => r.transport === "websocket" && r.path === "/backend-api/codex/responses");
    expect(ws).toHaveLength(1);
    const frames = (ws[0]!.frames ?? []) as Record<string, unknown>[];
    expect(frames[0]).toMatchObject({ type: "response.create", model: "gpt-5.5", generate: false });
    streamers.close();
  });

  it("sends service_tier on a loopback backend only when the route says native-codex", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await codexCredentialStore(openAuthStore({ home, env: {} })).save({
      kind: "oauth", provider: "openai-codex", access: fakeJwt({ accountId: "acct_n", exp }), refresh: "rt", accountId: "acct_n", expiresAt: exp * 1000, updatedAt: 0,
    });
    const streamers = createCodexStreamers({ env: { GENESIS_HOME: home } });
    const base = { modelId: "gpt-5.5", baseUrl: emu.codexBase, transport: "sse" as const, params: {}, serviceTier: "priority" };
    for (const endpointClass of ["native-codex", undefined, "compat"]) {
      emu.script({ text: "ok" });
      const streamer = streamers({ ...base, endpointClass });
      for await (const _ of streamer.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: `s-${endpointClass}` })) {
        // drain the turn
      }
    }
    const bodies = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").map((r) => (r.body as { service_tier?: string }).service_tier);
    // native-codex forces native shaping; a 127.0.0.1 host alone, or a compat class, does not.
    expect(bodies).toEqual(["priority", undefined, undefined]);
    streamers.close();
  });

  it("reports not_signed_in when no sign-in is stored", async () => {
    const streamers = createCodexStreamers({ env: { GENESIS_HOME: home } });
    const route = { modelId: "gpt-5.5", baseUrl: emu.codexBase, transport: "sse" as const, params: {} };
    const turn = streamers(route).streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s" });
    const error = await (async () => {
      for await (const _ of turn) {
        // nothing expected
      }
    })().catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe("not_signed_in");
    expect(emu.requests.filter((r) => r.path.startsWith("/backend-api"))).toHaveLength(0);
    streamers.close();
  });
});
