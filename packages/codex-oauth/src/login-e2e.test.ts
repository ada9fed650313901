import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { loginWithBrowser } from "./browser-login.js";
import { CodexAuthError } from "./codex-auth-error.js";
import { loginWithDeviceCode, type DeviceCodePrompt } from "./device-login.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

const settings = () => resolveCodexOAuthSettings({ issuer: emu.authIssuer, codexBaseUrl: emu.codexBase, callbackPort: 0, fallbackPorts: [] }, {});

describe("browser sign-in against the emulator", () => {
  it("follows the authorize redirect to our loopback callback and exchanges the code", async () => {
    let callbackStatus = 0;
    const creds = await loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async ({ url }) => {
        // Play the browser: the issuer answers 302 to our redirect_uri with code + state.
        const authorize = await fetch(url, { redirect: "manual" });
        expect(authorize.status).toBe(302);
        const location = authorize.headers.get("location")!;
        expect(location).toMatch(/^http:\/\/localhost:\d+\/auth\/callback\?code=/);
        const page = await fetch(location);
        callbackStatus = page.status;
        await page.text();
      },
    });
    expect(callbackStatus).toBe(200);
    expect(creds).toMatchObject({ kind: "oauth", provider: "openai-codex", accountId: "acct_emulator", planType: "plus", email: "dev@example.com" });
    expect(creds.expiresAt).toBeGreaterThan(Date.now() + 86_400_000);
    const token = emu.requests.filter((r) => r.path === "/oauth/token");
    expect(token).toHaveLength(1);
    expect(token[0]!.method).toBe("POST");
    expect(token[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const authorize = emu.requests.find((r) => r.path === "/oauth/authorize")!;
    expect(authorize.query).toMatchObject({ response_type: "code", code_challenge_method: "S256", client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
  });
});

describe("browser sign-in failures the emulator's issuer produces", () => {
  /** Play the browser and return our callback page's status. */
  const browse = async (url: string) => {
    const location = (await fetch(url, { redirect: "manual" })).headers.get("location")!;
    const page = await fetch(location);
    await page.text();
    return page.status;
  };

  it.each([
    ["deny", "oauth_denied"],
    ["no-code", "oauth_missing_code"],
  ] as const)("issuer outcome %s gives %s, answers 400 and exchanges nothing", async (outcome, code) => {
    emu.auth.setNextAuthorizeResult(outcome);
    let status = 0;
    const error = await loginWithBrowser({ settings: settings(), onAuthorizeUrl: async ({ url }) => void (status = await browse(url)) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexAuthError);
    expect((error as CodexAuthError).code).toBe(code);
    expect(status).toBe(400);
    expect(emu.requests.some((r) => r.path === "/oauth/token")).toBe(false);
  });
});

describe("device sign-in against the emulator", () => {
  /** Sleep that lets the test approve after a given number of polls. */
  function steppedClock(onPoll: (n: number) => void) {
    let t = Date.now();
    let polls = 0;
    return {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
        onPoll(polls++);
      },
    };
  }

  it("polls through pending answers until the approval hook fires, then exchanges", async () => {
    let prompt: DeviceCodePrompt | undefined;
    const clock = steppedClock((n) => {
      if (n === 2) emu.approveDeviceCode(prompt!.userCode);
    });
    const creds = await loginWithDeviceCode({ settings: settings(), onCode: (p) => void (prompt = p), ...clock });
    expect(prompt!.verificationUrl).toBe(`${emu.authIssuer}/codex/device`);
    expect(prompt!.userCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{5}$/);
    expect(creds.accountId).toBe("acct_emulator");
    const paths = emu.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p.endsWith("/deviceauth/token"))).toHaveLength(3);
    expect(paths.at(-1)).toBe("POST /oauth/token");
  });

  it("a denial ends the flow with device_code_denied and no token exchange", async () => {
    const clock = steppedClock((n) => {
      if (n === 0) emu.approveDeviceCode(undefined, { deny: true });
    });
    const error = await loginWithDeviceCode({ settings: settings(), onCode: () => {}, ...clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexAuthError);
    expect((error as CodexAuthError).code).toBe("device_code_denied");
    expect(emu.requests.some((r) => r.path === "/oauth/token")).toBe(false);
  });

  it("expiry on the server side ends the flow with device_code_expired", async () => {
    await emu.close();
    let serverNow = Date.now();
    emu = await startEmulator({ now: () => serverNow });
    const clock = steppedClock(() => {
      serverNow += 16 * 60_000;
    });
    const error = await loginWithDeviceCode({ settings: settings(), onCode: () => {}, ...clock, maxWaitMs: 60 * 60_000 }).catch((e: unknown) => e);
    expect((error as CodexAuthError).code).toBe("device_code_expired");
    expect((error as CodexAuthError).oauthError).toBe("expired_token");
  });

  it("retries emulator 5xx faults with bounds and then succeeds", async () => {
    emu.fault({ kind: "http-status", status: 503, match: { path: "/api/accounts/deviceauth/token" }, times: 2 });
    let prompt: DeviceCodePrompt | undefined;
    const clock = steppedClock((n) => {
      if (n === 0) emu.approveDeviceCode(prompt!.userCode);
    });
    const creds = await loginWithDeviceCode({ settings: settings(), onCode: (p) => void (prompt = p), ...clock });
    expect(creds.accountId).toBe("acct_emulator");
    expect(emu.requests.filter((r) => r.path === "/api/accounts/deviceauth/token")).toHaveLength(3);
  });
});
