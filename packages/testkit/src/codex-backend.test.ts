import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSocket, post, sseFrames } from "./__fixtures__/clients.js";
import { signJwt } from "./_jwt.js";
import { EMULATOR_CODEX_MODELS, startEmulator, type Emulator } from "./index.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ now: () => 1_800_000_000_000 });
});
afterEach(() => emu.close());

function token(accountId: string | undefined, exp = 1_800_003_600): string {
  const claims: Record<string, unknown> = { exp, sub: "user-1" };
  if (accountId) claims["https://api.openai.com/auth"] = { chatgpt_account_id: accountId, chatgpt_plan_type: "plus" };
  return signJwt(claims);
}

const headers = (t: string, account = "acct_1"): Record<string, string> => ({
  authorization: `Bearer ${t}`,
  "chatgpt-account-id": account,
  "openai-beta": "responses=experimental",
  originator: "genesis",
  session_id: "sess-1",
});
const body = { model: "gpt-5.5", instructions: "be brief", input: [{ role: "user", content: "hi" }], store: false, stream: true, include: ["reasoning.encrypted_content"], reasoning: { effort: "low" } };

describe("Codex backend", () => {
  it("streams over SSE with a valid token and account header; reasoning carries encrypted content", async () => {
    const r = await post(`${emu.codexBase}/responses`, body, headers(token("acct_1")));
    expect(r.status).toBe(200);
    const frames = sseFrames(r.text);
    const done = JSON.parse(frames.at(-1)!.data) as { type: string; response: { output: { type: string; encrypted_content?: string }[]; store: boolean } };
    expect(done.type).toBe("response.completed");
    expect(done.response.store).toBe(false);
    expect(done.response.output[0]).toMatchObject({ type: "reasoning", encrypted_content: expect.any(String) });
    const rec = emu.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "POST", path: "/backend-api/codex/responses", headers: { "chatgpt-account-id": "acct_1", "openai-beta": "responses=experimental", authorization: "Bearer [redacted]" } });
    expect(emu.authHeaderOf(rec.id)).toBe(`Bearer ${token("acct_1")}`);
  });

  it("answers 401 without a bearer token, for a non-JWT and for an expired token", async () => {
    expect((await post(`${emu.codexBase}/responses`, body, { "chatgpt-account-id": "acct_1" })).status).toBe(401);
    expect((await post(`${emu.codexBase}/responses`, body, headers("not-a-jwt"))).status).toBe(401);
    const expired = await post(`${emu.codexBase}/responses`, body, headers(token("acct_1", 1_799_999_000)));
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text)).toMatchObject({ error: { code: "token_expired" } });
  });

  it("answers 403 when chatgpt-account-id is missing or does not match the token", async () => {
    const t = token("acct_1");
    const { "chatgpt-account-id": _omit, ...noAccount } = headers(t);
    expect((await post(`${emu.codexBase}/responses`, body, noAccount)).status).toBe(403);
    expect((await post(`${emu.codexBase}/responses`, body, headers(t, "acct_2"))).status).toBe(403);
    expect((await post(`${emu.codexBase}/responses`, body, headers(token(undefined)))).status).toBe(403);
  });

  it("rejects store:true and non-streaming requests like the real backend", async () => {
    const stored = await post(`${emu.codexBase}/responses`, { ...body, store: true }, headers(token("acct_1")));
    expect(stored.status).toBe(400);
    expect(JSON.parse(stored.text)).toMatchObject({ error: { param: "store" } });
    expect((await post(`${emu.codexBase}/responses`, { ...body, stream: false }, headers(token("acct_1")))).status).toBe(400);
  });

  it("validates the body against the spec", async () => {
    const r = await post(`${emu.codexBase}/responses`, { ...body, service_tier: "turbo" }, headers(token("acct_1")));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ error: { param: "service_tier" } });
  });

  it("serves WebSocket mode with the same header rules", async () => {
    const url = emu.wsUrl("/backend-api/codex/responses");
    const wsHeaders = { ...headers(token("acct_1")), "openai-beta": "responses_websockets=2026-02-06" };
    await expect(openSocket(url, { ...wsHeaders, "chatgpt-account-id": "acct_9" })).rejects.toMatchObject({ status: 403 });
    await expect(openSocket(url, { "chatgpt-account-id": "acct_1" })).rejects.toMatchObject({ status: 401 });
    const s = await openSocket(url, wsHeaders);
    emu.script({ text: "codex over ws", reasoning: { summary: "thinking" } });
    const { stream: _s, ...frameBody } = body;
    s.ws.send(JSON.stringify({ type: "response.create", ...frameBody }));
    const events = await s.untilTerminal();
    const final = events.at(-1)! as { type: string; response: { id: string; output: { type: string; encrypted_content?: string }[] } };
    expect(final.type).toBe("response.completed");
    expect(final.response.output.map((o) => o.type)).toEqual(["reasoning", "message"]);
    expect(final.response.output[0]!.encrypted_content).toBeTypeOf("string");
    // store:false responses continue on the same connection only.
    s.ws.send(JSON.stringify({ type: "response.create", ...frameBody, previous_response_id: final.response.id, input: [] }));
    expect((await s.untilTerminal()).at(-1)!.type).toBe("response.completed");
    s.ws.send(JSON.stringify({ type: "response.create", ...frameBody, store: true }));
    expect((await s.take(1))[0]).toMatchObject({ type: "error", status: 400, error: { param: "store" } });
    s.ws.close();
  });
});

describe("Codex backend model listing (GET /models)", () => {
  const list = (query: string, h: Record<string, string>) => fetch(`${emu.codexBase}/models${query}`, { headers: h });

  it("lists Codex ModelInfo rows for a signed-in account and records the client_version", async () => {
    const r = await list("?client_version=0.169.0", headers(token("acct_1")));
    expect(r.status).toBe(200);
    expect(r.headers.get("etag")).toBe('"codex-models-4"');
    const answer = (await r.json()) as { models: { slug: string; display_name: string; context_window: number; visibility: string }[] };
    expect(answer.models.map((m) => m.slug)).toEqual(["gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex"]);
    expect(answer.models[0]).toMatchObject({ display_name: "GPT-5.5", context_window: 1_000_000, visibility: "list", supported_in_api: false });
    expect(emu.requests.at(-1)).toMatchObject({ method: "GET", path: "/backend-api/codex/models", query: { client_version: "0.169.0" } });
  });

  it("applies the Codex header rules and requires client_version", async () => {
    expect((await list("?client_version=0.169.0", {})).status).toBe(401);
    expect((await list("?client_version=0.169.0", headers(token("acct_1"), "acct_2"))).status).toBe(403);
    const missing = await list("", headers(token("acct_1")));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: "client_version" } });
  });

  it("setCodexModels scripts the listing (omit gpt-5.5), and undefined restores the defaults", async () => {
    emu.setCodexModels(EMULATOR_CODEX_MODELS.filter((m) => m.slug !== "gpt-5.5"));
    const omitted = (await (await list("?client_version=1.0.0", headers(token("acct_1")))).json()) as { models: { slug: string }[] };
    expect(omitted.models.map((m) => m.slug)).toEqual(["gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex"]);
    emu.setCodexModels();
    const restored = (await (await list("?client_version=1.0.0", headers(token("acct_1")))).json()) as { models: { slug: string }[] };
    expect(restored.models).toHaveLength(EMULATOR_CODEX_MODELS.length);
  });
});
