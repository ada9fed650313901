import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../_args.js";
import type { CommandContext } from "../_context.js";
import * as login from "./models-auth-login.js";
import * as logout from "./models-auth-logout.js";
import * as onboard from "./onboard.js";

let emu: Emulator;
let home: string;
beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-cli-login-"));
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

function context(mod: { valueFlags?: readonly string[] }, argv: string[], signal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const env = { GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: emu.codexBase, GENESIS_CODEX_CALLBACK_PORT: "0", GENESIS_NO_BROWSER: "1" };
  const ctx: CommandContext = { argv, args: parseArgs(argv, new Set(mod.valueFlags ?? [])), env, stdout, stderr, stdin, signal };
  return { ctx, stdin, out: () => out, err: () => err };
}

async function waitFor<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out waiting");
}

const profilesPath = () => join(home, "auth", "profiles.json");

describe("genesis models auth login --provider openai-codex", () => {
  it("prints the sign-in URL and a waiting line, completes via the browser, saves 0600 and never prints tokens", async () => {
    const c = context(login, ["--provider", "openai-codex", "--no-browser"]);
    const done = login.run(c.ctx);
    const url = await waitFor(() => /\n {2}(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)\n/.exec(c.err())?.[1]);
    expect(c.err()).toContain("Waiting for the browser sign-in (Ctrl-C to cancel)");
    const redirect = await fetch(url, { redirect: "manual" });
    await (await fetch(redirect.headers.get("location")!)).text();
    expect(await done).toBe(0);
    expect(c.out()).toContain("Signed in to ChatGPT as dev@example.com, plus plan.");
    const file = JSON.parse(await readFile(profilesPath(), "utf8"));
    const profile = file.profiles["openai-codex"];
    expect(profile).toMatchObject({ kind: "oauth", provider: "openai-codex", accountId: "acct_emulator", email: "dev@example.com" });
    expect((await stat(profilesPath())).mode & 0o777).toBe(0o600);
    for (const secret of [profile.access, profile.refresh, profile.idToken]) {
      expect(c.out()).not.toContain(secret);
      expect(c.err()).not.toContain(secret);
    }
  });

  it("accepts a pasted redirect URL on stdin (headless)", async () => {
    const c = context(login, ["--provider", "openai-codex", "--no-browser"]);
    const done = login.run(c.ctx);
    const url = await waitFor(() => /\n {2}(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)\n/.exec(c.err())?.[1]);
    const location = (await fetch(url, { redirect: "manual" })).headers.get("location")!;
    c.stdin.write(`${location}\n`);
    expect(await done).toBe(0);
    expect(JSON.parse(await readFile(profilesPath(), "utf8")).profiles["openai-codex"].accountId).toBe("acct_emulator");
  });

  it("--device-code shows the code, waits, and signs in once approved", async () => {
    const c = context(login, ["--provider", "openai-codex", "--device-code"]);
    const done = login.run(c.ctx);
    const code = await waitFor(() => /one-time code: {2}([A-Z0-9]{4}-[A-Z0-9]{5})/.exec(c.err())?.[1]);
    expect(c.err()).toContain(`${emu.authIssuer}/codex/device`);
    expect(c.err()).toContain("never share this code");
    expect(c.err()).toContain("Waiting for approval in the browser");
    emu.approveDeviceCode(code);
    expect(await done).toBe(0);
    expect(c.out()).toContain("Signed in to ChatGPT as dev@example.com");
  });

  it("Ctrl-C cancels, frees the callback port and saves nothing; a timeout is typed too", async () => {
    const abort = new AbortController();
    const c = context(login, ["--provider", "openai-codex"], abort.signal);
    const done = login.run(c.ctx).catch((e: unknown) => e);
    const url = await waitFor(() => /\n {2}(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)\n/.exec(c.err())?.[1]);
    abort.abort();
    expect(((await done) as { code: string }).code).toBe("oauth_aborted");
    const redirectUri = new URL(url).searchParams.get("redirect_uri")!;
    await expect(fetch(redirectUri.replace("localhost", "127.0.0.1"))).rejects.toThrow();
    await expect(stat(profilesPath())).rejects.toThrow();
    const t = context(login, ["--provider", "openai-codex", "--timeout", "0.2"]);
    expect(((await login.run(t.ctx).catch((e: unknown) => e)) as { code: string }).code).toBe("oauth_timeout");
    await expect(stat(profilesPath())).rejects.toThrow();
  });

  it("says which account a sign-in to another account replaced, and keeps quiet for the same account", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
    const old = emu.auth.issueTokens({ accountId: "acct_previous" });
    const profile = { kind: "oauth", provider: "openai-codex", access: old.access_token, refresh: old.refresh_token, accountId: "acct_previous", expiresAt: Date.now() + 1e6, updatedAt: 1 };
    await writeFile(profilesPath(), JSON.stringify({ version: 1, profiles: { "openai-codex": profile } }), { mode: 0o600 });
    for (const expected of ["This replaced the previous sign-in (account acct_previous).", undefined]) {
      const c = context(login, ["--provider", "openai-codex", "--device-code"]);
      const done = login.run(c.ctx);
      emu.approveDeviceCode(await waitFor(() => /one-time code: {2}([A-Z0-9]{4}-[A-Z0-9]{5})/.exec(c.err())?.[1]));
      expect(await done).toBe(0);
      if (expected) expect(c.out()).toContain(expected);
      else expect(c.out()).not.toContain("replaced");
      expect(c.out()).not.toContain(old.refresh_token);
    }
    expect(JSON.parse(await readFile(profilesPath(), "utf8")).profiles["openai-codex"].accountId).toBe("acct_emulator");
  });

  it("refuses other providers and bad flags as usage errors", async () => {
    await expect(login.run(context(login, ["--provider", "openai"]).ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(login.run(context(login, []).ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(login.run(context(login, ["--provider", "openai-codex", "--timeout", "soon"]).ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(login.run(context(login, ["--provider", "openai-codex", "--bogus"]).ctx)).rejects.toBeInstanceOf(UsageError);
  });
});

describe("genesis onboard --auth-choice openai-codex", () => {
  it("signs in fresh and imports nothing from an existing ~/.codex login", async () => {
    const { mkdir } = await import("node:fs/promises");
    // A Codex CLI login in HOME (a valid token the emulator would accept) must be ignored.
    const codexTokens = emu.auth.issueTokens({ accountId: "acct_codex_cli" });
    await mkdir(join(home, ".codex"), { recursive: true });
    const codexAuth = { auth_mode: "chatgpt", tokens: { access_token: codexTokens.access_token, refresh_token: codexTokens.refresh_token, account_id: "acct_codex_cli" } };
    await writeFile(join(home, ".codex", "auth.json"), JSON.stringify(codexAuth));
    const c = context(onboard, ["--auth-choice", "openai-codex", "--device-code"]);
    c.ctx.env.HOME = home;
    c.ctx.env.CODEX_HOME = join(home, ".codex");
    const done = onboard.run(c.ctx);
    const code = await waitFor(() => /one-time code: {2}([A-Z0-9]{4}-[A-Z0-9]{5})/.exec(c.err())?.[1]);
    // Nothing was stored before the new sign-in was approved.
    await expect(stat(profilesPath())).rejects.toThrow();
    emu.approveDeviceCode(code);
    expect(await done).toBe(0);
    const stored = await readFile(profilesPath(), "utf8");
    expect(JSON.parse(stored).profiles["openai-codex"].accountId).toBe("acct_emulator");
    expect(stored).not.toContain("acct_codex_cli");
    expect(stored).not.toContain(codexTokens.refresh_token);
    expect(c.out()).not.toContain("replaced");
  });
});

describe("genesis models auth logout --provider openai-codex", () => {
  it("removes only the codex profile and says when there was none", async () => {
    const tokens = emu.auth.issueTokens();
    const doc = {
      version: 1,
      profiles: {
        "openai-codex": { kind: "oauth", provider: "openai-codex", access: tokens.access_token, refresh: tokens.refresh_token, accountId: "acct_emulator", expiresAt: Date.now() + 1e6, updatedAt: Date.now() },
        openai: { kind: "api_key", provider: "openai", key: "sk-test-keep-me-123456", createdAt: 1 },
      },
    };
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
    await writeFile(profilesPath(), JSON.stringify(doc), { mode: 0o600 });
    const c = context(logout, ["--provider", "openai-codex"]);
    expect(await logout.run(c.ctx)).toBe(0);
    expect(c.out()).toContain("Signed out of openai-codex");
    const after = JSON.parse(await readFile(profilesPath(), "utf8"));
    expect(Object.keys(after.profiles)).toEqual(["openai"]);
    const again = context(logout, ["--provider", "openai-codex"]);
    expect(await logout.run(again.ctx)).toBe(0);
    expect(again.out()).toContain("No openai-codex sign-in was stored.");
    await expect(logout.run(context(logout, ["--provider", "openai"]).ctx)).rejects.toBeInstanceOf(UsageError);
  });
});
