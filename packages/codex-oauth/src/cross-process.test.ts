import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openAuthStore } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { build } from "tsup";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { codexCredentialStore } from "./codex-credential-store.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { readTokenClaims } from "./_jwt.js";
import type { CodexCredentials } from "./token-client.js";

let bundleDir: string;
let childScript: string;
let home: string;
let emu: Emulator | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Node 20 cannot run TypeScript: bundle the child (and the workspace sources it imports).
  bundleDir = await mkdtemp(join(tmpdir(), "genesis-child-"));
  await build({
    entry: { child: join(import.meta.dirname, "__fixtures__", "auth-child.ts") },
    outDir: bundleDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    noExternal: [/.*/],
    silent: true,
    config: false,
    dts: false,
    esbuildOptions(options) {
      options.conditions = ["@genesis/source"];
    },
  });
  childScript = join(bundleDir, "child.js");
}, 60_000);
afterAll(() => rm(bundleDir, { recursive: true, force: true }));
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await emu?.close();
  emu = undefined;
  if (home) await rm(home, { recursive: true, force: true });
});

function startChild(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [childScript, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => {
    lines.push(l);
    waiters.splice(0).forEach((w) => w());
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const nextLine = async (i: number) => {
    while (lines.length <= i) {
      if (child.exitCode !== null) throw new Error(`child exited ${child.exitCode}: ${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return lines[i]!;
  };
  return { child, nextLine, stderr: () => stderr };
}

describe("two processes sharing one GENESIS_HOME", () => {
  it("refresh concurrently against rotating refresh tokens: one refresh reaches the issuer, both succeed", async () => {
    emu = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "genesis-xp-"));
    // Stored as already expired (refreshed tokens inherit the 1 h lifetime), with a live rotating refresh token.
    const issued = emu.auth.issueTokens({ accountId: "acct_xp", expiresInSec: 3600 });
    const access = issued.access_token;
    await codexCredentialStore(openAuthStore({ home, env: {} })).save({
      kind: "oauth", provider: "openai-codex", access, refresh: issued.refresh_token, accountId: "acct_xp",
      expiresAt: Date.now() - 1000, updatedAt: Date.now() - 2000,
    });
    const env = { GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer };
    const a = startChild(["refresh"], env);
    const b = startChild(["refresh"], env);
    expect(await a.nextLine(0)).toBe("ready");
    expect(await b.nextLine(0)).toBe("ready");
    a.child.stdin!.write("go\n");
    b.child.stdin!.write("go\n");
    const ra = JSON.parse(await a.nextLine(1));
    const rb = JSON.parse(await b.nextLine(1));
    expect(ra).toMatchObject({ ok: true, accountId: "acct_xp" });
    expect(rb).toMatchObject({ ok: true, accountId: "acct_xp" });
    expect(ra.accessHash).toBe(rb.accessHash);
    expect(emu.auth.refreshCount).toBe(1);
    const saved = await codexCredentialStore(openAuthStore({ home, env: {} })).get();
    expect(saved!.refresh).not.toBe(issued.refresh_token);
    expect(readTokenClaims(saved!.access)!.accountId).toBe("acct_xp");
    expect(`${a.stderr()}${b.stderr()}`).not.toContain(issued.refresh_token);
  });
});

describe("a process killed mid-save", () => {
  it("leaves a valid store and a lock the next writer takes over", async () => {
    home = await mkdtemp(join(tmpdir(), "genesis-kill-"));
    const profile: CodexCredentials = {
      kind: "oauth", provider: "openai-codex", access: "eyJhbGciOiJub25lIn0.e30.", refresh: "rt-0", accountId: "acct_k",
      expiresAt: 2_000_000_000_000, updatedAt: 0,
    };
    // Default lock options: the lock file is never empty (its owner is written to a temp file
    // and hard-linked into place), so a dead writer's lock is recognised by its pid at once.
    const store = codexCredentialStore(openAuthStore({ home, env: {} }));
    for (let round = 0; round < 3; round++) {
      const c = startChild(["save-loop"], { GENESIS_HOME: home, GENESIS_TEST_PROFILE: JSON.stringify(profile) });
      expect(await c.nextLine(0)).toBe("ready");
      expect(await c.nextLine(1)).toBe("saved");
      // Land the kill at a different point of the save loop each round.
      await new Promise((r) => setTimeout(r, 20 + round * 37));
      c.child.kill("SIGKILL");
      await new Promise((r) => c.child.once("exit", r));
      const text = await readFile(join(home, "auth", "profiles.json"), "utf8");
      const parsed = JSON.parse(text) as { profiles: Record<string, { refresh: string }> };
      expect(parsed.profiles["openai-codex"]!.refresh).toMatch(/^rt-loop-\d+$/);
      expect((await store.get())!.accountId).toBe("acct_k");
      // The dead writer's lock (if it held one) must not block us: taken over well inside the
      // default 30 s stale window.
      const started = Date.now();
      await store.save({ ...profile, refresh: `rt-after-${round}` });
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await store.get())!.refresh).toBe(`rt-after-${round}`);
    }
  }, 30_000);
});

describe("revoked refresh tokens", () => {
  it("give reauth_required once, keep the stored sign-in, and are not retried", async () => {
    emu = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "genesis-rv-"));
    const issued = emu.auth.issueTokens({ accountId: "acct_rv", expiresInSec: 3600 });
    const store = codexCredentialStore(openAuthStore({ home, env: {} }));
    await store.save({ kind: "oauth", provider: "openai-codex", access: issued.access_token, refresh: issued.refresh_token, accountId: "acct_rv", expiresAt: 0, updatedAt: 0 });
    emu.auth.revokeAll();
    const manager = new CodexCredentialManager({ store, settings: resolveCodexOAuthSettings({ issuer: emu.authIssuer }, {}) });
    for (let i = 0; i < 3; i++) {
      const error = (await manager.getCredentials().catch((e: unknown) => e)) as { code: string; oauthError?: string };
      expect(error).toMatchObject({ code: "reauth_required", oauthError: "refresh_token_invalidated" });
    }
    expect(emu.auth.refreshCount).toBe(1);
    expect((await store.get())!.refresh).toBe(issued.refresh_token);
  });
});

describe("in-process view of the same race", () => {
  it("two managers on one emulator spend the rotating token once", async () => {
    emu = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "genesis-ip-"));
    const issued = emu.auth.issueTokens({ accountId: "acct_ip", expiresInSec: 3600 });
    const store = () => codexCredentialStore(openAuthStore({ home, env: {} }));
    await store().save({ kind: "oauth", provider: "openai-codex", access: issued.access_token, refresh: issued.refresh_token, accountId: "acct_ip", expiresAt: 0, updatedAt: 0 });
    const settings = resolveCodexOAuthSettings({ issuer: emu.authIssuer }, {});
    const [x, y] = await Promise.all([
      new CodexCredentialManager({ store: store(), settings }).getCredentials(),
      new CodexCredentialManager({ store: store(), settings }).getCredentials(),
    ]);
    expect(x.access).toBe(y.access);
    expect(emu.auth.refreshCount).toBe(1);
  });
});
