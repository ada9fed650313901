import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodexAuthError } from "./codex-auth-error.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { exchangeAuthorizationCode, refreshTokens } from "./token-client.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
beforeEach(async () => {
  peer = await startOAuthPeer();
});
afterEach(() => peer.close());

const settings = () => resolveCodexOAuthSettings({ issuer: peer.url }, {});
const access = fakeJwt({ accountId: "acct_9", plan: "plus", exp: 2_000_000_000 });
const idToken = fakeJwt({ accountId: "acct_9", email: "me@example.com" });

async function failure(p: Promise<unknown>): Promise<CodexAuthError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CodexAuthError);
  return error as CodexAuthError;
}

describe("exchangeAuthorizationCode", () => {
  it("form-posts the code and verifier and returns masked credentials", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-secret-1", id_token: idToken } });
    const creds = await exchangeAuthorizationCode({
      settings: settings(), code: "code-123456", verifier: "verifier-abcdef", redirectUri: "http://localhost:1455/auth/callback", now: () => 5,
    });
    const req = peer.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/oauth/token");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: "authorization_code", code: "code-123456", redirect_uri: "http://localhost:1455/auth/callback",
      client_id: "app_EMoamEEZ73f0CkXaXp7hrann", code_verifier: "verifier-abcdef",
    });
    expect(creds).toMatchObject({ kind: "oauth", provider: "openai-codex", accountId: "acct_9", planType: "plus", email: "me@example.com", expiresAt: 2_000_000_000_000, updatedAt: 5, refresh: "rt-secret-1" });
    expect(JSON.parse(JSON.stringify(creds)).access).toBe(access);
    const shown = inspect(creds);
    expect(shown).toContain("acct_9");
    expect(shown).not.toContain(access);
    expect(shown).not.toContain("rt-secret-1");
  });

  it.each([
    ["no refresh token", { access_token: access }],
    ["malformed access JWT", { access_token: "not-a-jwt", refresh_token: "rt" }],
    ["malformed id token", { access_token: access, refresh_token: "rt", id_token: "x.y" }],
    ["no account id", { access_token: fakeJwt({ exp: 2_000_000_000 }), refresh_token: "rt" }],
    ["no expiry", { access_token: fakeJwt({ accountId: "a" }), refresh_token: "rt" }],
    ["accounts disagree", { access_token: access, refresh_token: "rt", id_token: fakeJwt({ accountId: "other" }) }],
  ])("rejects a response with %s", async (_label, body) => {
    peer.answer("/oauth/token", { status: 200, body });
    const error = await failure(exchangeAuthorizationCode({ settings: settings(), code: "code-xyz123", verifier: "v-123456", redirectUri: "r" }));
    expect(error.code).toBe("token_response_invalid");
  });

  it("uses expires_in when the access token has no exp", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: fakeJwt({ accountId: "a" }), refresh_token: "rt", expires_in: 60 } });
    const creds = await exchangeAuthorizationCode({ settings: settings(), code: "c", verifier: "v", redirectUri: "r", now: () => 1000 });
    expect(creds.expiresAt).toBe(61_000);
  });

  it("reports status and OAuth error without echoing the code or verifier", async () => {
    peer.answer("/oauth/token", { status: 400, body: { error: "invalid_grant", error_description: "code code-canary-777 was already used with verifier ver-canary-888" } });
    const error = await failure(exchangeAuthorizationCode({ settings: settings(), code: "code-canary-777", verifier: "ver-canary-888", redirectUri: "r" }));
    expect(error.code).toBe("token_request_failed");
    expect(error.status).toBe(400);
    expect(error.oauthError).toBe("invalid_grant");
    const all = `${error.message} ${inspect(error)} ${JSON.stringify(error)}`;
    expect(all).toContain("invalid_grant");
    expect(all).not.toContain("code-canary-777");
    expect(all).not.toContain("ver-canary-888");
  });

  it("turns a connection reset into token_network_error", async () => {
    peer.answer("/oauth/token", { status: 0, reset: true });
    const error = await failure(exchangeAuthorizationCode({ settings: settings(), code: "c", verifier: "v", redirectUri: "r" }));
    expect(error.code).toBe("token_network_error");
    expect(error.transient).toBe(true);
  });
});

describe("refreshTokens", () => {
  it("form-posts grant_type=refresh_token", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-2" } });
    const creds = await refreshTokens({ settings: settings(), refreshToken: "rt-1" });
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body))).toEqual({
      grant_type: "refresh_token", refresh_token: "rt-1", client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
    });
    expect(creds.refresh).toBe("rt-2");
  });

  it.each([
    [400, { error: { code: "refresh_token_reused", message: "already used" } }, "reauth_required", "refresh_token_reused", false],
    [401, { error: "invalid_grant" }, "reauth_required", "invalid_grant", false],
    [503, { error: "unavailable" }, "refresh_transient", "unavailable", true],
    [429, {}, "refresh_transient", undefined, true],
  ] as const)("maps HTTP %i to %s", async (status, body, code, oauthError, transient) => {
    peer.answer("/oauth/token", { status, body });
    const error = await failure(refreshTokens({ settings: settings(), refreshToken: "rt-canary-123" }));
    expect(error).toMatchObject({ code, oauthError, transient, status });
    expect(inspect(error)).not.toContain("rt-canary-123");
  });
});
