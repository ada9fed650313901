import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeJwt } from "../_jwt.js";
import { startEmulator, type Emulator } from "../index.js";

const CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
const REDIRECT = "http://localhost:1455/auth/callback";
let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function authorize(params: Record<string, string>): Promise<Response> {
  const u = new URL("/oauth/authorize", emu.authIssuer);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return fetch(u, { redirect: "manual" });
}

function token(form: Record<string, string>): Promise<Response> {
  return fetch(`${emu.authIssuer}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
}

const goodParams = (challenge: string): Record<string, string> => ({
  response_type: "code",
  client_id: CLIENT_ID,
  redirect_uri: REDIRECT,
  scope: "openid profile email offline_access",
  code_challenge: challenge,
  code_challenge_method: "S256",
  state: "st-123",
});

async function login(): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const { verifier, challenge } = pkce();
  const loc = new URL((await authorize(goodParams(challenge))).headers.get("location")!);
  const res = await token({ grant_type: "authorization_code", code: loc.searchParams.get("code")!, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; id_token: string };
}

describe("browser PKCE flow", () => {
  it("redirects to the loopback callback with code and state, and exchanges with the verifier", async () => {
    const { verifier, challenge } = pkce();
    const res = await authorize(goodParams(challenge));
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("location")!);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get("state")).toBe("st-123");
    const code = loc.searchParams.get("code")!;
    const wrong = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_grant" });
    const ok = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier });
    expect(ok.status).toBe(200);
    const t = (await ok.json()) as { access_token: string; id_token: string; refresh_token: string };
    const claims = decodeJwt(t.access_token)!.payload;
    expect(claims["https://api.openai.com/auth"]).toMatchObject({ chatgpt_account_id: "acct_emulator", chatgpt_plan_type: "plus" });
    expect(claims["exp"]).toBeTypeOf("number");
    expect(decodeJwt(t.id_token)!.payload["email"]).toBe("dev@example.com");
    // Codes are single-use.
    const again = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier });
    expect(again.status).toBe(400);
  });

  it("refuses non-loopback redirect URIs without redirecting, and plain PKCE with an error redirect", async () => {
    const { challenge } = pkce();
    const evil = await authorize({ ...goodParams(challenge), redirect_uri: "https://evil.example/cb" });
    expect(evil.status).toBe(400);
    expect(evil.headers.get("location")).toBeNull();
    const plain = await authorize({ ...goodParams(challenge), code_challenge_method: "plain" });
    const loc = new URL(plain.headers.get("location")!);
    expect(loc.searchParams.get("error")).toBe("invalid_request");
    expect(loc.searchParams.get("state")).toBe("st-123");
    expect(loc.searchParams.get("code")).toBeNull();
  });

  it("denies (and omits the code) when the test says so", async () => {
    const { challenge } = pkce();
    emu.auth.setNextAuthorizeResult("deny");
    const denied = new URL((await authorize(goodParams(challenge))).headers.get("location")!);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("st-123");
    emu.auth.setNextAuthorizeResult("no-code");
    const none = new URL((await authorize(goodParams(challenge))).headers.get("location")!);
    expect([none.searchParams.get("code"), none.searchParams.get("error"), none.searchParams.get("state")]).toEqual([null, null, "st-123"]);
    const back = new URL((await authorize(goodParams(challenge))).headers.get("location")!);
    expect(back.searchParams.get("code")).toMatch(/^ac_/);
  });
});

describe("refresh rotation", () => {
  it("rotates, and flags a reused refresh token as refresh_token_reused", async () => {
    const first = await login();
    const r1 = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: CLIENT_ID });
    expect(r1.status).toBe(200);
    const second = (await r1.json()) as { refresh_token: string; access_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const reused = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: CLIENT_ID });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ error: { code: "refresh_token_reused" } });
    const r2 = await token({ grant_type: "refresh_token", refresh_token: second.refresh_token, client_id: CLIENT_ID });
    expect(r2.status).toBe(200);
    expect(emu.auth.refreshCount).toBe(3);
    const unknown = await token({ grant_type: "refresh_token", refresh_token: "rt_nope", client_id: CLIENT_ID });
    expect(await unknown.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("answers refresh_token_invalidated after revokeAll, and verifies its own access tokens", async () => {
    const t = await login();
    // Printing the auth helpers must not leak live tokens.
    expect(inspect(emu.auth, { depth: 5 }) + JSON.stringify(emu.auth)).not.toContain(t.refresh_token);
    expect(emu.auth.verifyAccessToken(t.access_token)).toMatchObject({ client_id: CLIENT_ID });
    expect(emu.auth.verifyAccessToken(`${t.access_token.slice(0, -2)}xx`)).toBeUndefined();
    emu.auth.revokeAll();
    const res = await token({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: CLIENT_ID });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "refresh_token_invalidated" } });
  });

  it("accepts refresh tokens minted by auth.issueTokens with the requested account and expiry", async () => {
    const t = emu.auth.issueTokens({ accountId: "acct_42", expiresInSec: 60 });
    const claims = decodeJwt(t.access_token)!.payload;
    expect((claims["exp"] as number) - (claims["iat"] as number)).toBe(60);
    const res = await fetch(`${emu.authIssuer}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: CLIENT_ID, grant_type: "refresh_token", refresh_token: t.refresh_token, scope: "openid profile email" }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(decodeJwt(body.access_token)!.payload["https://api.openai.com/auth"]).toMatchObject({ chatgpt_account_id: "acct_42" });
  });
});

describe("device code flow", () => {
  async function start(): Promise<{ device_auth_id: string; user_code: string; interval: string }> {
    const res = await fetch(`${emu.authIssuer}/api/accounts/deviceauth/usercode`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: CLIENT_ID }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { device_auth_id: string; user_code: string; interval: string };
  }
  const poll = (d: { device_auth_id: string; user_code: string }): Promise<Response> =>
    fetch(`${emu.authIssuer}/api/accounts/deviceauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ device_auth_id: d.device_auth_id, user_code: d.user_code }) });

  it("is pending (403) until approved, then yields a code that exchanges at /oauth/token", async () => {
    const d = await start();
    expect(d.interval).toBe("1");
    expect(d.user_code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{5}$/);
    expect((await poll(d)).status).toBe(403);
    emu.approveDeviceCode();
    const ok = await poll(d);
    expect(ok.status).toBe(200);
    const grant = (await ok.json()) as { authorization_code: string; code_verifier: string; code_challenge: string };
    expect(createHash("sha256").update(grant.code_verifier).digest("base64url")).toBe(grant.code_challenge);
    const t = await token({ grant_type: "authorization_code", code: grant.authorization_code, redirect_uri: `${emu.authIssuer}/deviceauth/callback`, client_id: CLIENT_ID, code_verifier: grant.code_verifier });
    expect(t.status).toBe(200);
  });

  it("reports a denial, and approval through the /codex/device page", async () => {
    const d = await start();
    emu.approveDeviceCode(d.user_code, { deny: true });
    const denied = await poll(d);
    expect(denied.status).toBe(400);
    expect(await denied.json()).toMatchObject({ error: { code: "access_denied" } });
    const page = await fetch(`${emu.authIssuer}/codex/device`);
    expect(await page.text()).toContain("user_code");
    const d2 = await start();
    const submit = await fetch(`${emu.authIssuer}/codex/device`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `user_code=${d2.user_code.toLowerCase()}&action=approve` });
    expect(submit.status).toBe(200);
    expect((await poll(d2)).status).toBe(200);
    expect(() => emu.approveDeviceCode("ZZZZ-ZZZZZ")).toThrow(/No pending device code/);
  });

  it("expires a pending device code after 15 minutes of emulator time", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const timed = await startEmulator({ now: () => now });
    try {
      const res = await fetch(`${timed.authIssuer}/api/accounts/deviceauth/usercode`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: CLIENT_ID }) });
      const d = (await res.json()) as { device_auth_id: string; user_code: string };
      now += 15 * 60 * 1000;
      const late = await fetch(`${timed.authIssuer}/api/accounts/deviceauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(d) });
      expect(late.status).toBe(400);
      expect(await late.json()).toMatchObject({ error: { code: "expired_token" } });
      expect(() => timed.approveDeviceCode()).toThrow(/No pending device code/);
    } finally {
      await timed.close();
    }
  });
});

describe("token revocation (POST /oauth/revoke)", () => {
  const revoke = (body: unknown, contentType = "application/json"): Promise<Response> =>
    fetch(`${emu.authIssuer}/oauth/revoke`, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("revokes a refresh token so its next refresh fails, records the request, and answers 200 for unknown tokens", async () => {
    const t = await login();
    const res = await revoke({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: CLIENT_ID });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rec = emu.requests.at(-1)!;
    expect([rec.method, rec.path, rec.headers["content-type"]]).toEqual(["POST", "/oauth/revoke", "application/json"]);
    expect(rec.body).toEqual({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: CLIENT_ID });
    const refresh = await token({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: CLIENT_ID });
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toMatchObject({ error: { code: "refresh_token_invalidated" } });
    // RFC 7009: revoking again, or a token the server never issued, is still a success.
    expect((await revoke({ token: t.refresh_token, client_id: CLIENT_ID })).status).toBe(200);
    expect((await revoke({ token: "rt_never_issued", client_id: CLIENT_ID })).status).toBe(200);
    // Other tokens stay usable.
    const other = emu.auth.issueTokens();
    expect((await token({ grant_type: "refresh_token", refresh_token: other.refresh_token, client_id: CLIENT_ID })).status).toBe(200);
  });

  it("refuses a wrong or missing client_id with 401 invalid_client and leaves the token alive", async () => {
    const t = emu.auth.issueTokens();
    for (const body of [{ token: t.refresh_token, client_id: "app_someone_else" }, { token: t.refresh_token }]) {
      const res = await revoke(body);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: "invalid_client" });
    }
    expect((await token({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: CLIENT_ID })).status).toBe(200);
  });

  it("answers 400 for bad JSON, a form body, or a missing token", async () => {
    expect((await revoke("{not json", "application/json")).status).toBe(400);
    const form = await revoke(new URLSearchParams({ token: "rt_x", client_id: CLIENT_ID }).toString(), "application/x-www-form-urlencoded");
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: "invalid_request" });
    for (const body of [{ client_id: CLIENT_ID }, { token: "", client_id: CLIENT_ID }, { token: 42, client_id: CLIENT_ID }, ["rt_x"], { token: "rt_x", token_type_hint: 1, client_id: CLIENT_ID }]) {
      const res = await revoke(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_request" });
    }
  });

  it("takes armed faults like every other route", async () => {
    const t = emu.auth.issueTokens();
    emu.fault({ kind: "http-status", status: 503, match: { path: "/oauth/revoke" } });
    expect((await revoke({ token: t.refresh_token, client_id: CLIENT_ID })).status).toBe(503);
    // The faulted attempt revoked nothing.
    expect((await token({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: CLIENT_ID })).status).toBe(200);
    emu.fault({ kind: "connection-reset", match: { path: "/oauth/revoke" } });
    await expect(revoke({ token: "rt_x", client_id: CLIENT_ID })).rejects.toThrow();
  });
});
