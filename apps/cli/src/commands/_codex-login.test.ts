import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs } from "../_args.js";
import type { CommandContext } from "../_context.js";
import * as login from "./models-auth-login.js";

let emu: Emulator;
let home: string;
/** The stored codex refresh token at the moment each /oauth/revoke request arrived. */
let storedAtRevoke: (string | undefined)[];
const profilesPath = () => join(home, "auth", "profiles.json");

beforeEach(async () => {
  storedAtRevoke = [];
  home = await mkdtemp(join(tmpdir(), "genesis-cli-relogin-"));
  emu = await startEmulator({
    onRequest: (r) => {
      if (r.path === "/oauth/revoke") storedAtRevoke.push(JSON.parse(readFileSync(profilesPath(), "utf8")).profiles["openai-codex"]?.refresh);
    },
  });
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

const revokes = () => emu.requests.filter((r) => r.path === "/oauth/revoke");

async function store(profiles: Record<string, unknown>): Promise<void> {
  await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
  await writeFile(profilesPath(), JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
}
function oauthProfile(t: { access_token: string; refresh_token: string }, accountId: string) {
  return { kind: "oauth", provider: "openai-codex", access: t.access_token, refresh: t.refresh_token, accountId, expiresAt: Date.now() + 1e6, updatedAt: 1 };
}

/** Run `models auth login --device-code` and approve the code as soon as it is shown. */
async function deviceLogin(): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
    const code = /one-time code: {2}([A-Z0-9]{4}-[A-Z0-9]{5})/.exec(err)?.[1];
    if (code && !approved) {
      approved = true;
      emu.approveDeviceCode(code);
    }
  });
  let approved = false;
  const argv = ["--provider", "openai-codex", "--device-code"];
  const env = { GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: emu.codexBase, GENESIS_NO_BROWSER: "1" };
  const ctx: CommandContext = { argv, args: parseArgs(argv, new Set(login.valueFlags)), env, stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal };
  const code = await login.run(ctx);
  return { code, out, err };
}

describe("re-login replacing a stored openai-codex sign-in", () => {
  it("revokes the replaced refresh token only after the new sign-in is on disk", async () => {
    const old = emu.auth.issueTokens({ accountId: "acct_previous" });
    await store({ "openai-codex": oauthProfile(old, "acct_previous") });
    const run = await deviceLogin();
    expect(run.code).toBe(0);
    expect(run.out).toContain("This replaced the previous sign-in (account acct_previous).");
    expect(run.err).not.toContain("warning");
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0]!.body).toEqual({ token: old.refresh_token, token_type_hint: "refresh_token", client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
    const paths = emu.requests.map((r) => r.path);
    expect(paths.lastIndexOf("/oauth/token")).toBeLessThan(paths.indexOf("/oauth/revoke"));
    const now = JSON.parse(await readFile(profilesPath(), "utf8")).profiles["openai-codex"];
    // When the revocation arrived, the store already held the new token (never the old one).
    expect(storedAtRevoke).toEqual([now.refresh]);
    expect(now.refresh).not.toBe(old.refresh_token);
    for (const text of [run.out, run.err]) for (const secret of [old.refresh_token, now.refresh, now.access]) expect(text).not.toContain(secret);
  });

  it("skips a token another profile id holds", async () => {
    const old = emu.auth.issueTokens({ accountId: "acct_previous" });
    await store({ "openai-codex": oauthProfile(old, "acct_previous"), mirror: { kind: "api_key", provider: "mirror", key: old.refresh_token, createdAt: 1 } });
    expect((await deviceLogin()).code).toBe(0);
    expect(revokes()).toHaveLength(0);
  });

  it("warns on stderr but succeeds when the revocation fails", async () => {
    const old = emu.auth.issueTokens({ accountId: "acct_previous" });
    await store({ "openai-codex": oauthProfile(old, "acct_previous") });
    emu.fault({ kind: "http-status", status: 401, body: { error: "invalid_client" }, match: { path: "/oauth/revoke" } });
    const run = await deviceLogin();
    expect(run.code).toBe(0);
    expect(run.out).toContain("Signed in to ChatGPT as dev@example.com");
    expect(run.err).toContain("warning: could not revoke the replaced refresh token of account acct_previous");
    expect(run.err).toContain("invalid_client");
    expect(JSON.parse(await readFile(profilesPath(), "utf8")).profiles["openai-codex"].accountId).toBe("acct_emulator");
  });
});
