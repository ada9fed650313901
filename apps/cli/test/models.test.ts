import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@genesis/core";
import { EMULATOR_CODEX_MODELS, startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt } from "./_cli.js";
const KEY = "sk-test-cli-models-0123456789";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI with a clean environment (no inherited keys or base URLs). Async, unlike
 * `runCli`, so the route-table rows can run concurrently.
 */
function genesis(args: string[], env: Record<string, string> & { GENESIS_HOME: string }): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: env.GENESIS_HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

let home: string;
const homes: string[] = [];

/** A temp GENESIS_HOME; `track: false` leaves removal to the caller (concurrent tests). */
async function freshHome(config?: string, track = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "genesis-models-"));
  if (track) homes.push(dir);
  if (config) await writeFile(join(dir, "genesis.json5"), config);
  return dir;
}

async function signInCodex(dir: string, tokens = { access: "access-token-secret-abcdef", refresh: "refresh-token-secret-abcdef", accountId: "acct_cli" }): Promise<void> {
  await openAuthStore({ home: dir, env: {} }).update((current) => ({
    result: undefined,
    next: {
      ...current,
      profiles: {
        ...current.profiles,
        "openai-codex": {
          kind: "oauth", provider: "openai-codex", access: tokens.access, refresh: tokens.refresh,
          accountId: tokens.accountId, expiresAt: Date.now() + 3_600_000, updatedAt: Date.now(),
        },
      },
    },
  }));
}

let emu: Emulator;
/** Codex backend and issuer on the emulator, so a signed-in `models list` never leaves loopback. */
let codexEnv: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  codexEnv = { GENESIS_CODEX_BASE_URL: emu.codexBase, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer };
}, 180_000);
afterAll(() => emu?.close());

afterEach(async () => {
  while (homes.length) await rm(homes.pop()!, { recursive: true, force: true });
});

describe("genesis models route", () => {
  const HARNESS = `{ agents: { defaults: { embeddedHarness: { runtime: "codex" } } } }`;
  const rows: { ref: string; config?: string; codex?: boolean; key?: boolean; expect: Record<string, unknown> }[] = [
    { ref: "openai/gpt-5.4", key: true, expect: { runtime: "pi", authKind: "api_key", endpointClass: "native-openai", ready: true } },
    { ref: "openai/gpt-5.4-mini", key: true, expect: { runtime: "pi", authKind: "api_key", endpointClass: "native-openai", ready: true } },
    { ref: "openai-codex/gpt-5.5", codex: true, expect: { runtime: "pi", runtimeLabel: "Genesis Pi Default", authKind: "codex_oauth", endpointClass: "native-codex", contextWindow: 1_000_000, contextTokens: 272_000, ready: true } },
    { ref: "openai/gpt-5.5", config: HARNESS, expect: { runtime: "codex", runtimeLabel: "OpenAI Codex", authKind: "codex_app_server", ready: true } },
    { ref: "openai-codex/gpt-5.5", config: HARNESS, codex: true, expect: { runtime: "pi", authKind: "codex_oauth" } },
    { ref: "openai/gpt-image-2", key: true, expect: { authKind: "api_key", api: "images" } },
    { ref: "openai/gpt-image-2", codex: true, expect: { authKind: "codex_oauth", endpointClass: "native-codex" } },
    { ref: "codex/gpt-5.5", expect: { ref: "openai/gpt-5.5", runtime: "codex" } },
  ];

  it.concurrent.for(rows)("$ref agrees with the spec tables (row %#)", async (row, { expect }) => {
    // Concurrent rows clean up after themselves: a shared afterEach would race them.
    const dir = await freshHome(row.config, false);
    let result: Result;
    try {
      if (row.codex) await signInCodex(dir);
      const env = { GENESIS_HOME: dir, ...(row.key ? { OPENAI_API_KEY: KEY } : {}) };
      result = await genesis(["models", "route", row.ref, "--json"], env);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(row.expect);
    expect(result.stdout).not.toContain(KEY);
    expect(result.stdout).not.toContain("access-token-secret");
  });

  it("honours the contextTokens override from the config file", async () => {
    const dir = await freshHome(`{ models: { providers: { "openai-codex": { models: [{ id: "gpt-5.5", contextTokens: 160000 }] } } } }`);
    await signInCodex(dir);
    const result = await genesis(["models", "route", "openai-codex/gpt-5.5", "--json"], { GENESIS_HOME: dir });
    expect(JSON.parse(result.stdout)).toMatchObject({ contextWindow: 1_000_000, contextTokens: 160_000 });
  });

  it("prints a not-ready route with the fix, and explains every field", async () => {
    const dir = await freshHome();
    await signInCodex(dir);
    const result = await genesis(["models", "route", "openai/gpt-5.4"], { GENESIS_HOME: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Status: not ready");
    expect(result.stdout).toContain("hint: use openai-codex/gpt-5.4 or set OPENAI_API_KEY");
    expect(result.stdout).toMatch(/runtime = pi: openai\/\* is the direct API-key route/);
  });

  it("falls back to agents.defaults.model.primary and shows native shaping on a forced local endpoint", async () => {
    const dir = await freshHome(`{
      agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { fastMode: true } } } } },
      models: { providers: { openai: { baseUrl: "http://127.0.0.1:9/v1", endpointClass: "native-openai" } } },
    }`);
    const result = await genesis(["models", "route", "--json"], { GENESIS_HOME: dir, OPENAI_API_KEY: KEY });
    expect(JSON.parse(result.stdout)).toMatchObject({ ref: "openai/gpt-5.4", endpointClass: "native-openai", baseUrl: "http://127.0.0.1:9/v1", fastMode: true, serviceTier: "priority" });
  });

  it("fails with typed errors and the right exit codes", async () => {
    const dir = await freshHome();
    const excluded = await genesis(["models", "route", "openai/gpt-5.3-codex-spark"], { GENESIS_HOME: dir });
    expect(excluded.code).toBe(1);
    expect(excluded.stderr).toContain("hint: Use openai/gpt-5.4 with an API key");
    const unknown = await genesis(["models", "route", "openai/gpt-5.45"], { GENESIS_HOME: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Did you mean openai/gpt-5.4");
    expect((await genesis(["models", "route"], { GENESIS_HOME: dir })).code).toBe(2);
    expect((await genesis(["models", "route", "a/b", "c/d"], { GENESIS_HOME: dir })).code).toBe(2);
    expect((await genesis(["models", "route", "openai/gpt-5.4", "--bogus"], { GENESIS_HOME: dir })).code).toBe(2);
  });
});

describe("genesis models list", () => {
  it("shows usable models with context and auth, never the key", async () => {
    home = await freshHome();
    // A key makes `models list` fetch the live /v1/models: point it at a closed loopback port so
    // the test never leaves the machine (the live merge itself is tested in models-live.test.ts).
    const result = await genesis(["models", "list", "--provider", "openai"], { GENESIS_HOME: home, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/openai\/gpt-5\.4\s+1050k\/272k\s+text,vision,reasoning,tools\s+api_key \(env\)/);
    expect(result.stdout).not.toContain("openai-codex/");
    expect(result.stdout).not.toContain(KEY);
  });

  it("--all --json lists every row with auth readiness", async () => {
    home = await freshHome();
    const before = JSON.parse((await genesis(["models", "list", "--provider", "openai-codex", "--all", "--json"], { GENESIS_HOME: home })).stdout);
    expect(before.map((r: { ref: string }) => r.ref)).toEqual(["openai-codex/gpt-5.5", "openai-codex/gpt-5.4", "openai-codex/gpt-5.4-mini"]);
    expect(before[0]).toMatchObject({ contextWindow: 1_000_000, contextTokens: 272_000, auth: { kind: "none", ready: false, blocker: "oauth_missing" } });

    await signInCodex(home);
    const after = JSON.parse((await genesis(["models", "list", "--provider", "openai-codex", "--json"], { GENESIS_HOME: home, ...codexEnv })).stdout);
    expect(after[0]).toMatchObject({ ref: "openai-codex/gpt-5.5", runtime: "pi", auth: { kind: "codex_oauth", ready: true } });
  });

  it("without credentials says how to get some; config rows and the default still show", async () => {
    home = await freshHome();
    const empty = await genesis(["models", "list"], { GENESIS_HOME: home });
    expect(empty.stdout).toContain("No usable models");
    const configured = await freshHome(`{ agents: { defaults: { model: { primary: "openai/gpt-5.4" } } }, models: { providers: { openai: { models: [{ id: "gpt-5.6-preview", contextWindow: 500000 }] } } } }`);
    const rows = JSON.parse((await genesis(["models", "list", "--json"], { GENESIS_HOME: configured })).stdout);
    expect(rows.map((r: { ref: string }) => r.ref)).toEqual(["openai/gpt-5.4", "openai/gpt-5.6-preview"]);
    expect(rows[0].isDefault).toBe(true);
    expect(rows[1]).toMatchObject({ source: "config", contextWindow: 500_000 });
  });

  it("rejects an unknown provider with a suggestion (exit 2)", async () => {
    home = await freshHome();
    const result = await genesis(["models", "list", "--provider", "opena"], { GENESIS_HOME: home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Did you mean openai");
  });
});
