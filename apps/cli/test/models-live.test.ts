import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@genesis/core";
import { EMULATOR_CODEX_MODELS, startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt } from "./_cli.js";

/**
 * `genesis models list` / `models route` with live discovery against the emulator: the Codex
 * backend's model listing, GET /v1/models lifting openai/gpt-5.5, the built-in proxies and the
 * plugin switch. Everything stays on loopback.
 */
const KEY = "sk-test-cli-live-0123456789";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function genesis(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home, ...env },
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

let emu: Emulator;
let home: string;
let tokens: { access: string; refresh: string };
let codexEnv: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  codexEnv = { GENESIS_CODEX_BASE_URL: emu.codexBase, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer };
}, 180_000);
afterAll(() => emu?.close());

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-models-live-"));
  emu.reset();
  emu.setCodexModels();
  const issued = emu.auth.issueTokens({ accountId: "acct_live" });
  tokens = { access: issued.access_token, refresh: issued.refresh_token };
});
afterEach(() => rm(home, { recursive: true, force: true }));

async function signInCodex(): Promise<void> {
  await openAuthStore({ home, env: {} }).update((current) => ({
    result: undefined,
    next: {
      ...current,
      profiles: {
        ...current.profiles,
        "openai-codex": { kind: "oauth", provider: "openai-codex", access: tokens.access, refresh: tokens.refresh, accountId: "acct_live", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() },
      },
    },
  }));
}

type Row = { ref: string; name: string; contextWindow: number | null; contextTokens: number | null; source: string; live?: string; apiEnabled: boolean; auth: { ready: boolean; blocker?: string } };
const byRef = (rows: Row[], ref: string) => rows.find((r) => r.ref === ref);
const codexLists = () => emu.requests.filter((r) => r.path === "/backend-api/codex/models");

describe("models list with a Codex sign-in: live Codex discovery", () => {
  it("lists the backend's models merged with the built-ins, live metadata first", async () => {
    await signInCodex();
    const result = await genesis(["models", "list", "--provider", "openai-codex", "--json"], codexEnv);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const rows = JSON.parse(result.stdout) as Row[];
    expect(rows.map((r) => r.ref)).toEqual(EMULATOR_CODEX_MODELS.map((m) => `openai-codex/${m.slug}`));
    expect(byRef(rows, "openai-codex/gpt-5.5")).toMatchObject({ live: "listed", source: "builtin", contextWindow: 1_000_000, contextTokens: 272_000, auth: { ready: true } });
    expect(byRef(rows, "openai-codex/gpt-5.3-codex")).toMatchObject({ live: "live-only", source: "live", name: "GPT-5.3 Codex", contextWindow: 400_000, contextTokens: 400_000, auth: { ready: true } });
    const [request] = codexLists();
    expect(request).toMatchObject({ method: "GET", query: { client_version: expect.stringMatching(/^\d+\.\d+\.\d+$/) }, headers: { "chatgpt-account-id": "acct_live", originator: "genesis" } });
    expect(emu.authHeaderOf(request!.id)).toBe(`Bearer ${tokens.access}`);
    expect(result.stdout).not.toContain(tokens.access);
  });

  it("synthesizes openai-codex/gpt-5.5 when the live list omits it while signed in", async () => {
    await signInCodex();
    emu.setCodexModels(EMULATOR_CODEX_MODELS.filter((m) => m.slug !== "gpt-5.5"));
    const result = await genesis(["models", "list", "--provider", "openai-codex"], codexEnv);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toMatch(/^openai-codex\/gpt-5\.5 \[recovered\]\s+1000k\/272k\s+text,vision,reasoning,tools\s+codex_oauth/m);
    expect(result.stdout).toMatch(/^openai-codex\/gpt-5\.3-codex \[live-only\]\s+400k\/400k/m);
  });

  it("an unreachable or failing backend prints a note and the built-in rows (exit 0)", async () => {
    await signInCodex();
    emu.fault({ kind: "http-status", status: 500, times: 2, match: { path: "/backend-api/codex/models" } });
    const failed = await genesis(["models", "list", "--provider", "openai-codex", "--json"], codexEnv);
    expect(failed.code).toBe(0);
    expect(failed.stderr).toMatch(/^note: live Codex model listing failed \(HTTP 500.*\); showing the built-in openai-codex rows\n$/);
    expect((JSON.parse(failed.stdout) as Row[]).map((r) => r.ref)).toEqual(["openai-codex/gpt-5.5", "openai-codex/gpt-5.4", "openai-codex/gpt-5.4-mini"]);
    expect(codexLists()).toHaveLength(2);

    const offline = await genesis(["models", "list", "--provider", "openai-codex"], { ...codexEnv, GENESIS_CODEX_BASE_URL: "http://127.0.0.1:9/backend-api/codex" });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toContain("note: live Codex model listing failed (Could not reach http://127.0.0.1:9.");
    expect(offline.stdout).toMatch(/^openai-codex\/gpt-5\.5\s/m);
    expect(offline.stderr + offline.stdout).not.toContain(tokens.access);
  });

  it("without a Codex sign-in never calls the backend", async () => {
    const result = await genesis(["models", "list", "--all", "--json"], codexEnv);
    expect(result.code).toBe(0);
    expect(codexLists()).toHaveLength(0);
  });
});

describe("openai/gpt-5.5 with an API key", () => {
  // The emulator stands in for api.openai.com: forcing native-openai keeps the public-API gate.
  const nativeEmu = () => `{ models: { providers: { openai: { baseUrl: "${emu.apiBase}", endpointClass: "native-openai" } } } }`;
  const withoutGpt55 = () => emu.fault({
    kind: "http-status", status: 200, match: { path: "/v1/models" },
    body: { object: "list", data: [{ id: "gpt-5.4", object: "model", created: 1, owned_by: "system" }] },
  });

  it("stays blocked with the helpful error while the key cannot see it", async () => {
    await writeFile(join(home, "genesis.json5"), nativeEmu());
    withoutGpt55();
    const result = await genesis(["models", "route", "openai/gpt-5.5"], { OPENAI_API_KEY: KEY });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toContain("Status: not ready");
    expect(result.stdout).toContain("model_not_api_enabled: openai/gpt-5.5 is not enabled on the public OpenAI API yet.");
    expect(result.stdout).toContain("declare it under models.providers.openai.models");
    expect(emu.requests.filter((r) => r.path === "/v1/models")).toHaveLength(1);
  });

  it("is ready in models route and models list once GET /v1/models lists it", async () => {
    await writeFile(join(home, "genesis.json5"), nativeEmu());
    const route = await genesis(["models", "route", "openai/gpt-5.5", "--json"], { OPENAI_API_KEY: KEY });
    expect(route.stderr).toBe("");
    const json = JSON.parse(route.stdout) as { ready: boolean; model: { apiEnabled: boolean }; reasons: { field: string; why: string }[] };
    expect(json).toMatchObject({ ready: true, model: { apiEnabled: true } });
    expect(json.reasons).toContainEqual({ field: "apiEnabled", value: "true", why: "the live openai model listing includes gpt-5.5" });
    expect(emu.authHeaderOf(emu.requests.find((r) => r.path === "/v1/models")!.id)).toBe(`Bearer ${KEY}`);

    const list = await genesis(["models", "list", "--provider", "openai", "--json"], { OPENAI_API_KEY: KEY });
    expect(byRef(JSON.parse(list.stdout) as Row[], "openai/gpt-5.5")).toMatchObject({ live: "listed", apiEnabled: true, auth: { ready: true } });
    expect(list.stdout + route.stdout).not.toContain(KEY);
  });

  it("is ready without any network call when config declares the model", async () => {
    await writeFile(join(home, "genesis.json5"), `{ models: { providers: { openai: { baseUrl: "${emu.apiBase}", endpointClass: "native-openai", models: [{ id: "gpt-5.5" }] } } } }`);
    const route = await genesis(["models", "route", "openai/gpt-5.5", "--json"], { OPENAI_API_KEY: KEY });
    expect(JSON.parse(route.stdout)).toMatchObject({ ready: true, contextWindow: 1_000_000, contextTokens: 272_000 });
    expect(emu.requests).toHaveLength(0);
  });
});

describe("built-in proxies and plugin switches", () => {
  it("models route openrouter/openai/gpt-5.5 explains the built-in OpenRouter route", async () => {
    const text = await genesis(["models", "route", "openrouter/openai/gpt-5.5"], { OPENROUTER_API_KEY: "sk-or-v1-0123456789abcdef" });
    expect([text.code, text.stderr]).toEqual([0, ""]);
    expect(text.stdout).toContain("endpoint      compat  https://openrouter.ai/api/v1");
    expect(text.stdout).toContain("overlays      gpt5 on");
    expect(text.stdout).toContain("OpenRouter is a built-in OpenAI-compatible proxy");
    expect(text.stdout).toContain("Status: ready");
    expect(text.stdout).not.toContain("sk-or-v1-0123456789abcdef");
    const opencode = JSON.parse((await genesis(["models", "route", "opencode/gpt-5.5", "--json"], {})).stdout);
    expect(opencode).toMatchObject({ baseUrl: "https://opencode.ai/zen/v1", ready: false, blockers: [{ code: "api_key_missing", hint: 'Set OPENCODE_API_KEY or models.providers["opencode"].apiKey.' }] });
    expect((await genesis(["models", "list", "--provider", "openrouter"], {})).code).toBe(0);
  });

  it("plugins.entries.openai.enabled: false blocks openai/* with the key to flip", async () => {
    await writeFile(join(home, "genesis.json5"), "{ plugins: { entries: { openai: { enabled: false } } } }");
    const route = await genesis(["models", "route", "openai/gpt-5.4"], { OPENAI_API_KEY: KEY });
    expect(route.stdout).toContain("plugin_disabled: openai/gpt-5.4 needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).");
    expect(route.stdout).toContain("hint: Run 'genesis config set plugins.entries.openai.enabled true'");
  });
});
