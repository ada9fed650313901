import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readConfigDocument } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt } from "./_cli.js";

// `genesis onboard --auth-choice azure-openai`, then the written config used for real: the
// route, and an agent turn against the emulator's Azure surface (/openai/v1/responses).
const KEY = "azure0123456789abcdef0123456789WXYZ";
const DEP = "gpt-5-4-prod";
const REF = `azure-openai-responses/${DEP}`;
let emu: Emulator;
let home: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI, async so the in-process emulator can answer; clean env plus `env`. */
function genesis(args: string[], env: Record<string, string> = {}, input = "", nodeArgs: string[] = []): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, cliEntry, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const authFile = () => join(home, "auth", "profiles.json");
const configDoc = async () => (await readConfigDocument({ path: join(home, "genesis.json5") })).document as any;

beforeAll(async () => {
  await ensureBuilt(["core", "openai", "azure", "runtime"]);
  emu = await startEmulator({ apiKeys: [KEY] });
}, 300_000);
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-onboard-azure-"));
});
afterEach(async () => {
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

describe("genesis onboard --auth-choice azure-openai", () => {
  it("writes the provider config, stores the key 0600, and the route and an agent turn work", async () => {
    const result = await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-endpoint", `${emu.url}/openai/v1/`, "--azure-deployment", DEP, "--azure-api-key", KEY]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Saved Azure OpenAI API key …WXYZ to ${authFile()}`);
    expect(result.stdout).toContain(`deployment ${DEP} as ${REF}`);
    expect(result.stdout).toContain(`Default model set to ${REF}`);
    expect(result.stdout).not.toContain(KEY);
    expect(statSync(authFile()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(authFile(), "utf8")).profiles["azure-openai-responses"]).toMatchObject({ kind: "api_key", provider: "azure-openai-responses", key: KEY });
    const doc = await configDoc();
    expect(doc.models.providers["azure-openai-responses"]).toEqual({ baseUrl: emu.url, api: "azure-openai-responses", endpointClass: "azure", models: [{ id: DEP }] });
    expect(doc.agents.defaults.model.primary).toBe(REF);
    expect(JSON.stringify(doc)).not.toContain(KEY);

    const route = await genesis(["models", "route", REF, "--json"]);
    expect(route.code).toBe(0);
    expect(JSON.parse(route.stdout)).toMatchObject({ ref: REF, provider: "azure-openai-responses", authKind: "azure_key", authSource: "store", endpointClass: "azure", api: "responses", baseUrl: emu.url, blockers: [] });

    const list = await genesis(["models", "auth", "list"]);
    expect(list.stdout).toMatch(/^azure-openai-responses\s+api_key\s+store\s+…WXYZ/m);
    expect(list.stdout).not.toContain(KEY);

    emu.script({ text: "Hello from Azure." });
    const turn = await genesis(["agent", "--model", REF, "--message", "hi"]);
    expect(turn.stderr).toContain("session: ");
    expect([turn.code, turn.stdout]).toEqual([0, "Hello from Azure.\n"]);
    const calls = emu.requests.filter((r) => r.path === "/openai/v1/responses");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "POST", query: {}, body: { model: DEP, input: [{ type: "message", role: "user", content: "hi" }] } });
    expect(calls[0]!.headers["api-key"]).toBe("[redacted]");
    expect(emu.authHeaderOf(calls[0]!.id)).toBe(KEY);
    expect(calls[0]!.headers.authorization).toBeUndefined();
    expect(emu.requests.filter((r) => r.path !== "/openai/v1/responses")).toEqual([]);
  }, 60_000);

  it("reads the key from --azure-api-key-env, or from piped stdin, and keeps an existing default model and rows", async () => {
    await writeFile(join(home, "genesis.json5"), JSON.stringify({
      agents: { defaults: { model: { primary: "openai/gpt-5.4" } } },
      models: { providers: { "azure-openai-responses": { models: [{ id: "older-dep" }] } } },
    }));
    const viaEnv = await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-endpoint", "https://contoso.openai.azure.com/openai", "--azure-deployment", DEP, "--azure-api-key-env", "MY_AZURE_KEY"], { MY_AZURE_KEY: KEY });
    expect([viaEnv.code, viaEnv.stderr]).toEqual([0, ""]);
    expect(viaEnv.stdout).toContain("Default model unchanged: openai/gpt-5.4");
    expect(viaEnv.stdout).not.toContain("endpointClass");
    expect((await configDoc()).models.providers["azure-openai-responses"]).toEqual({ baseUrl: "https://contoso.openai.azure.com", api: "azure-openai-responses", models: [{ id: "older-dep" }, { id: DEP }] });
    const other = "azure-second-key-0000000000001234";
    const viaStdin = await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP], {}, `${other}\n`);
    expect(viaStdin.code).toBe(0);
    expect(`${viaStdin.stdout}${viaStdin.stderr}`).not.toContain(other);
    expect(JSON.parse(readFileSync(authFile(), "utf8")).profiles["azure-openai-responses"].key).toBe(other);
    expect((await configDoc()).models.providers["azure-openai-responses"].models).toEqual([{ id: "older-dep" }, { id: DEP }]);
  }, 60_000);

  it("uses AZURE_OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT from the environment without storing the key", async () => {
    const result = await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-deployment", DEP], { AZURE_OPENAI_API_KEY: KEY, AZURE_OPENAI_ENDPOINT: "https://contoso.openai.azure.com/" });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toContain("Using AZURE_OPENAI_API_KEY from the environment (…WXYZ); nothing stored.");
    expect(result.stdout).not.toContain(KEY);
    expect(existsSync(authFile())).toBe(false);
    expect((await configDoc()).models.providers["azure-openai-responses"].baseUrl).toBe("https://contoso.openai.azure.com");
  }, 30_000);

  it.each([
    ["https://portal.azure.com/#@contoso/resource/subscriptions/abc/overview", "is an Azure portal page (portal.azure.com)", "Keys and Endpoint"],
    ["https://ai.azure.com/resource/deployments", "is an Azure portal page (ai.azure.com)", "Keys and Endpoint"],
    ["https://contoso.openai.azure.com/openai/deployments/gpt-5-4-prod/chat/completions?api-version=2024-12-01-preview", "points at a deployment", "Use the resource endpoint only, e.g. https://contoso.openai.azure.com"],
    ["contoso.openai.azure.com", "not a valid URL", "https://<resource>.openai.azure.com"],
    ["https://user:pass-secret-999@contoso.openai.azure.com", "must not carry credentials", "Remove user:password@"],
  ])("refuses --azure-endpoint %s with a hint, exit 2, nothing written", async (endpoint, message, hint) => {
    const result = await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-endpoint", endpoint, "--azure-deployment", DEP, "--azure-api-key", KEY]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`hint: `);
    expect(result.stderr).toContain(hint);
    expect(`${result.stdout}${result.stderr}`).not.toContain(KEY);
    expect(result.stderr).not.toContain("pass-secret-999");
    expect(existsSync(authFile())).toBe(false);
    expect(existsSync(join(home, "genesis.json5"))).toBe(false);
  }, 30_000);

  it.each([
    [["--azure-deployment", DEP, "--azure-api-key", KEY], "--azure-endpoint is required"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-api-key", KEY], "--azure-deployment is required"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", "../models", "--azure-api-key", KEY], "is not a valid Azure deployment name"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP], "no API key given"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP, "--azure-api-key", KEY, "--azure-api-key-env", "X"], "either --azure-api-key or --azure-api-key-env"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP, "--azure-api-key-env", "UNSET_VAR"], "UNSET_VAR is not set"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP, "--openai-api-key", KEY], "cannot be combined"],
    [["--azure-endpoint", "https://contoso.openai.azure.com", "--azure-deployment", DEP, "--device-code"], "--device-code only applies"],
  ])("exits 2 for %j", async (args, message) => {
    const result = await genesis(["onboard", "--auth-choice", "azure-openai", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(KEY);
    expect(existsSync(authFile())).toBe(false);
  }, 30_000);

  it("Azure flags without the Azure choice are usage errors", async () => {
    const result = await genesis(["onboard", "--openai-api-key", "sk-abc-0123456789", "--azure-deployment", DEP]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--azure-deployment only applies to --auth-choice azure-openai");
  }, 30_000);

  it("a wrong stored key makes the agent turn fail with the auth error and an Azure hint", async () => {
    const wrong = "azure-wrong-key-00000000000000ffff";
    expect((await genesis(["onboard", "--auth-choice", "azure-openai", "--azure-endpoint", emu.url, "--azure-deployment", DEP, "--azure-api-key", wrong])).code).toBe(0);
    const turn = await genesis(["agent", "--message", "hi"]);
    expect(turn.code).toBe(1);
    expect(turn.stderr).toContain("AZURE_OPENAI_API_KEY");
    expect(turn.stderr).toContain("genesis onboard --auth-choice azure-openai");
    expect(`${turn.stdout}${turn.stderr}`).not.toContain(wrong);
    expect(emu.requests.filter((r) => r.path === "/openai/v1/responses").map((r) => emu.authHeaderOf(r.id))).toContain(wrong);
  }, 60_000);

  it("@genesis/azure is only loaded when a turn uses an Azure route", async () => {
    // A module-resolution hook logs every URL the CLI loads (as in lazy-load.test.ts).
    await writeFile(join(home, "hooks.mjs"), `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.GENESIS_LOAD_LOG, result.url + "\\n");
  return result;
}
`);
    await writeFile(join(home, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(home, "hooks.mjs")).href)});\n`);
    const nodeArgs = ["--import", join(home, "register.mjs")];
    await writeFile(join(home, "genesis.json5"), JSON.stringify({
      models: { providers: { openai: { baseUrl: emu.apiBase }, "azure-openai-responses": { baseUrl: emu.url, endpointClass: "azure", models: [{ id: DEP }] } } },
    }));
    const env = { OPENAI_API_KEY: KEY, AZURE_OPENAI_API_KEY: KEY };
    const openai = await genesis(["agent", "--model", "openai/gpt-5.4", "--message", "hi"], { ...env, GENESIS_LOAD_LOG: join(home, "openai.log") }, "", nodeArgs);
    expect([openai.code, openai.stdout]).toEqual([0, "Echo: hi\n"]);
    const openaiUrls = (await readFile(join(home, "openai.log"), "utf8")).split("\n");
    expect(openaiUrls.some((u) => u.includes("/packages/runtime/dist/"))).toBe(true);
    expect(openaiUrls.filter((u) => /\/packages\/azure\//.test(u))).toEqual([]);
    const azure = await genesis(["agent", "--model", REF, "--message", "hi"], { ...env, GENESIS_LOAD_LOG: join(home, "azure.log") }, "", nodeArgs);
    expect([azure.code, azure.stdout]).toEqual([0, "Echo: hi\n"]);
    expect((await readFile(join(home, "azure.log"), "utf8")).split("\n").some((u) => /\/packages\/azure\/dist\/index\.js$/.test(u))).toBe(true);
  }, 60_000);
});
