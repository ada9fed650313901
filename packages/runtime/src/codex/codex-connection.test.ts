import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TurnRoute } from "../turn-runner.js";
import { genesisCodexConnection } from "./codex-connection.js";

// The default connection resolver against a real auth store and the emulator's OAuth issuer.
let emu: Emulator;
let home: string;
const route = (baseUrl?: string): TurnRoute =>
  ({ ref: "openai/gpt-5.4", provider: "openai", model: "gpt-5.4", runtime: "codex", ...(baseUrl ? { resolved: { baseUrl } } : {}) }) as TurnRoute;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-codex-conn-"));
});
afterEach(async () => {
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

async function signIn(accountId: string) {
  const t = emu.auth.issueTokens({ accountId, planType: "plus" });
  await openAuthStore({ home, env: {} }).update((file) => ({
    result: undefined,
    next: {
      ...file,
      profiles: {
        ...file.profiles,
        "openai-codex": { kind: "oauth", provider: "openai-codex", access: t.access_token, refresh: t.refresh_token, accountId, expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() },
      },
    },
  }));
  return t;
}

describe("genesisCodexConnection", () => {
  it("hands over a stored Codex sign-in and answers refreshes through the store", async () => {
    const t = await signIn("acct_conn");
    const env = { GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: `${emu.url}/backend-api/codex` };
    const conn = await genesisCodexConnection({ env })(route("https://api.openai.com/v1"));
    // An overridden Codex backend receives the account calls AND the model traffic.
    expect(conn.endpoint).toEqual({ chatgptBaseUrl: `${emu.url}/backend-api/`, codexBaseUrl: `${emu.url}/backend-api/codex` });
    expect(conn.id).toContain("acct_conn");
    if (conn.auth?.kind !== "chatgpt") throw new Error(`expected chatgpt auth, got ${conn.auth?.kind}`);
    const first = await conn.auth.getTokens();
    expect(first).toMatchObject({ accessToken: t.access_token, accountId: "acct_conn" });
    expect(emu.auth.refreshCount).toBe(0);

    // What `account/chatgptAuthTokens/refresh` calls: a forced refresh at the issuer, saved.
    const next = await conn.auth.refresh!("acct_conn");
    expect(emu.auth.refreshCount).toBe(1);
    expect(next.accountId).toBe("acct_conn");
    expect(next.accessToken).not.toBe(t.access_token);
    const stored = await openAuthStore({ home, env: {} }).get("openai-codex");
    expect(stored).toMatchObject({ kind: "oauth", access: next.accessToken });
    const tokenCall = emu.requests.find((r) => r.path === "/oauth/token")!;
    expect(tokenCall.method).toBe("POST");

    // OpenAI's own Codex backend: Codex's built-in provider serves the model traffic.
    const own = await genesisCodexConnection({ env: { GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer } })(route());
    expect(own.endpoint).toEqual({ chatgptBaseUrl: "https://chatgpt.com/backend-api/" });
  });

  it("sends a custom endpoint the OpenAI key, and pools by endpoint and key", async () => {
    await signIn("acct_ignored_for_custom_endpoint");
    const env = { GENESIS_HOME: home, OPENAI_API_KEY: "sk-conn-test-key-1234567890" };
    const conn = await genesisCodexConnection({ env })(route(emu.apiBase));
    expect(conn.endpoint).toEqual({ baseUrl: emu.apiBase, apiKey: "sk-conn-test-key-1234567890" });
    expect(conn.auth).toEqual({ kind: "apiKey", apiKey: "sk-conn-test-key-1234567890" });
    expect(conn.id).not.toContain("sk-conn");
  });

  it("uses the API key on OpenAI's own endpoint, else the app-server's own account", async () => {
    const withKey = await genesisCodexConnection({ env: { GENESIS_HOME: home, OPENAI_API_KEY: "sk-conn-own-endpoint-123456" } })(route("https://api.openai.com/v1"));
    expect(withKey).toMatchObject({ auth: { kind: "apiKey" } });
    expect(withKey.endpoint).toBeUndefined();
    const bare = await genesisCodexConnection({ env: { GENESIS_HOME: home } })(route());
    expect(bare).toEqual({ auth: { kind: "app-server" }, id: "app-server" });
  });
});
