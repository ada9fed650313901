import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt } from "./_cli.js";

// `genesis onboard --auth-choice openai-codex` (browser and --device-code) as a user runs it:
// the built CLI against the emulator's auth server, then a Codex turn with the stored sign-in.
let emu: Emulator;
let home: string;

interface Session {
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first capture of `pattern` in stderr. */
  waitFor: (pattern: RegExp) => Promise<string>;
  exit: Promise<number | null>;
}

function start(args: string[]): Session {
  const child = spawn(process.execPath, [cliEntry, ...args], {
    env: {
      PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: emu.codexBase,
      GENESIS_CODEX_CALLBACK_PORT: "0", GENESIS_NO_BROWSER: "1",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
  return {
    stdout: () => out,
    stderr: () => err,
    exit,
    async waitFor(pattern) {
      const until = Date.now() + 20_000;
      for (;;) {
        const m = pattern.exec(err);
        if (m) return m[1]!;
        if (Date.now() > until) throw new Error(`no ${pattern} in stderr:\n${err}\nstdout:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const authFile = () => join(home, "auth", "profiles.json");
const AUTHORIZE_URL = /\n {2}(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)\n/;
const USER_CODE = /one-time code: {2}([A-Z0-9]{4}-[A-Z0-9]{5})/;

beforeAll(async () => {
  await ensureBuilt(["core", "openai", "azure", "runtime"]);
  emu = await startEmulator();
}, 300_000);
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-onboard-codex-"));
});
afterEach(async () => {
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

function expectStoredSignIn(session: Session) {
  expect(session.stdout()).toBe(`Signed in to ChatGPT as dev@example.com, plus plan. Credentials saved to ${authFile()}.\n`);
  expect(statSync(authFile()).mode & 0o777).toBe(0o600);
  const profile = JSON.parse(readFileSync(authFile(), "utf8")).profiles["openai-codex"];
  expect(profile).toMatchObject({ kind: "oauth", provider: "openai-codex", accountId: "acct_emulator", email: "dev@example.com" });
  for (const secret of [profile.access, profile.refresh, profile.idToken]) {
    expect(session.stdout()).not.toContain(secret);
    expect(session.stderr()).not.toContain(secret);
  }
  return profile as { access: string };
}

describe("genesis onboard --auth-choice openai-codex", () => {
  it("browser flow: prints the sign-in URL, completes on the loopback callback, and a Codex turn then works", async () => {
    const session = start(["onboard", "--auth-choice", "openai-codex"]);
    const url = await session.waitFor(AUTHORIZE_URL);
    const authorize = new URL(url);
    expect(authorize.origin).toBe(emu.authIssuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    // The browser: the issuer redirects to the CLI's loopback callback with the code.
    const redirect = await fetch(url, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const callback = await fetch(redirect.headers.get("location")!.replace("//localhost:", "//127.0.0.1:"));
    expect(callback.status).toBe(200);
    await callback.text();
    expect(await session.exit).toBe(0);
    const profile = expectStoredSignIn(session);
    const token = emu.requests.find((r) => r.path === "/oauth/token");
    expect(token?.method).toBe("POST");

    emu.script({ text: "Hello over Codex." });
    const turn = start(["agent", "--model", "openai-codex/gpt-5.5", "--message", "hi"]);
    expect(await turn.exit).toBe(0);
    expect(turn.stdout()).toBe("Hello over Codex.\n");
    const call = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").at(-1)!;
    expect(call.headers["chatgpt-account-id"]).toBe("acct_emulator");
    expect(emu.authHeaderOf(call.id)).toBe(`Bearer ${profile.access}`);
  }, 60_000);

  it("--device-code: shows the code, waits for approval, stores the sign-in", async () => {
    const session = start(["onboard", "--auth-choice", "openai-codex", "--device-code"]);
    const code = await session.waitFor(USER_CODE);
    await session.waitFor(/(Waiting for approval in the browser)/);
    expect(session.stderr()).toContain(`${emu.authIssuer}/codex/device`);
    expect(session.stderr()).toContain("never share this code");
    expect(existsSync(authFile())).toBe(false);
    emu.approveDeviceCode(code);
    expect(await session.exit).toBe(0);
    expectStoredSignIn(session);
    const paths = emu.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain("POST /api/accounts/deviceauth/usercode");
    expect(paths).toContain("POST /api/accounts/deviceauth/token");
    expect(paths).toContain("POST /oauth/token");
  }, 60_000);

  it("a denied browser sign-in and a denied device code exit 1 with a typed error and store nothing", async () => {
    emu.auth.setNextAuthorizeResult("deny");
    const browser = start(["onboard", "--auth-choice", "openai-codex"]);
    const url = await browser.waitFor(AUTHORIZE_URL);
    const redirect = await fetch(url, { redirect: "manual" });
    await (await fetch(redirect.headers.get("location")!.replace("//localhost:", "//127.0.0.1:"))).text();
    expect(await browser.exit).toBe(1);
    expect(browser.stderr()).toMatch(/genesis: .*(denied|access_denied)/i);
    expect(existsSync(authFile())).toBe(false);

    const device = start(["onboard", "--auth-choice", "openai-codex", "--device-code"]);
    emu.approveDeviceCode(await device.waitFor(USER_CODE), { deny: true });
    expect(await device.exit).toBe(1);
    expect(device.stderr()).toMatch(/genesis: .*\n {2}hint: /);
    expect(existsSync(authFile())).toBe(false);
  }, 60_000);
});
