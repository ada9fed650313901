import { createServer } from "node:net";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodexAuthError } from "./codex-auth-error.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { revokeToken, type RevokeTokenOptions } from "./revoke-token.js";
import { refreshTokens } from "./token-client.js";
import { TokenRevokeError } from "./token-revoke-error.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

const CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
const settings = (over: Parameters<typeof resolveCodexOAuthSettings>[0] = {}) => resolveCodexOAuthSettings({ issuer: emu.authIssuer, ...over }, {});
const revokes = () => emu.requests.filter((r) => r.path === "/oauth/revoke");
/** A sleep that records the delays asked for and returns at once. */
function fakeSleep(): { sleep: NonNullable<RevokeTokenOptions["sleep"]>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

async function failure(p: Promise<unknown>): Promise<TokenRevokeError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TokenRevokeError);
  expect(error).toBeInstanceOf(CodexAuthError);
  return error as TokenRevokeError;
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("revokeToken against the emulator", () => {
  it("POSTs {token, token_type_hint, client_id} as JSON to {issuer}/oauth/revoke, and the token can no longer refresh", async () => {
    const t = emu.auth.issueTokens();
    await revokeToken({ settings: settings(), token: t.refresh_token });
    const [req] = revokes();
    expect(req).toMatchObject({ method: "POST", path: "/oauth/revoke" });
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.body).toEqual({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: CLIENT_ID });
    const error = await refreshTokens({ settings: settings(), refreshToken: t.refresh_token }).catch((e: unknown) => e as CodexAuthError);
    expect(error).toMatchObject({ code: "reauth_required", oauthError: "refresh_token_invalidated", status: 401 });
  });

  it("treats an unknown or already revoked token as revoked (RFC 7009 200)", async () => {
    const t = emu.auth.issueTokens();
    await revokeToken({ settings: settings(), token: t.refresh_token });
    await expect(revokeToken({ settings: settings(), token: t.refresh_token })).resolves.toBeUndefined();
    await expect(revokeToken({ settings: settings(), token: "rt_never_issued_here", tokenTypeHint: "access_token" })).resolves.toBeUndefined();
    expect(revokes().map((r) => (r.body as { token_type_hint: string }).token_type_hint)).toEqual(["refresh_token", "refresh_token", "access_token"]);
  });

  it("uses the revokeUrl override (option or GENESIS_CODEX_REVOKE_URL) instead of the issuer", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const t = emu.auth.issueTokens();
    await revokeToken({ settings: resolveCodexOAuthSettings({ issuer: dead, revokeUrl: `${emu.url}/oauth/revoke` }, {}), token: t.refresh_token, maxRetries: 0 });
    const fromEnv = resolveCodexOAuthSettings({ issuer: dead }, { GENESIS_CODEX_REVOKE_URL: `${emu.url}/oauth/revoke` });
    await revokeToken({ settings: fromEnv, token: "rt_other_token_1", maxRetries: 0 });
    expect(revokes()).toHaveLength(2);
  });

  it("retries 5xx, 429 and a connection reset, then succeeds", async () => {
    const t = emu.auth.issueTokens();
    emu.fault({ kind: "http-status", status: 503, match: { path: "/oauth/revoke" } });
    emu.fault({ kind: "rate-limit", retryAfterMs: "5", match: { path: "/oauth/revoke" } });
    const { sleep, delays } = fakeSleep();
    await revokeToken({ settings: settings(), token: t.refresh_token, sleep });
    expect(revokes()).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBe(5);
    emu.fault({ kind: "connection-reset", match: { path: "/oauth/revoke" } });
    await revokeToken({ settings: settings(), token: "rt_second_one_1", sleep });
    expect(revokes()).toHaveLength(5);
  });

  it("gives up after maxRetries on a persistent 5xx with a transient revoke_unavailable", async () => {
    emu.fault({ kind: "http-status", status: 500, times: 10, match: { path: "/oauth/revoke" } });
    const { sleep } = fakeSleep();
    const error = await failure(revokeToken({ settings: settings(), token: "rt_canary_5xx_123", sleep, maxRetries: 1 }));
    expect(error).toMatchObject({ code: "revoke_unavailable", status: 500, transient: true });
    expect(error.message).toContain("after 2 attempt(s)");
    expect(revokes()).toHaveLength(2);
  });

  it("reports a wrong client id as revoke_rejected 401 invalid_client without retrying", async () => {
    const t = emu.auth.issueTokens();
    const error = await failure(revokeToken({ settings: settings({ clientId: "app_wrong_client" }), token: t.refresh_token }));
    expect(error).toMatchObject({ code: "revoke_rejected", status: 401, oauthError: "invalid_client", transient: false });
    expect(error.hint).toMatch(/client id/);
    expect(revokes()).toHaveLength(1);
    // The token was not revoked.
    await expect(refreshTokens({ settings: settings(), refreshToken: t.refresh_token })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("reports a 400 with the OAuth code and scrubs the token from the server's description", async () => {
    const token = "rt_canaryZ9Y8X7W6V5U4";
    emu.fault({ kind: "http-status", status: 400, body: { error: "unsupported_token_type", error_description: `cannot revoke ${token}` }, match: { path: "/oauth/revoke" } });
    const error = await failure(revokeToken({ settings: settings(), token }));
    expect(error).toMatchObject({ code: "revoke_rejected", status: 400, oauthError: "unsupported_token_type" });
    expect(error.message).toContain("cannot revoke");
    for (const text of [error.message, String(error.hint), inspect(error, { depth: 5 }), JSON.stringify(error)]) expect(text).not.toContain(token);
  });

  it("never follows a redirect with the token in the body", async () => {
    const other = await startEmulator();
    try {
      emu.fault({ kind: "http-status", status: 307, headers: { location: `${other.url}/oauth/revoke` }, match: { path: "/oauth/revoke" } });
      const error = await failure(revokeToken({ settings: settings(), token: "rt_redirect_me_1" }));
      expect(error).toMatchObject({ code: "revoke_rejected", status: 307 });
      expect(revokes()).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("turns a refused connection into revoke_network_error after bounded retries", async () => {
    const { sleep, delays } = fakeSleep();
    const error = await failure(revokeToken({ settings: resolveCodexOAuthSettings({ issuer: `http://127.0.0.1:${await closedPort()}` }, {}), token: "rt_refused_1", sleep }));
    expect(error).toMatchObject({ code: "revoke_network_error", transient: true });
    expect(delays).toHaveLength(2);
  });

  it("is abortable, and bounded by timeoutMs", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 5_000, match: { path: "/oauth/revoke" } });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const aborted = await failure(revokeToken({ settings: settings(), token: "rt_abort_me_1", signal: controller.signal }));
    expect(aborted.code).toBe("revoke_aborted");
    expect(Date.now() - started).toBeLessThan(2_000);
    const already = await failure(revokeToken({ settings: settings(), token: "rt_abort_me_2", signal: AbortSignal.abort() }));
    expect(already.code).toBe("revoke_aborted");
    emu.fault({ kind: "slow-first-byte", ms: 5_000, match: { path: "/oauth/revoke" } });
    const slow = await failure(revokeToken({ settings: settings(), token: "rt_slow_1", timeoutMs: 100 }));
    expect(slow).toMatchObject({ code: "revoke_network_error", transient: true });
    expect(slow.message).toContain("within 100 ms");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("reports a 503 whose retry-after outlasts the deadline as revoke_unavailable at once, without waiting", async () => {
    emu.fault({ kind: "http-status", status: 503, headers: { "retry-after": "30" }, body: { error: "temporarily_unavailable" }, times: 3, match: { path: "/oauth/revoke" } });
    const started = Date.now();
    const error = await failure(revokeToken({ settings: settings(), token: "rt_busy_server_1", timeoutMs: 2_000 }));
    expect(error).toMatchObject({ code: "revoke_unavailable", status: 503, oauthError: "temporarily_unavailable", transient: true });
    expect(error.message).toContain("within 2000 ms (1 attempt(s))");
    expect(error.hint).not.toMatch(/network/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(revokes()).toHaveLength(1);
  });

  it("reports the last 429 when the retry it allowed runs into the deadline", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "5", match: { path: "/oauth/revoke" } });
    let calls = 0;
    const slowRetry: typeof fetch = async (input, init) => {
      if (++calls === 2) emu.fault({ kind: "slow-first-byte", ms: 3_000, match: { path: "/oauth/revoke" } });
      return fetch(input, init);
    };
    const error = await failure(revokeToken({ settings: settings(), token: "rt_limited_1", timeoutMs: 300, fetch: slowRetry }));
    expect(error).toMatchObject({ code: "revoke_unavailable", status: 429, transient: true });
    expect(error.message).toContain("2 attempt(s)");
    expect(revokes()).toHaveLength(2);
    for (const text of [error.message, inspect(error, { depth: 5 }), JSON.stringify(error)]) expect(text).not.toContain("rt_limited_1");
  });

  it("does not start a backoff that outlasts the deadline after a refused connection", async () => {
    const delays: number[] = [];
    const started = Date.now();
    const error = await failure(revokeToken({
      settings: resolveCodexOAuthSettings({ issuer: `http://127.0.0.1:${await closedPort()}` }, {}), token: "rt_refused_2", timeoutMs: 300,
      sleep: async (ms) => void delays.push(ms),
    }));
    expect(error).toMatchObject({ code: "revoke_network_error", transient: true });
    expect(error.message).toContain("could not be reached after 1 attempt(s) within 300 ms");
    // The first backoff is ~375-500 ms: longer than the deadline, so it was never started.
    expect(delays).toEqual([]);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it.each([
    ["an empty token", { token: "" }, "token"],
    ["a token with whitespace", { token: "rt abc" }, "token"],
    ["a bad hint", { tokenTypeHint: "id_token" }, "tokenTypeHint"],
    ["a negative timeout", { timeoutMs: -1 }, "timeoutMs"],
    ["too many retries", { maxRetries: 9 }, "maxRetries"],
  ])("refuses %s before sending anything", async (_label, over, field) => {
    const error = await failure(revokeToken({ settings: settings(), token: "rt_valid_1", ...(over as Partial<RevokeTokenOptions>) }));
    expect(error.code).toBe("revoke_bad_input");
    expect(error.message).toContain(`'${field}'`);
    expect(error.hint).toBeTruthy();
    expect(revokes()).toHaveLength(0);
  });

  it("refuses missing settings with a typed error", async () => {
    const error = await failure(revokeToken({ token: "rt_valid_1" } as unknown as RevokeTokenOptions));
    expect(error.code).toBe("revoke_bad_input");
    expect(error.message).toContain("'settings'");
  });
});
