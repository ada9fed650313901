import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CodexAuthError } from "./codex-auth-error.js";
import { loginWithDeviceCode, type DeviceCodePrompt } from "./device-login.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
beforeEach(async () => {
  peer = await startOAuthPeer();
});
afterEach(async () => {
  vi.useRealTimers();
  await peer.close();
});

const settings = () => resolveCodexOAuthSettings({ issuer: peer.url }, {});
const access = fakeJwt({ accountId: "acct_d", exp: 2_000_000_000 });
const USERCODE = "/api/accounts/deviceauth/usercode";
const POLL = "/api/accounts/deviceauth/token";

/** A virtual clock: sleeping advances it instantly and records the delays asked for. */
function virtualClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
  };
}

async function failure(p: Promise<unknown>): Promise<CodexAuthError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CodexAuthError);
  return error as CodexAuthError;
}

describe("loginWithDeviceCode", () => {
  it("shows the code, polls at the server interval through pending answers, exchanges with the device redirect", async () => {
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "dev-1", user_code: "ABCD-EFGH", interval: "7" } });
    peer.answer(POLL, { status: 403, body: { error: "pending" } }, { status: 404 }, { status: 200, body: { authorization_code: "auth-code-1", code_verifier: "dev-verifier-1", code_challenge: "x" } });
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-d" } });
    const clock = virtualClock();
    const prompts: DeviceCodePrompt[] = [];
    const creds = await loginWithDeviceCode({ settings: settings(), onCode: (p) => void prompts.push(p), now: clock.now, sleep: clock.sleep });
    expect(prompts).toEqual([{ verificationUrl: `${peer.url}/codex/device`, userCode: "ABCD-EFGH", expiresAt: 1_000_000 + 900_000 }]);
    expect(clock.sleeps).toEqual([7000, 7000, 7000]);
    expect(peer.requests.map((r) => r.path)).toEqual([USERCODE, POLL, POLL, POLL, "/oauth/token"]);
    expect(JSON.parse(peer.requests[0]!.body)).toEqual({ client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
    expect(JSON.parse(peer.requests[1]!.body)).toEqual({ device_auth_id: "dev-1", user_code: "ABCD-EFGH" });
    expect(Object.fromEntries(new URLSearchParams(peer.requests[4]!.body))).toEqual({
      grant_type: "authorization_code", code: "auth-code-1", code_verifier: "dev-verifier-1",
      redirect_uri: `${peer.url}/deviceauth/callback`, client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
    });
    expect(creds.accountId).toBe("acct_d");
  });

  it("gives up after 15 minutes of pending answers", async () => {
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "d", usercode: "CODE", interval: 60 } });
    for (let i = 0; i < 20; i++) peer.answer(POLL, { status: 403 });
    const clock = virtualClock();
    const error = await failure(loginWithDeviceCode({ settings: settings(), onCode: () => {}, now: clock.now, sleep: clock.sleep }));
    expect(error.code).toBe("device_code_expired");
    expect(error.message).toContain("15 minutes");
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(900_000);
    expect(peer.requests.filter((r) => r.path === POLL)).toHaveLength(15);
  });

  it("retries transient 5xx and resets with bounds, then fails", async () => {
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "d", user_code: "C", interval: "1" } });
    peer.answer(POLL, { status: 502 }, { status: 0, reset: true }, { status: 403 }, { status: 500 }, { status: 500 }, { status: 500 });
    const clock = virtualClock();
    const error = await failure(loginWithDeviceCode({ settings: settings(), onCode: () => {}, now: clock.now, sleep: clock.sleep, maxTransientErrors: 2 }));
    expect(error.code).toBe("device_code_failed");
    expect(error.transient).toBe(true);
    expect(error.status).toBe(500);
    expect(peer.requests.filter((r) => r.path === POLL)).toHaveLength(6);
  });

  it("retries a failing usercode request with backoff", async () => {
    peer.answer(USERCODE, { status: 503 }, { status: 200, body: { device_auth_id: "d", user_code: "C", interval: "1" } });
    peer.answer(POLL, { status: 200, body: { authorization_code: "a", code_verifier: "v" } });
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "r" } });
    const clock = virtualClock();
    await loginWithDeviceCode({ settings: settings(), onCode: () => {}, now: clock.now, sleep: clock.sleep });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("polls every 5 s when the server names no interval, and treats a 200 without JSON as transient", async () => {
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "d", user_code: "C" } });
    peer.answer(POLL, { status: 200, text: "<html>gateway</html>" }, { status: 200, body: { authorization_code: "a", code_verifier: "v" } });
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "r" } });
    const clock = virtualClock();
    await loginWithDeviceCode({ settings: settings(), onCode: () => {}, now: clock.now, sleep: clock.sleep });
    expect(clock.sleeps).toEqual([5000, 5000]);
  });

  it("reports a disabled device flow (404 on usercode)", async () => {
    peer.answer(USERCODE, { status: 404 });
    const error = await failure(loginWithDeviceCode({ settings: settings(), onCode: () => {} }));
    expect(error.code).toBe("device_code_disabled");
  });

  it("stops with device_code_denied on a denial answer", async () => {
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "d", user_code: "C", interval: "1" } });
    peer.answer(POLL, { status: 400, body: { error: "access_denied" } });
    const clock = virtualClock();
    const error = await failure(loginWithDeviceCode({ settings: settings(), onCode: () => {}, now: clock.now, sleep: clock.sleep }));
    expect(error.code).toBe("device_code_denied");
  });

  it("honours abort while waiting (real fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    peer.answer(USERCODE, { status: 200, body: { device_auth_id: "d", user_code: "C", interval: "5" } });
    const controller = new AbortController();
    const run = loginWithDeviceCode({ settings: settings(), onCode: () => {}, signal: controller.signal });
    const settled = run.then(() => undefined, (e: unknown) => e);
    await vi.waitFor(() => expect(vi.getTimerCount()).toBeGreaterThan(0));
    controller.abort();
    const error = (await settled) as CodexAuthError;
    expect(error.code).toBe("oauth_aborted");
    expect(peer.requests.filter((r) => r.path === POLL)).toHaveLength(0);
  });
});
