import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { openAuthStore } from "@genesis/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodexAuthError } from "./codex-auth-error.js";
import { codexCredentialStore } from "./codex-credential-store.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import type { CodexCredentials } from "./token-client.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

let home: string;
let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
const NOW = 1_900_000_000_000;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-cm-"));
  peer = await startOAuthPeer();
});
afterEach(async () => {
  await peer.close();
  await rm(home, { recursive: true, force: true });
});

const store = () => codexCredentialStore(openAuthStore({ home, env: {} }));
const manager = (over: Partial<ConstructorParameters<typeof CodexCredentialManager>[0]> = {}) =>
  new CodexCredentialManager({ store: store(), settings: resolveCodexOAuthSettings({ issuer: peer.url }, {}), now: () => NOW, ...over });

function creds({ exp, account = "acct_1", ...over }: Partial<CodexCredentials> & { exp: number; account?: string }): CodexCredentials {
  return {
    kind: "oauth", provider: "openai-codex", access: fakeJwt({ accountId: account, exp: exp / 1000 }), refresh: "rt-old",
    accountId: account, email: "me@example.com", planType: "pro", expiresAt: exp, updatedAt: NOW - 1000, ...over,
  } as CodexCredentials;
}
const tokenAnswer = (account = "acct_1", refresh = "rt-new", exp = NOW + 7_200_000) => ({
  status: 200, body: { access_token: fakeJwt({ accountId: account, exp: exp / 1000 }), refresh_token: refresh },
});
const refreshes = () => peer.requests.filter((r) => r.path === "/oauth/token").length;

describe("CodexCredentialManager", () => {
  it("returns a fresh token without refreshing", async () => {
    await store().save(creds({ exp: NOW + 3_600_000 }));
    const got = await manager().getCredentials();
    expect(got.refresh).toBe("rt-old");
    expect(refreshes()).toBe(0);
  });

  it("refreshes inside the skew window, saves the rotated token and keeps email/plan", async () => {
    await store().save(creds({ exp: NOW + 60_000 }));
    peer.answer("/oauth/token", tokenAnswer());
    const got = await manager().getCredentials();
    expect(got.refresh).toBe("rt-new");
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body))).toMatchObject({ grant_type: "refresh_token", refresh_token: "rt-old" });
    const saved = await store().get();
    expect(saved).toMatchObject({ refresh: "rt-new", email: "me@example.com", planType: "pro", expiresAt: NOW + 7_200_000 });
    expect(inspect(got)).not.toContain("rt-new");
  });

  it.each([
    [4 * 60_000, 1],
    [6 * 60_000, 0],
    [-5 * 60_000, 1],
  ])("with %i ms left on the token it refreshes %i time(s) (5 min skew window)", async (left, expected) => {
    await store().save(creds({ exp: NOW + left }));
    peer.answer("/oauth/token", tokenAnswer());
    await manager().getCredentials();
    expect(refreshes()).toBe(expected);
  });

  it("single-flights concurrent callers in one process", async () => {
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", tokenAnswer());
    const m = manager();
    const all = await Promise.all(Array.from({ length: 8 }, () => m.getCredentials()));
    expect(new Set(all.map((c) => c.access)).size).toBe(1);
    expect(refreshes()).toBe(1);
  });

  it("a second manager (another process's view) adopts the token refreshed under the lock", async () => {
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", tokenAnswer());
    const [a, b] = await Promise.all([manager().getCredentials(), manager().getCredentials()]);
    expect(a.access).toBe(b.access);
    expect(refreshes()).toBe(1);
  });

  it("after refresh_token_reused adopts a newer token another writer stored for the same account", async () => {
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", { status: 401, body: { error: { code: "refresh_token_reused", message: "used" } } });
    const newer = creds({ exp: NOW + 3_600_000, refresh: "rt-other-process" });
    // A writer that ignores the lock (an older client) rotates the token while our request is in flight.
    const sneaky: typeof fetch = async (input, init) => {
      const file = join(home, "auth", "profiles.json");
      const doc = JSON.parse(await readFile(file, "utf8"));
      doc.profiles["openai-codex"] = { ...newer };
      await writeFile(file, JSON.stringify(doc));
      return fetch(input, init);
    };
    const got = await manager({ fetch: sneaky }).getCredentials();
    expect(got.refresh).toBe("rt-other-process");
  });

  it("a permanent failure says sign in again, saves nothing and is not retried", async () => {
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", { status: 401, body: { error: { code: "refresh_token_invalidated", message: "revoked" } } });
    const m = manager();
    const first = await m.getCredentials().catch((e: unknown) => e as CodexAuthError);
    expect(first).toBeInstanceOf(CodexAuthError);
    expect((first as CodexAuthError).code).toBe("reauth_required");
    expect((first as CodexAuthError).hint).toContain("genesis models auth login --provider openai-codex");
    const second = await m.getCredentials().catch((e: unknown) => e as CodexAuthError);
    expect((second as CodexAuthError).code).toBe("reauth_required");
    expect(refreshes()).toBe(1);
    expect((await store().get())!.refresh).toBe("rt-old");
  });

  it("a transient failure keeps a still-valid token, and reports when none is left", async () => {
    await store().save(creds({ exp: NOW + 60_000 }));
    peer.answer("/oauth/token", { status: 503, body: { error: "unavailable" } });
    expect((await manager().getCredentials()).refresh).toBe("rt-old");
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", { status: 502 });
    const error = (await manager().getCredentials().catch((e: unknown) => e)) as CodexAuthError;
    expect(error.code).toBe("refresh_transient");
    expect(error.transient).toBe(true);
    expect((await store().get())!.refresh).toBe("rt-old");
  });

  it("refuses a refreshed token for another account and saves nothing", async () => {
    await store().save(creds({ exp: NOW - 1 }));
    peer.answer("/oauth/token", tokenAnswer("acct_other"));
    const error = (await manager().getCredentials().catch((e: unknown) => e)) as CodexAuthError;
    expect(error.code).toBe("account_mismatch");
    expect((await store().get())!.refresh).toBe("rt-old");
  });

  it("refuses a stored token whose JWT names another account, and a switch of account mid-session", async () => {
    await store().save({ ...creds({ exp: NOW + 3_600_000 }), accountId: "acct_x" });
    expect(((await manager().getCredentials().catch((e: unknown) => e)) as CodexAuthError).code).toBe("account_mismatch");
    const m = manager();
    await store().save(creds({ exp: NOW + 3_600_000 }));
    await m.getCredentials();
    await store().save(creds({ exp: NOW + 3_600_000, account: "acct_2" }));
    const error = (await m.getCredentials().catch((e: unknown) => e)) as CodexAuthError;
    expect(error.code).toBe("account_mismatch");
    expect(error.message).toContain("another ChatGPT account");
  });

  it("after a 401 refreshes even a fresh token, unless the store already holds a different one", async () => {
    const stored = creds({ exp: NOW + 3_600_000 });
    await store().save(stored);
    peer.answer("/oauth/token", tokenAnswer());
    const m = manager();
    const next = await m.handleUnauthorized(stored.access);
    expect(next.refresh).toBe("rt-new");
    const again = await m.handleUnauthorized(stored.access);
    expect(again.refresh).toBe("rt-new");
    expect(refreshes()).toBe(1);
  });

  it("reports not_signed_in and a corrupt store with its path, leaving the file alone", async () => {
    expect(((await manager().getCredentials().catch((e: unknown) => e)) as CodexAuthError).code).toBe("not_signed_in");
    const file = join(home, "auth", "profiles.json");
    await store().save(creds({ exp: NOW + 1 }));
    await writeFile(file, "{ not json");
    const error = (await manager().getCredentials().catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe("auth_store_corrupt");
    expect(error.message).toContain(file);
    expect(await readFile(file, "utf8")).toBe("{ not json");
  });
});
