import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { openAuthStore } from "@genesis/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginWithBrowser, type AuthorizePrompt } from "./browser-login.js";
import { codexCredentialStore } from "./codex-credential-store.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { loginWithDeviceCode } from "./device-login.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { revokeToken } from "./revoke-token.js";
import { signInWithCodex } from "./sign-in.js";
import { signOutOfCodex } from "./sign-out.js";
import { exchangeAuthorizationCode, refreshTokens } from "./token-client.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

/** Random canaries that match no redaction pattern: only exact-value handling can hide them. */
const canary = (label: string) => `${label}${randomBytes(9).toString("hex")}`;
const C = { refresh: canary("rfx"), code: canary("cdx"), verifier: canary("vfx"), deviceCode: canary("dvc"), deviceVerifier: canary("dvv") };

let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
let home: string;
const seen: { label: string; text: string }[] = [];
const secrets = new Set<string>(Object.values(C));

beforeAll(async () => {
  peer = await startOAuthPeer();
  home = await mkdtemp(join(tmpdir(), "genesis-canary-"));
});
afterAll(async () => {
  await peer.close();
  await rm(home, { recursive: true, force: true });
});

/** Record every rendering of an error a user or a log could see. */
async function capture(label: string, run: () => Promise<unknown>): Promise<void> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  expect(error, label).toBeInstanceOf(Error);
  const e = error as Error & { describe?: () => string; hint?: string };
  seen.push({ label, text: [String(e), e.message, e.hint, e.describe?.(), inspect(e, { depth: 6 }), JSON.stringify(e)].join("\n") });
}

/** Every request body the peer received echoed back in the error description. */
const echo = (status: number) => ({ status, body: { error: "invalid_grant", error_description: `echo ${Object.values(C).join(" ")}` } });
const settings = () => resolveCodexOAuthSettings({ issuer: peer.url, callbackPort: 0, fallbackPorts: [] }, {});
const play = async (p: AuthorizePrompt, query: (state: string) => Record<string, string>) => {
  const state = new URL(p.url).searchParams.get("state")!;
  secrets.add(state);
  const target = new URL(p.redirectUri.replace("localhost", "127.0.0.1"));
  for (const [k, v] of Object.entries(query(state))) target.searchParams.set(k, v);
  await (await fetch(target)).text();
};

describe("secret canaries", () => {
  it("never leak through any failure path", async () => {
    const notices: string[] = [];
    // Browser: the token endpoint echoes code, verifier and state back.
    peer.answer("/oauth/token", echo(400));
    await capture("browser exchange refused", () =>
      loginWithBrowser({ settings: settings(), onAuthorizeUrl: (p) => play(p, (state) => ({ code: C.code, state })) }));
    const verifier = new URLSearchParams(peer.requests.at(-1)!.body).get("code_verifier")!;
    secrets.add(verifier);
    // Browser: denial whose description echoes the state; wrong state then timeout; pasted junk.
    await capture("browser denied", () =>
      loginWithBrowser({ settings: settings(), onAuthorizeUrl: (p) => play(p, (state) => ({ error: "access_denied", error_description: `nope ${state}`, state })) }));
    await capture("browser wrong state", () =>
      loginWithBrowser({ settings: settings(), timeoutMs: 150, onAuthorizeUrl: (p) => play(p, () => ({ code: C.code, state: C.verifier })) }));
    const input = new PassThrough();
    await capture("browser pasted junk then abort", () => {
      const controller = new AbortController();
      return loginWithBrowser({
        settings: settings(), signal: controller.signal, callbackServer: false, manualInput: input, notices: (l) => notices.push(l),
        onAuthorizeUrl: () => {
          input.write(`?code=${C.code}&state=${C.verifier}\n`);
          input.write(`bad line ${C.refresh} !\n`);
          setTimeout(() => controller.abort(), 50);
        },
      });
    });
    // Token responses that cannot be used.
    peer.answer("/oauth/token", { status: 200, body: { access_token: C.code, refresh_token: C.refresh } });
    await capture("malformed access token", () => exchangeAuthorizationCode({ settings: settings(), code: C.code, verifier: C.verifier, redirectUri: "r" }));
    peer.answer("/oauth/token", { status: 200, text: `{"access_token":"${C.refresh}"` });
    await capture("non-JSON token answer", () => exchangeAuthorizationCode({ settings: settings(), code: C.code, verifier: C.verifier, redirectUri: "r" }));
    // Refresh failures.
    for (const status of [400, 401, 500, 429]) {
      peer.answer("/oauth/token", echo(status));
      await capture(`refresh ${status}`, () => refreshTokens({ settings: settings(), refreshToken: C.refresh }));
    }
    peer.answer("/oauth/token", { status: 0, reset: true });
    await capture("refresh network", () => refreshTokens({ settings: settings(), refreshToken: C.refresh }));
    // Device flow: approval hands out code + verifier, the exchange fails echoing them.
    peer.answer("/api/accounts/deviceauth/usercode", { status: 200, body: { device_auth_id: C.deviceCode, user_code: "AAAA-BBBB", interval: "1" } });
    peer.answer("/api/accounts/deviceauth/token", { status: 200, body: { authorization_code: C.deviceCode, code_verifier: C.deviceVerifier } });
    peer.answer("/oauth/token", echo(400));
    await capture("device exchange refused", () => loginWithDeviceCode({ settings: settings(), onCode: () => {}, sleep: async () => {} }));
    peer.answer("/api/accounts/deviceauth/usercode", { status: 200, body: { device_auth_id: C.deviceCode, user_code: "AAAA-BBBB", interval: "1" } });
    peer.answer("/api/accounts/deviceauth/token", { status: 418, body: { error: { code: "teapot", message: `echo ${C.deviceCode}` } } });
    await capture("device poll refused", () => loginWithDeviceCode({ settings: settings(), onCode: () => {}, sleep: async () => {} }));
    // Credential manager: permanent refresh failure, then the manager itself is inspected.
    const store = codexCredentialStore(openAuthStore({ home, env: {} }));
    const access = fakeJwt({ accountId: "acct_c", exp: 1, extra: { pad: C.code } });
    secrets.add(access);
    await store.save({ kind: "oauth", provider: "openai-codex", access, refresh: C.refresh, accountId: "acct_c", expiresAt: 1, updatedAt: 1 });
    const manager = new CodexCredentialManager({ store, settings: settings() });
    peer.answer("/oauth/token", { status: 401, body: { error: { code: "refresh_token_reused", message: `reused ${C.refresh}` } } });
    await capture("manager reauth", () => manager.getCredentials());
    seen.push({ label: "inspect(manager)", text: `${inspect(manager, { depth: 6, showHidden: true })} ${JSON.stringify(manager)}` });
    seen.push({ label: "inspect(stored creds)", text: inspect(await store.get(), { depth: 6 }) });
    // Save failure after a successful sign-in: the store is corrupt and must stay untouched.
    await writeFile(store.path, `{ "broken": "${C.refresh}`);
    peer.answer("/api/accounts/deviceauth/usercode", { status: 200, body: { device_auth_id: "d", user_code: "AAAA-BBBB", interval: "1" } });
    peer.answer("/api/accounts/deviceauth/token", { status: 200, body: { authorization_code: C.deviceCode, code_verifier: C.deviceVerifier } });
    peer.answer("/oauth/token", { status: 200, body: { access_token: fakeJwt({ accountId: "acct_c", exp: 2_000_000_000 }), refresh_token: C.refresh } });
    await capture("save failed", () => signInWithCodex({ method: "device", store: openAuthStore({ home, env: {} }), settings: settings(), onCode: () => {}, sleep: async () => {} }));
    seen.push({ label: "notices", text: notices.join("\n") });
    // Revocation failures: the endpoint echoes every secret back; refused, unavailable, unreachable.
    for (const status of [400, 401, 503]) {
      peer.answer("/oauth/revoke", echo(status));
      await capture(`revoke ${status}`, () => revokeToken({ settings: settings(), token: C.refresh, maxRetries: 0 }));
    }
    peer.answer("/oauth/revoke", { status: 0, reset: true });
    await capture("revoke network", () => revokeToken({ settings: settings(), token: C.refresh, maxRetries: 0 }));
    await capture("revoke bad input", () => revokeToken({ settings: settings(), token: `${C.refresh} ${C.code}` }));
    // Logout with a failing revocation: the whole result (with its error) is what a caller prints.
    await writeFile(store.path, JSON.stringify({ version: 1, profiles: { "openai-codex": { kind: "oauth", provider: "openai-codex", access, refresh: C.refresh, accountId: "acct_c", expiresAt: 1, updatedAt: 1 } } }));
    peer.answer("/oauth/revoke", echo(401));
    const signedOut = await signOutOfCodex(openAuthStore({ home, env: {} }), { settings: settings(), maxRetries: 0 });
    expect(signedOut.revocation?.outcome).toBe("failed");
    const revokeError = signedOut.revocation!.error!;
    seen.push({ label: "sign-out result", text: `${inspect(signedOut, { depth: 6 })} ${JSON.stringify(signedOut)} ${revokeError.describe()}` });

    expect(seen.length).toBeGreaterThanOrEqual(18);
    for (const { label, text } of seen) {
      for (const secret of secrets) expect(text.includes(secret), `${label} leaked a secret:\n${text}`).toBe(false);
    }
    // The errors stay useful without the secrets.
    expect(seen.find((s) => s.label === "save failed")!.text).toContain("Signed in, but the credentials could not be saved");
    expect(seen.find((s) => s.label === "refresh 401")!.text).toContain("invalid_grant");
    expect(seen.find((s) => s.label === "revoke 401")!.text).toContain("revoke_rejected");
  });
});
