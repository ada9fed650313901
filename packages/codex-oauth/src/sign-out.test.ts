import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore, type AuthStore, type OAuthProfile } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { signInWithCodex } from "./sign-in.js";
import { signOutOfCodex } from "./sign-out.js";
import { refreshTokens } from "./token-client.js";

let emu: Emulator;
let home: string;
let store: AuthStore;
/** The profile ids on disk at the moment each /oauth/revoke request arrived. */
let onDiskAtRevoke: { token: string; profiles: Record<string, OAuthProfile> }[];

beforeEach(async () => {
  onDiskAtRevoke = [];
  home = await mkdtemp(join(tmpdir(), "genesis-signout-"));
  store = openAuthStore({ home, env: {} });
  emu = await startEmulator({
    onRequest: (r) => {
      if (r.path !== "/oauth/revoke") return;
      const file = JSON.parse(readFileSync(store.path, "utf8")) as { profiles: Record<string, OAuthProfile> };
      onDiskAtRevoke.push({ token: (r.body as { token: string }).token, profiles: file.profiles });
    },
  });
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

const settings = () => resolveCodexOAuthSettings({ issuer: emu.authIssuer, codexBaseUrl: emu.codexBase }, {});
const revokes = () => emu.requests.filter((r) => r.path === "/oauth/revoke");
const noWait = async () => {};

function profileFor(tokens: { access_token: string; refresh_token: string }, accountId = "acct_emulator"): OAuthProfile {
  return { kind: "oauth", provider: "openai-codex", access: tokens.access_token, refresh: tokens.refresh_token, accountId, expiresAt: Date.now() + 1e6, updatedAt: 1 };
}
async function writeProfiles(profiles: Record<string, unknown>): Promise<void> {
  await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
  await writeFile(store.path, JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
}
const onDisk = async () => (await store.read()).profiles;
/** Take the store lock as a live process would (this one's pid); returns the release. */
async function holdLock(): Promise<() => Promise<void>> {
  await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
  const lockPath = `${store.path}.lock`;
  await writeFile(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), createdAt: Date.now(), token: "held-by-test" }), { mode: 0o600 });
  return () => rm(lockPath, { force: true });
}

describe("signOutOfCodex", () => {
  it("removes only the codex profile first, then revokes the refresh token it removed", async () => {
    const t = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(t), openai: { kind: "api_key", provider: "openai", key: "sk-keep-me-123456", createdAt: 1 } });
    const result = await signOutOfCodex(store, { settings: settings() });
    expect(result).toMatchObject({ removed: true, accountId: "acct_emulator", revocation: { outcome: "revoked", accountId: "acct_emulator" } });
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0]!.body).toEqual({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
    // Already off disk when the issuer was asked: a revoked token is never left behind.
    expect(Object.keys(onDiskAtRevoke[0]!.profiles)).toEqual(["openai"]);
    expect(Object.keys(await onDisk())).toEqual(["openai"]);
    await expect(refreshTokens({ settings: settings(), refreshToken: t.refresh_token })).rejects.toMatchObject({ code: "reauth_required" });
  });

  it.each([
    ["a persistent 500", async () => emu.fault({ kind: "http-status", status: 500, times: 5, match: { path: "/oauth/revoke" } }), "revoke_unavailable"],
    ["a refused connection", async () => emu.fault({ kind: "connection-reset", times: 5, match: { path: "/oauth/revoke" } }), "revoke_network_error"],
  ])("still removes the profile when revocation fails with %s, and reports it", async (_label, arm, code) => {
    const t = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(t) });
    await arm();
    const result = await signOutOfCodex(store, { settings: settings(), sleep: noWait });
    expect(result.removed).toBe(true);
    expect(result.revocation).toMatchObject({ outcome: "failed", accountId: "acct_emulator", error: { code, transient: true } });
    expect(revokes()).toHaveLength(3);
    expect(await onDisk()).toEqual({});
  });

  it("makes no request with revoke: false, or when nothing is stored", async () => {
    const t = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(t) });
    const result = await signOutOfCodex(store, { revoke: false });
    expect(result).toMatchObject({ removed: true, revocation: { outcome: "skipped", reason: "disabled" } });
    const none = await signOutOfCodex(store, { settings: settings() });
    expect(none).toMatchObject({ removed: false, accountId: undefined, revocation: undefined });
    expect(emu.requests).toHaveLength(0);
    await expect(refreshTokens({ settings: settings(), refreshToken: t.refresh_token })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("does not revoke a refresh token another profile id still holds", async () => {
    const t = emu.auth.issueTokens();
    // A profile id core itself can write (provider === id) that carries the same token.
    await writeProfiles({ "openai-codex": profileFor(t), mirror: { kind: "api_key", provider: "mirror", key: t.refresh_token, createdAt: 1 } });
    const result = await signOutOfCodex(store, { settings: settings() });
    expect(result).toMatchObject({ removed: true, revocation: { outcome: "skipped", reason: "shared" } });
    expect(revokes()).toHaveLength(0);
    expect(Object.keys(await onDisk())).toEqual(["mirror"]);
    // A hand-copied OAuth profile under another id: still not revoked (core then refuses to rewrite that store).
    const u = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(u), "openai-codex-backup": profileFor(u) });
    await expect(signOutOfCodex(store, { settings: settings() })).rejects.toMatchObject({ code: "auth_profile_invalid" });
    expect(revokes()).toHaveLength(0);
    await expect(refreshTokens({ settings: settings(), refreshToken: u.refresh_token })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("sends nothing and keeps the sign-in when another process holds the store lock", async () => {
    const t = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(t) });
    await holdLock();
    const locked = openAuthStore({ home, env: {}, lockTimeoutMs: 300 });
    await expect(signOutOfCodex(locked, { settings: settings() })).rejects.toMatchObject({ code: "auth_store_locked", hint: expect.stringContaining(".lock") });
    expect(revokes()).toHaveLength(0);
    expect((await onDisk())["openai-codex"]).toMatchObject({ refresh: t.refresh_token });
    // The sign-in still works: its token was not revoked.
    await expect(refreshTokens({ settings: settings(), refreshToken: t.refresh_token })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("revokes the token on disk once the lock is free, not one read before (a refresh holding the lock wins)", async () => {
    const first = emu.auth.issueTokens();
    const rotated = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(first) });
    const release = await holdLock();
    const waiting = signOutOfCodex(openAuthStore({ home, env: {}, lockTimeoutMs: 5_000 }), { settings: settings() });
    // The lock holder (a refresh in another process) rotates the token, then lets go.
    await new Promise((r) => setTimeout(r, 100));
    await writeProfiles({ "openai-codex": profileFor(rotated) });
    await release();
    const result = await waiting;
    expect(result.revocation).toMatchObject({ outcome: "revoked" });
    expect(revokes().map((r) => (r.body as { token: string }).token)).toEqual([rotated.refresh_token]);
    expect(await onDisk()).toEqual({});
    await expect(refreshTokens({ settings: settings(), refreshToken: rotated.refresh_token })).rejects.toMatchObject({ code: "reauth_required" });
  });
});

describe("signInWithCodex replacing a stored sign-in", () => {
  const signIn = (extra: Partial<Parameters<typeof signInWithCodex>[0]> = {}) =>
    signInWithCodex({ method: "device", store, settings: settings(), onCode: () => emu.approveDeviceCode(), sleep: noWait, ...extra } as Parameters<typeof signInWithCodex>[0]);

  it("revokes the replaced refresh token only after the new profile is on disk", async () => {
    const old = emu.auth.issueTokens({ accountId: "acct_previous" });
    await writeProfiles({ "openai-codex": profileFor(old, "acct_previous") });
    const result = await signIn();
    expect(result).toMatchObject({ accountId: "acct_emulator", replacedAccountId: "acct_previous", previousRevocation: { outcome: "revoked", accountId: "acct_previous" } });
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0]!.body).toMatchObject({ token: old.refresh_token, token_type_hint: "refresh_token" });
    // Order: the token exchange came first, and the store already held the new sign-in.
    const ids = emu.requests.map((r) => r.path);
    expect(ids.lastIndexOf("/oauth/token")).toBeLessThan(ids.indexOf("/oauth/revoke"));
    const atRevoke = onDiskAtRevoke[0]!.profiles["openai-codex"]!;
    expect(atRevoke.accountId).toBe("acct_emulator");
    expect(atRevoke.refresh).not.toBe(old.refresh_token);
    await expect(refreshTokens({ settings: settings(), refreshToken: old.refresh_token })).rejects.toMatchObject({ code: "reauth_required" });
    await expect(refreshTokens({ settings: settings(), refreshToken: atRevoke.refresh })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("revokes the old token of the same account signing in again", async () => {
    const old = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(old) });
    const result = await signIn();
    expect(result.replacedAccountId).toBeUndefined();
    expect(result.previousRevocation).toMatchObject({ outcome: "revoked", accountId: "acct_emulator" });
    expect(revokes()[0]!.body).toMatchObject({ token: old.refresh_token });
  });

  it("skips a token shared with another profile, and honours revokeReplaced: false", async () => {
    const old = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(old), mirror: { kind: "api_key", provider: "mirror", key: old.refresh_token, createdAt: 1 } });
    expect((await signIn()).previousRevocation).toMatchObject({ outcome: "skipped", reason: "shared" });
    expect((await signIn({ revokeReplaced: false })).previousRevocation).toMatchObject({ outcome: "skipped", reason: "disabled" });
    expect(revokes()).toHaveLength(0);
    await expect(refreshTokens({ settings: settings(), refreshToken: old.refresh_token })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("succeeds with a failed revocation reported, and sends nothing when the save fails", async () => {
    const old = emu.auth.issueTokens();
    await writeProfiles({ "openai-codex": profileFor(old) });
    emu.fault({ kind: "http-status", status: 503, times: 3, match: { path: "/oauth/revoke" } });
    const result = await signIn({ revoke: { sleep: noWait } });
    expect(result.previousRevocation).toMatchObject({ outcome: "failed", error: { code: "revoke_unavailable", status: 503 } });
    expect((await onDisk())["openai-codex"]).toMatchObject({ kind: "oauth", accountId: "acct_emulator" });
    expect((await onDisk())["openai-codex"]).not.toMatchObject({ refresh: old.refresh_token });
    emu.reset();
    await writeFile(store.path, "{ not json");
    await expect(signIn()).rejects.toMatchObject({ code: "save_failed" });
    expect(revokes()).toHaveLength(0);
  });
});
