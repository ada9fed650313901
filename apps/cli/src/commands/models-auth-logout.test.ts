import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt } from "../../test/_cli.js";
import { parseArgs, UsageError } from "../_args.js";
import type { CommandContext } from "../_context.js";
import * as logout from "./models-auth-logout.js";

let emu: Emulator;
let home: string;
beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-cli-logout-"));
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

const profilesPath = () => join(home, "auth", "profiles.json");
const revokes = () => emu.requests.filter((r) => r.path === "/oauth/revoke");
const baseEnv = () => ({ GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: emu.codexBase });

function context(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const ctx: CommandContext = {
    argv, args: parseArgs(argv, new Set(logout.valueFlags)), env: { ...baseEnv(), ...env }, stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal,
  };
  return { ctx, out: () => out, err: () => err };
}

/** Store an emulator-issued sign-in (plus an API key that must survive) and return its tokens. */
async function signedIn(): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const t = emu.auth.issueTokens({ accountId: "acct_logout", email: "leaving@example.com" });
  const profile = { kind: "oauth", provider: "openai-codex", access: t.access_token, refresh: t.refresh_token, idToken: t.id_token, accountId: "acct_logout", email: "leaving@example.com", expiresAt: Date.now() + 1e6, updatedAt: 1 };
  await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
  await writeFile(profilesPath(), JSON.stringify({ version: 1, profiles: { "openai-codex": profile, openai: { kind: "api_key", provider: "openai", key: "sk-test-keep-me-123456", createdAt: 1 } } }), { mode: 0o600 });
  return t;
}
const storedIds = async () => Object.keys(JSON.parse(await readFile(profilesPath(), "utf8")).profiles);
const refreshWorks = async (token: string) =>
  (await fetch(`${emu.authIssuer}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token, client_id: "app_EMoamEEZ73f0CkXaXp7hrann" }) })).status === 200;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("genesis models auth logout (in process)", () => {
  it("revokes the refresh token at the issuer, then removes only the codex sign-in", async () => {
    const t = await signedIn();
    const c = context(["--provider", "openai-codex"]);
    expect(await logout.run(c.ctx)).toBe(0);
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0]).toMatchObject({ method: "POST", headers: { "content-type": "application/json" } });
    expect(revokes()[0]!.body).toEqual({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
    expect(c.out()).toContain("Signed out of openai-codex");
    expect(c.out()).toContain("Revoked the refresh token of leaving@example.com at the issuer.");
    expect(c.err()).toBe("");
    expect(await storedIds()).toEqual(["openai"]);
    expect(await refreshWorks(t.refresh_token)).toBe(false);
  });

  const cases: [string, () => Promise<Record<string, string>>][] = [
    ["the revoke endpoint answers 500", async () => {
      emu.fault({ kind: "http-status", status: 500, times: 10, match: { path: "/oauth/revoke" } });
      return {};
    }],
    ["the connection is refused", async () => ({ GENESIS_CODEX_REVOKE_URL: `http://127.0.0.1:${await closedPort()}/oauth/revoke` })],
  ];
  it.each(cases)("removes the sign-in and warns on stderr when %s (exit 0)", async (_label, arm) => {
    const t = await signedIn();
    const c = context(["--provider", "openai-codex"], await arm());
    expect(await logout.run(c.ctx)).toBe(0);
    expect(c.out()).toContain("Signed out of openai-codex");
    expect(c.err()).toContain("warning: could not revoke the refresh token of leaving@example.com");
    expect(c.err()).toContain("may stay valid until it expires");
    expect(await storedIds()).toEqual(["openai"]);
    for (const text of [c.out(), c.err()]) expect(text).not.toContain(t.refresh_token);
  }, 20_000);

  it("--no-revoke makes no request at all", async () => {
    const t = await signedIn();
    const c = context(["--provider", "openai-codex", "--no-revoke"]);
    expect(await logout.run(c.ctx)).toBe(0);
    expect(emu.requests).toHaveLength(0);
    expect(c.out()).toContain("(--no-revoke)");
    expect(await storedIds()).toEqual(["openai"]);
    expect(await refreshWorks(t.refresh_token)).toBe(true);
  });

  it("still signs out locally when the config cannot be read, saying nothing was revoked", async () => {
    await signedIn();
    await writeFile(join(home, "genesis.json5"), "{ auth: { openaiCodex: { issuer: 'ftp://nope' } } }");
    const c = context(["--provider", "openai-codex"]);
    expect(await logout.run(c.ctx)).toBe(0);
    expect(c.err()).toContain("was not revoked");
    expect(emu.requests).toHaveLength(0);
    expect(await storedIds()).toEqual(["openai"]);
  });

  it("documents --no-revoke and refuses unknown flags", async () => {
    expect(logout.usage).toContain("--no-revoke");
    expect(logout.usage).toContain("GENESIS_CODEX_REVOKE_URL");
    await expect(logout.run(context(["--provider", "openai-codex", "--revoke-only"]).ctx)).rejects.toBeInstanceOf(UsageError);
  });
});

/** Run the built CLI without blocking this process (the emulator answers from here). */
function runBuilt(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("genesis models auth logout (built CLI)", () => {
  beforeAll(() => ensureBuilt(["core", "transport", "codex-oauth"]), 240_000);

  it("revokes and signs out, or warns and still signs out, never printing a token", async () => {
    const t = await signedIn();
    const ok = await runBuilt(["models", "auth", "logout", "--provider", "openai-codex"], baseEnv());
    expect(ok).toMatchObject({ status: 0, stderr: "" });
    expect(ok.stdout).toContain("Revoked the refresh token of leaving@example.com");
    expect(revokes()[0]!.body).toMatchObject({ token: t.refresh_token });

    const u = await signedIn();
    emu.fault({ kind: "http-status", status: 503, times: 10, body: { error: "temporarily_unavailable", error_description: `cannot revoke ${u.refresh_token}` }, match: { path: "/oauth/revoke" } });
    const failed = await runBuilt(["models", "auth", "logout", "--provider", "openai-codex"], baseEnv());
    expect(failed.status).toBe(0);
    expect(failed.stdout).toContain("Signed out of openai-codex");
    expect(failed.stderr).toContain("warning: could not revoke the refresh token of leaving@example.com");
    expect(await storedIds()).toEqual(["openai"]);
    for (const tokens of [t, u]) {
      for (const secret of [tokens.refresh_token, tokens.access_token, tokens.id_token]) {
        expect(ok.stdout + ok.stderr).not.toContain(secret);
        expect(failed.stdout + failed.stderr).not.toContain(secret);
      }
    }
  }, 30_000);

  it("--no-revoke is in --help and sends nothing", async () => {
    const help = await runBuilt(["models", "auth", "logout", "--help"], baseEnv());
    expect(help.stdout).toContain("--no-revoke");
    await signedIn();
    const offline = await runBuilt(["models", "auth", "logout", "--provider", "openai-codex", "--no-revoke"], baseEnv());
    expect(offline.status).toBe(0);
    expect(emu.requests).toHaveLength(0);
    expect(await storedIds()).toEqual(["openai"]);
  }, 30_000);
});
