import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openAuthStore, type AuthFile } from "./auth-store.js";
import { buildAuthSnapshot, resolveApiKey } from "./auth-snapshot.js";
import { AuthError } from "./errors.js";
import { bundleForChild } from "./__fixtures__/child-bundle.js";

const CANARY_KEY = "sk-canary-7f3e9a1b2c4d5e6f";
const CANARY_TOKEN = "eyJhbGciOiJub25lIn0.eyJjYW5hcnkiOnRydWV9.c2lnbmF0dXJlY2FuYXJ5";

let home: string;
const mode = (path: string) => statSync(path).mode & 0o777;
const apiKey = (key = CANARY_KEY) => ({ kind: "api_key" as const, provider: "openai", key, createdAt: 1 });
const oauth = {
  kind: "oauth" as const, provider: "openai-codex" as const, access: CANARY_TOKEN, refresh: "rt-canary-refresh-123456",
  accountId: "acct_123", email: "a@example.com", planType: "plus", expiresAt: 2_000_000_000_000, updatedAt: 1,
};
const put = (store: ReturnType<typeof openAuthStore>, profile: AuthFile["profiles"][string]) =>
  store.update((current) => {
    current.profiles[profile.provider] = profile;
    return { next: current, result: undefined };
  });

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "genesis-auth-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("openAuthStore", () => {
  it("lives at $GENESIS_HOME/auth/profiles.json and starts empty", async () => {
    const store = openAuthStore({ env: { GENESIS_HOME: home } });
    expect(store.path).toBe(join(home, "auth", "profiles.json"));
    expect(await store.read()).toEqual({ version: 1, profiles: {} });
    expect(await store.get("openai")).toBeUndefined();
  });

  it.each([0o022, 0o000, 0o077])("writes dir 0700 and file 0600 under umask %o", async (mask) => {
    const previous = process.umask(mask);
    try {
      const store = openAuthStore({ home });
      await put(store, apiKey());
      expect(mode(join(home, "auth"))).toBe(0o700);
      expect(mode(store.path)).toBe(0o600);
      expect(existsSync(`${store.path}.lock`)).toBe(false);
    } finally {
      process.umask(previous);
    }
  });

  it("tightens an existing 0644 file and 0755 dir", async () => {
    const store = openAuthStore({ home });
    mkdirSync(join(home, "auth"), { mode: 0o755 });
    chmodSync(join(home, "auth"), 0o755);
    writeFileSync(store.path, JSON.stringify({ version: 1, profiles: {} }), { mode: 0o644 });
    chmodSync(store.path, 0o644);
    await put(store, apiKey());
    expect(mode(store.path)).toBe(0o600);
    expect(mode(join(home, "auth"))).toBe(0o700);
  });

  it("stores, reads and removes profiles", async () => {
    const store = openAuthStore({ home });
    await put(store, apiKey());
    await put(store, oauth);
    expect(await store.get("openai")).toEqual(apiKey());
    expect(Object.keys((await store.read()).profiles).sort()).toEqual(["openai", "openai-codex"]);
    expect(await store.remove("openai")).toBe(true);
    expect(await store.remove("openai")).toBe(false);
    expect(await store.get("openai")).toBeUndefined();
    expect(await store.get("openai-codex")).toEqual(oauth);
  });

  it("writes nothing when update returns no next, and hands fn a private copy", async () => {
    const store = openAuthStore({ home });
    const result = await store.update((current) => {
      current.profiles.openai = apiKey();
      return { result: 42 };
    });
    expect(result).toBe(42);
    expect(existsSync(store.path)).toBe(false);
  });

  it("refuses invalid or mismatched profiles and writes nothing", async () => {
    const store = openAuthStore({ home });
    await put(store, apiKey());
    const before = readFileSync(store.path, "utf8");
    const wrongKey = store.update((c) => ({ next: { ...c, profiles: { azure: apiKey() } }, result: 0 }));
    await expect(wrongKey).rejects.toMatchObject({ code: "auth_profile_invalid" });
    const badShape = store.update((c) => ({ next: { ...c, profiles: { openai: { ...apiKey(), key: "" } } }, result: 0 }));
    await expect(badShape).rejects.toMatchObject({ code: "auth_profile_invalid" });
    expect(readFileSync(store.path, "utf8")).toBe(before);
  });

  it.each([
    ["truncated JSON", `{"version":1,"profiles":{"openai":{"kind":"api_key","key":"${CANARY_KEY}`, "not valid JSON"],
    ["wrong shape", JSON.stringify({ version: 1, profiles: { openai: { kind: "api_key", key: CANARY_KEY } } }), "unexpected shape at profiles.openai"],
  ])("reports a corrupt file (%s) with its path and never touches it", async (_label, text, why) => {
    const store = openAuthStore({ home });
    mkdirSync(join(home, "auth"), { recursive: true });
    writeFileSync(store.path, text);
    const before = statSync(store.path).mtimeMs;
    const attempts = [() => store.read(), () => store.get("openai"), () => store.snapshot({}), () => put(store, apiKey("sk-other-000000")), () => store.remove("openai")];
    for (const attempt of attempts) {
      const error = (await attempt().then(() => undefined, (e: unknown) => e)) as AuthError;
      expect(error).toBeInstanceOf(AuthError);
      expect(error.code).toBe("auth_store_corrupt");
      expect(error.message).toContain(store.path);
      expect(error.message).toContain(why);
      expect(inspect(error)).not.toContain(CANARY_KEY);
    }
    expect(readFileSync(store.path, "utf8")).toBe(text);
    expect(statSync(store.path).mtimeMs).toBe(before);
  });

  it("refuses a file from a newer Genesis", async () => {
    const store = openAuthStore({ home });
    mkdirSync(join(home, "auth"), { recursive: true });
    writeFileSync(store.path, JSON.stringify({ version: 2, profiles: {} }));
    await expect(store.read()).rejects.toMatchObject({ code: "auth_store_version" });
  });

  it("times out on a lock held by a live process with auth_store_locked", async () => {
    const store = openAuthStore({ home, lockTimeoutMs: 150 });
    mkdirSync(join(home, "auth"), { recursive: true });
    const lock = JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now(), token: "held" });
    writeFileSync(`${store.path}.lock`, lock);
    const error = (await put(store, apiKey()).catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe("auth_store_locked");
    expect(error.hint).toContain(`${store.path}.lock`);
    expect(readFileSync(`${store.path}.lock`, "utf8")).toBe(lock);
    expect(existsSync(store.path)).toBe(false);
  });

  it("takes over a stale lock", async () => {
    const store = openAuthStore({ home, lockTimeoutMs: 150, staleLockMs: 1000 });
    mkdirSync(join(home, "auth"), { recursive: true });
    writeFileSync(`${store.path}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now() - 5000, token: "old" }));
    await put(store, apiKey());
    expect(await store.get("openai")).toEqual(apiKey());
    expect(existsSync(`${store.path}.lock`)).toBe(false);
  });

  it("abandons the write when its lock was taken over meanwhile", async () => {
    const store = openAuthStore({ home });
    const thief = JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now(), token: "thief" });
    const error = await store
      .update((current) => {
        writeFileSync(`${store.path}.lock`, thief);
        return { next: { ...current, profiles: { openai: apiKey() } }, result: 0 };
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth_store_lock_lost" });
    expect(existsSync(store.path)).toBe(false);
    expect(readFileSync(`${store.path}.lock`, "utf8")).toBe(thief);
  });

  it("never shows secrets in inspect or JSON", async () => {
    const store = openAuthStore({ home, env: { GENESIS_HOME: home, OPENAI_API_KEY: CANARY_KEY } });
    await put(store, apiKey());
    await put(store, oauth);
    for (const text of [inspect(store, { depth: 10, showHidden: true }), JSON.stringify(store), JSON.stringify(await store.snapshot())]) {
      expect(text).not.toContain(CANARY_KEY);
      expect(text).not.toContain(CANARY_TOKEN);
      expect(text).not.toContain("rt-canary-refresh");
    }
    expect(inspect(store)).toContain(store.path);
  });
});

describe("concurrency across processes", () => {
  let script: string;
  beforeAll(async () => {
    script = await bundleForChild(join(import.meta.dirname, "__fixtures__", "auth-updater-child.ts"));
  });
  afterAll(() => {
    rmSync(join(script, ".."), { recursive: true, force: true });
  });

  it("loses no update when two processes increment the same store", async () => {
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [script, home, "25"], { stdio: ["ignore", "inherit", "inherit"] });
        child.once("exit", resolve);
      });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    const counter = await openAuthStore({ home }).get("counter");
    expect(counter).toMatchObject({ kind: "api_key", key: "50" });
  });

  it("survives a writer SIGKILLed mid-update: valid JSON, 0600, and its lock is taken over", async () => {
    const child = spawn(process.execPath, [script, home, "1000000"], { stdio: "ignore" });
    const store = openAuthStore({ home, lockTimeoutMs: 5000 });
    const until = Date.now() + 1500;
    let reads = 0;
    while (Date.now() < until) {
      if (existsSync(store.path)) {
        // Never a partial file, whatever the writer is doing.
        expect(JSON.parse(readFileSync(store.path, "utf8")).version).toBe(1);
        expect(mode(store.path)).toBe(0o600);
        if (++reads > 50) break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(reads).toBeGreaterThan(0);
    const last = await store.get("counter");
    const before = last?.kind === "api_key" ? Number(last.key) : 0;
    // A lock the dead child may have left behind is stale (dead pid) and taken over at once.
    await store.update((current) => {
      current.profiles.counter = { kind: "api_key", provider: "counter", key: String(before + 1), createdAt: 1 };
      return { next: current, result: undefined };
    });
    expect(await store.get("counter")).toMatchObject({ key: String(before + 1) });
    expect(existsSync(`${store.path}.lock`)).toBe(false);
  });
});

describe("snapshot and key resolution", () => {
  const file: AuthFile = { version: 1, profiles: { openai: apiKey(), "openai-codex": oauth } };

  it("lists store keys and oauth sign-ins without secrets", () => {
    expect(buildAuthSnapshot({ file, env: {} })).toEqual({
      apiKeys: { openai: { source: "store" } },
      oauth: { "openai-codex": { accountId: "acct_123", expiresAt: 2_000_000_000_000 } },
    });
  });

  it("lets the real environment win over the store", () => {
    expect(resolveApiKey("openai", { file, env: { OPENAI_API_KEY: "sk-env-000000" } })).toEqual({ key: "sk-env-000000", source: "env" });
    expect(buildAuthSnapshot({ file, env: { OPENAI_API_KEY: "sk-env-000000" } }).apiKeys.openai).toEqual({ source: "env" });
  });

  it("uses config env only as a fallback, and a provider apiKey first", () => {
    const config = { env: { OPENAI_API_KEY: "sk-config-env" } };
    expect(resolveApiKey("openai", { file, env: {}, config })).toEqual({ key: "sk-config-env", source: "config" });
    expect(resolveApiKey("openai", { file, env: { OPENAI_API_KEY: "sk-real" }, config })?.source).toBe("env");
    const withProvider = { models: { providers: { openai: { apiKey: "azure-key" } } } };
    expect(resolveApiKey("openai", { file, env: { OPENAI_API_KEY: "sk-real" }, config: withProvider })).toEqual({ key: "azure-key", source: "config" });
    expect(buildAuthSnapshot({ file: { version: 1, profiles: {} }, env: {}, config: { models: { providers: { local: { apiKey: "k" } } } } }).apiKeys).toEqual({
      local: { source: "config" },
    });
  });

  it("store.snapshot reads the env it was opened with by default", async () => {
    const store = openAuthStore({ home, env: { GENESIS_HOME: home, OPENAI_API_KEY: "sk-env-000000" } });
    expect((await store.snapshot()).apiKeys).toEqual({ openai: { source: "env" } });
    expect((await store.snapshot({})).apiKeys).toEqual({});
  });
});
