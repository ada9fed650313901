import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore, type OutputItem } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { RateLimitError, UsageLimitError } from "@genesis/transport";
import { CodexRateLimitError } from "./codex-limit-error.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexCredentialStore } from "./codex-credential-store.js";
import { buildCodexRequestBody, isNativeCodexEndpoint } from "./codex-request.js";
import { createCodexProvider, type CodexProvider } from "./codex-provider.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

let emu: Emulator;
let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
let home: string;
let provider: CodexProvider | undefined;
const EXP = Math.floor(Date.now() / 1000) + 3600;
const ACCESS = fakeJwt({ accountId: "acct_chat", exp: EXP, plan: "pro" });

beforeEach(async () => {
  emu = await startEmulator();
  peer = await startOAuthPeer();
  home = await mkdtemp(join(tmpdir(), "genesis-prov-"));
  await codexCredentialStore(openAuthStore({ home, env: {} })).save({
    kind: "oauth", provider: "openai-codex", access: ACCESS, refresh: "rt-chat", accountId: "acct_chat", expiresAt: EXP * 1000, updatedAt: Date.now(),
  });
});
afterEach(async () => {
  provider?.close();
  provider = undefined;
  await emu.close();
  await peer.close();
  await rm(home, { recursive: true, force: true });
});

function makeProvider(mode: "sse" | "auto" | "websocket") {
  const settings = resolveCodexOAuthSettings({ issuer: peer.url, codexBaseUrl: emu.codexBase }, {});
  const credentials = new CodexCredentialManager({ store: codexCredentialStore(openAuthStore({ home, env: {} })), settings });
  provider = createCodexProvider({ credentials, settings, mode, transport: { maxRetries: 0 } });
  return provider;
}

describe("openai-codex provider against the emulator's Codex backend", () => {
  it("runs a chat turn over SSE with the Codex headers and body", async () => {
    emu.script({ text: "Hello from Codex", usage: { input: 12, cached: 4, output: 5 } });
    const p = makeProvider("sse");
    const events: string[] = [];
    let text = "";
    for await (const event of p.streamTurn({
      model: "gpt-5.5", sessionId: "sess-42", turnId: "turn-1", instructions: "Be brief.",
      input: [{ type: "message", role: "user", content: "hi" }],
      reasoning: { effort: "medium" }, fastMode: true,
      tools: [{ name: "lookup", description: "Look up", parameters: { type: "object", properties: {} } }],
    })) {
      events.push(event.type);
      if (event.type === "text.delta") text += event.delta;
    }
    expect(text).toBe("Hello from Codex");
    expect(events.at(-1)).toBe("response.done");
    const req = emu.requests.find((r) => r.path === "/backend-api/codex/responses")!;
    expect(req.method).toBe("POST");
    expect(req.transport).toBe("http");
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${ACCESS}`);
    expect(req.headers).toMatchObject({
      "chatgpt-account-id": "acct_chat", originator: "genesis", session_id: "sess-42", "x-client-request-id": "turn-1",
      "openai-beta": "responses=experimental", accept: "text/event-stream",
    });
    expect(req.headers["user-agent"]).toMatch(/^genesis\//);
    expect(req.body).toEqual({
      model: "gpt-5.5", instructions: "Be brief.", input: [{ type: "message", role: "user", content: "hi" }],
      store: false, stream: true, include: ["reasoning.encrypted_content"], prompt_cache_key: "sess-42",
      tools: [{ type: "function", name: "lookup", description: "Look up", parameters: { type: "object", properties: {} }, strict: false }],
      tool_choice: "auto", parallel_tool_calls: true, reasoning: { effort: "medium", summary: "auto" },
    });
    // Fast mode is not forwarded to a non-native (loopback) endpoint.
    expect(req.body).not.toHaveProperty("service_tier");
  });

  it("uses the WebSocket first in auto mode with the Codex beta header, and replays encrypted reasoning", async () => {
    emu.script({ text: "first", reasoning: { summary: "thinking", encryptedContent: "enc-blob-1" } }, { text: "second" });
    const p = makeProvider("auto");
    const turn1 = p.streamTurn({ model: "gpt-5.5", sessionId: "sess-ws", input: [{ type: "message", role: "user", content: "one" }] });
    const done1 = await turn1.finalResponse();
    expect(p.state().lastTransport).toBe("websocket");
    const reasoning = done1.output.find((i: OutputItem) => i.type === "reasoning")!;
    expect(reasoning.encrypted_content).toBe("enc-blob-1");
    const history = [{ type: "message" as const, role: "user" as const, content: "one" }, ...done1.output, { type: "message" as const, role: "user" as const, content: "two" }];
    await p.streamTurn({ model: "gpt-5.5", sessionId: "sess-ws", input: history }).finalResponse();
    const ws = emu.requests.filter((r) => r.path === "/backend-api/codex/responses" && r.transport === "websocket");
    expect(ws.length).toBeGreaterThanOrEqual(1);
    expect(ws[0]!.headers["openai-beta"]).toBe("responses_websockets=2026-02-06");
    expect(ws[0]!.headers["chatgpt-account-id"]).toBe("acct_chat");
    const frames = ws.flatMap((r) => r.frames ?? []) as Record<string, unknown>[];
    const creates = frames.filter((f) => f.type === "response.create" && f.generate !== false);
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatchObject({ model: "gpt-5.5", store: false, prompt_cache_key: "sess-ws", include: ["reasoning.encrypted_content"] });
    const replayed = (creates[1]!.input as Record<string, unknown>[]).find((i) => i.type === "reasoning");
    expect(replayed).toMatchObject({ type: "reasoning", encrypted_content: "enc-blob-1" });
  });

  it("turns a usage-limit answer into UsageLimitError with plan and reset time", async () => {
    emu.fault({ kind: "usage-limit", planType: "plus", resetsAt: Math.floor(Date.now() / 1000) + 30 * 60, match: { path: "/backend-api/codex/responses" } });
    const p = makeProvider("sse");
    const error = await p.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).plan).toBe("plus");
    expect((error as Error).message).toMatch(/plus plan.*resets in (29|30) min/);
  });

  it("types a usage limit without plan_type with the token's plan (WebSocket and SSE)", async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 10 * 60;
    const body = { error: { code: "usage_limit_reached", message: "The usage limit has been reached", resets_at: resetsAt } };
    for (const mode of ["auto", "sse"] as const) {
      // On the WebSocket wire the limit answers the upgrade; over SSE it answers the POST.
      emu.fault(mode === "auto"
        ? { kind: "ws-upgrade-status", status: 429, body, match: { path: "/backend-api/codex/responses" } }
        : { kind: "http-status", status: 429, body, match: { path: "/backend-api/codex/responses" } });
      const p = makeProvider(mode);
      const error = await p.streamTurn({ model: "gpt-5.5", sessionId: `s-${mode}`, input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
      expect(error, mode).toBeInstanceOf(UsageLimitError);
      expect((error as UsageLimitError).plan).toBe("pro");
      expect((error as Error).message).toMatch(/pro plan.*resets in (9|10) min/);
      // A usage limit is final: auto mode must not retry it over SSE.
      if (mode === "auto") expect(emu.requests.filter((r) => r.path === "/backend-api/codex/responses" && r.transport === "http")).toHaveLength(0);
      provider?.close();
    }
  });

  it("keeps a plain 429 a RateLimitError (retryable throttling), with plan and 'resets in N min' from Retry-After", async () => {
    emu.fault({ kind: "rate-limit", retryAfter: "150", match: { path: "/backend-api/codex/responses" } });
    const p = makeProvider("sse");
    const error = await p.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexRateLimitError);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).not.toBeInstanceOf(UsageLimitError);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, plan: "pro", resetsInMin: 3, retryAfterMs: 150_000, serverCode: "rate_limit_exceeded" });
    expect((error as Error).message).toBe("The ChatGPT/Codex backend is rate limiting requests (pro plan); resets in 3 min.");
    emu.fault({ kind: "rate-limit", match: { path: "/backend-api/codex/responses" } });
    const bare = await p.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
    expect((bare as Error).message).toBe("The ChatGPT/Codex backend is rate limiting requests (pro plan); try again in a moment.");
  });

  it("refreshes once after a 401 and retries with the new token", async () => {
    const fresh = fakeJwt({ accountId: "acct_chat", exp: EXP + 100 });
    peer.answer("/oauth/token", { status: 200, body: { access_token: fresh, refresh_token: "rt-chat-2" } });
    emu.fault({ kind: "http-status", status: 401, match: { path: "/backend-api/codex/responses" } });
    emu.script({ text: "after refresh" });
    const p = makeProvider("sse");
    const done = await p.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse();
    expect(done.status).toBe("completed");
    const calls = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
    expect(calls).toHaveLength(2);
    expect(emu.authHeaderOf(calls[1]!.id)).toBe(`Bearer ${fresh}`);
    expect(peer.requests).toHaveLength(1);
  });
});

describe("attribution headers", () => {
  // Records the host asked for, then hands the request to the emulator (no traffic leaves loopback).
  const hosts: string[] = [];
  const forward: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    hosts.push(url.host);
    return fetch(`${emu.url}${url.pathname}${url.search}`, init);
  };

  it.each([
    ["a proxy", "https://codex-gateway.example.com/backend-api/codex", false],
    ["chatgpt.com", "https://chatgpt.com/backend-api/codex", true],
  ])("sends originator and the genesis User-Agent to %s only when verified, and the account headers always", async (_label, base, verified) => {
    emu.script({ text: "ok" });
    const settings = resolveCodexOAuthSettings({ issuer: peer.url, codexBaseUrl: base }, {});
    const credentials = new CodexCredentialManager({ store: codexCredentialStore(openAuthStore({ home, env: {} })), settings });
    provider = createCodexProvider({ credentials, settings, mode: "sse", fetch: forward, transport: { maxRetries: 0 } });
    const done = await provider.streamTurn({ model: "gpt-5.5", sessionId: "s-attr", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse();
    expect(done.status).toBe("completed");
    expect(hosts.at(-1)).toBe(new URL(base).host);
    const req = emu.requests.find((r) => r.path === "/backend-api/codex/responses")!;
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${ACCESS}`);
    expect(req.headers).toMatchObject({ "chatgpt-account-id": "acct_chat", session_id: "s-attr", "openai-beta": "responses=experimental" });
    if (verified) {
      expect(req.headers).toMatchObject({ originator: "genesis", "user-agent": expect.stringMatching(/^genesis\//) });
    } else {
      expect(req.headers).not.toHaveProperty("originator");
      expect(req.headers["user-agent"]).not.toMatch(/genesis/);
    }
  });
});

describe("concurrent 401s", () => {
  it("share one refresh and each turn is retried once", async () => {
    const fresh = fakeJwt({ accountId: "acct_chat", exp: EXP + 200 });
    peer.answer("/oauth/token", { status: 200, body: { access_token: fresh, refresh_token: "rt-chat-3" } });
    emu.fault({ kind: "http-status", status: 401, match: { path: "/backend-api/codex/responses" }, times: 3 });
    const p = makeProvider("sse");
    const turns = await Promise.all(
      [1, 2, 3].map((n) => p.streamTurn({ model: "gpt-5.5", sessionId: `s${n}`, input: [{ type: "message", role: "user", content: `m${n}` }] }).finalResponse()),
    );
    expect(turns.every((t) => t.status === "completed")).toBe(true);
    expect(peer.requests.filter((r) => r.path === "/oauth/token")).toHaveLength(1);
    const calls = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
    expect(calls).toHaveLength(6);
    expect(calls.slice(3).every((r) => emu.authHeaderOf(r.id) === `Bearer ${fresh}`)).toBe(true);
  });
});

describe("request shaping", () => {
  it("sends service_tier only to native Codex endpoints", () => {
    expect(isNativeCodexEndpoint("https://chatgpt.com/backend-api/codex")).toBe(true);
    expect(isNativeCodexEndpoint("https://proxy.example.com/backend-api/codex")).toBe(false);
    expect(isNativeCodexEndpoint("http://127.0.0.1:9/backend-api/codex")).toBe(false);
    const req = { model: "gpt-5.5", sessionId: "s", input: [], fastMode: true };
    expect(buildCodexRequestBody(req, { native: true }).service_tier).toBe("priority");
    expect(buildCodexRequestBody({ ...req, serviceTier: "flex" }, { native: true }).service_tier).toBe("flex");
    expect(buildCodexRequestBody(req, { native: false })).not.toHaveProperty("service_tier");
    expect(buildCodexRequestBody(req, { native: false }).instructions).toBe("You are a helpful assistant.");
  });
});
