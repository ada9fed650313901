import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { openAuthStore } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexCredentialStore } from "./codex-credential-store.js";
import { createCodexProvider } from "./codex-provider.js";
import { createCodexStreamers } from "./codex-streamers.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { signInWithCodex } from "./sign-in.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

// The provider side of the secret-canary bar: every way a Codex turn can fail (refresh
// refused, backend 401 echoing the token, usage and rate limits, network), plus
// util.inspect / JSON of every object that holds tokens: credentials, the manager, the
// provider, the streamers factory and a sign-in result.
const canary = (label: string) => `${label}${randomBytes(9).toString("hex")}`;
const REFRESH = canary("rfp");
const EXP = Math.floor(Date.now() / 1000) + 3600;
const ACCESS = fakeJwt({ accountId: "acct_cp", exp: EXP, plan: "plus", extra: { pad: canary("pad") } });
const secrets = [REFRESH, ACCESS];

let emu: Emulator;
let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
let home: string;
beforeAll(async () => {
  emu = await startEmulator();
  peer = await startOAuthPeer();
  home = await mkdtemp(join(tmpdir(), "genesis-canary-prov-"));
});
afterAll(async () => {
  await emu.close();
  await peer.close();
  await rm(home, { recursive: true, force: true });
});

const render = (e: unknown) => {
  const x = e as Error & { describe?: () => string; hint?: string };
  return [String(x), x.message, x.hint, x.describe?.(), inspect(x, { depth: 6, showHidden: true }), JSON.stringify(x)].join("\n");
};

describe("secret canaries on the provider's failure paths", () => {
  it("never show the access or refresh token", async () => {
    const store = codexCredentialStore(openAuthStore({ home, env: {} }));
    const save = (expiresAt: number) =>
      store.save({ kind: "oauth", provider: "openai-codex", access: ACCESS, refresh: REFRESH, accountId: "acct_cp", expiresAt, updatedAt: 1 });
    const settings = resolveCodexOAuthSettings({ issuer: peer.url, codexBaseUrl: emu.codexBase }, {});
    const manager = new CodexCredentialManager({ store, settings });
    const provider = createCodexProvider({ credentials: manager, settings, mode: "sse", transport: { maxRetries: 0 } });
    // Each server echoes what it was sent: the backend sees only the access token, the token
    // endpoint only the refresh token.
    const echo = `token ${ACCESS}`;
    const echoRefresh = `refresh ${REFRESH} for ${ACCESS}`;
    const seen: { label: string; text: string }[] = [];
    const fail = async (label: string) => {
      const error = await provider.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
      expect(error, label).toBeInstanceOf(Error);
      seen.push({ label, text: render(error) });
    };

    await save(EXP * 1000);
    const path = { path: "/backend-api/codex/responses" };
    // Backend 401 echoing both tokens, then the refresh is refused echoing them again.
    emu.fault({ kind: "http-status", status: 401, body: { error: { message: echo, code: "invalid_token" } }, match: path });
    peer.answer("/oauth/token", { status: 401, body: { error: "invalid_grant", error_description: echoRefresh } });
    await fail("401 then refresh refused");
    // Fresh manager state for the remaining paths (the refusal above is remembered).
    const provider2 = createCodexProvider({ credentials: new CodexCredentialManager({ store, settings }), settings, mode: "sse", transport: { maxRetries: 0 } });
    const fail2 = async (label: string) => {
      const error = await provider2.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [{ type: "message", role: "user", content: "x" }] }).finalResponse().catch((e: unknown) => e);
      expect(error, label).toBeInstanceOf(Error);
      seen.push({ label, text: render(error) });
    };
    emu.fault({ kind: "http-status", status: 429, body: { error: { code: "usage_limit_reached", message: echo, resets_at: EXP } }, match: path });
    await fail2("usage limit echoing tokens");
    emu.fault({ kind: "http-status", status: 429, body: { error: { code: "rate_limit_exceeded", message: echo } }, headers: { "retry-after": "60" }, match: path });
    await fail2("rate limit echoing tokens");
    emu.fault({ kind: "http-status", status: 500, body: { error: { message: echo } }, match: path });
    await fail2("server error echoing tokens");
    // Expired token and a refresh endpoint that resets the connection (transient).
    await save(1);
    peer.answer("/oauth/token", { status: 0, reset: true });
    await fail2("refresh network failure");
    // Backend unreachable.
    await save(EXP * 1000);
    const dead = resolveCodexOAuthSettings({ issuer: peer.url, codexBaseUrl: "http://127.0.0.1:9/backend-api" }, {});
    const unreachable = createCodexProvider({ credentials: new CodexCredentialManager({ store, settings: dead }), settings: dead, mode: "auto", transport: { maxRetries: 0 } });
    const down = await unreachable.streamTurn({ model: "gpt-5.5", sessionId: "s", input: [] }).finalResponse().catch((e: unknown) => e);
    seen.push({ label: "backend unreachable", text: render(down) });

    // Every object that holds (or can reach) tokens.
    const streamers = createCodexStreamers({ env: { GENESIS_HOME: home }, settings: { issuer: peer.url } });
    const streamer = streamers({ modelId: "gpt-5.5", baseUrl: emu.codexBase, transport: "sse", params: {} });
    emu.script({ text: "ok" });
    for await (const _ of streamer.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s2" })) {
      // drain
    }
    const objects: Record<string, unknown> = {
      credentials: await store.get(), manager, provider, provider2, streamers, streamer, store,
    };
    for (const [label, value] of Object.entries(objects)) {
      // A credentials object exists to carry its tokens: only its inspect form is masked (JSON
      // is how a caller would hand them on); everything else must mask both.
      const json = label === "credentials" ? "" : safeJson(value);
      seen.push({ label: `inspect(${label})`, text: `${inspect(value, { depth: 8, showHidden: true })}\n${json}` });
    }
    // A sign-in result (device flow against the peer).
    peer.answer("/api/accounts/deviceauth/usercode", { status: 200, body: { device_auth_id: "d", user_code: "AAAA-BBBB", interval: "1" } });
    peer.answer("/api/accounts/deviceauth/token", { status: 200, body: { authorization_code: canary("code"), code_verifier: canary("ver") } });
    peer.answer("/oauth/token", { status: 200, body: { access_token: ACCESS, refresh_token: REFRESH } });
    const result = await signInWithCodex({ method: "device", store: openAuthStore({ home, env: {} }), settings, onCode: () => {}, sleep: async () => {} });
    seen.push({ label: "inspect(sign-in result)", text: `${inspect(result, { depth: 8, showHidden: true })}\n${JSON.stringify(result)}` });
    streamers.close();
    provider.close();
    provider2.close();
    unreachable.close();

    expect(seen.length).toBe(14);
    for (const { label, text } of seen) {
      for (const secret of secrets) expect(text.includes(secret), `${label} leaked a token:\n${text}`).toBe(false);
      // The random tail of the JWT payload is the part no pattern could guess.
      expect(text.includes(ACCESS.split(".")[1]!), `${label} leaked the token payload`).toBe(false);
    }
    // Still useful without the secrets.
    expect(seen.find((s) => s.label === "usage limit echoing tokens")!.text).toContain("plus plan");
    expect(seen.find((s) => s.label === "rate limit echoing tokens")!.text).toContain("resets in 1 min");
  });
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
