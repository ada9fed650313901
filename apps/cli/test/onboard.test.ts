import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt, runCli, tempHome } from "./_cli.js";

const KEY = "sk-proj-canary0123456789abcdWXYZ";
let home: string;
const authFile = () => join(home, "auth", "profiles.json");
const configFile = () => join(home, "genesis.json5");
const cli = (args: string[], extra: { env?: Record<string, string>; input?: string } = {}) => runCli(args, { home, ...extra });

beforeAll(() => ensureBuilt(), 180_000);
beforeEach(() => {
  home = tempHome();
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("genesis onboard", () => {
  it("stores --openai-api-key in the auth store (0600) and sets the default model", () => {
    const result = cli(["onboard", "--openai-api-key", KEY]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`Saved OpenAI API key sk-…WXYZ to ${authFile()}\nDefault model set to openai/gpt-5.4 (${configFile()})\n`);
    expect(statSync(authFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "auth")).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(authFile(), "utf8"));
    expect(stored.profiles.openai).toMatchObject({ kind: "api_key", provider: "openai", key: KEY });
    expect(cli(["config", "get", "agents.defaults.model.primary"]).stdout).toBe("openai/gpt-5.4\n");
  });

  it("keeps an existing default model", () => {
    cli(["config", "set", "agents.defaults.model.primary", "openai-codex/gpt-5.5"]);
    const result = cli(["onboard", "--auth-choice", "openai-api-key", "--openai-api-key", KEY]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Default model unchanged: openai-codex/gpt-5.5");
  });

  it("reads the key from piped stdin without a TTY and never prints it", () => {
    const result = cli(["onboard", "--auth-choice", "openai-api-key"], { input: `${KEY}\n` });
    expect(result.status).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(KEY);
    expect(JSON.parse(readFileSync(authFile(), "utf8")).profiles.openai.key).toBe(KEY);
  });

  it("notes that OPENAI_API_KEY in the environment wins", () => {
    const result = cli(["onboard", "--openai-api-key", KEY], { env: { OPENAI_API_KEY: "sk-env-other-1111" } });
    expect(result.stdout).toContain("OPENAI_API_KEY is set in your environment and takes precedence");
    expect(result.stdout).not.toContain("sk-env-other-1111");
  });

  it.each([
    [["onboard"], "choose --auth-choice"],
    [["onboard", "--auth-choice", "magic"], "unknown --auth-choice 'magic'"],
    [["onboard", "--auth-choice", "openai-api-key"], "no API key given"],
    [["onboard", "--openai-api-key", "sk-with space"], "contains whitespace"],
    [["onboard", "--openai-api-key"], "--openai-api-key needs a value"],
    [["onboard", "--auth-choice", "openai-codex", "--openai-api-key", KEY], "cannot be combined"],
  ])("exits 2 for %j", (args, message) => {
    const result = cli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(KEY);
    expect(existsSync(authFile())).toBe(false);
  });

  it("saves the key but exits 1 when the existing config is invalid", () => {
    writeFileSync(configFile(), "{ agents: { defaults: { modle: {} } } }");
    const result = cli(["onboard", "--openai-api-key", KEY]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("agents.defaults.modle");
    expect(JSON.parse(readFileSync(authFile(), "utf8")).profiles.openai.key).toBe(KEY);
  });

  it("reports a corrupt auth store and leaves it alone", () => {
    mkdirSync(join(home, "auth"), { recursive: true });
    writeFileSync(authFile(), "{ not json");
    const result = cli(["onboard", "--openai-api-key", KEY]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Auth store ${authFile()} is corrupt`);
    expect(readFileSync(authFile(), "utf8")).toBe("{ not json");
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("asks with hidden input on a TTY (no echo)", async () => {
    // `script` gives the CLI a real pseudo-terminal; we type only after the prompt appears.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliEntry)} onboard --auth-choice openai-api-key`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home, TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no prompt; got ${JSON.stringify(output)}`)), 15_000);
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("OpenAI API key (input hidden): ")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.write(`${KEY.slice(0, 10)}X\u007f${KEY.slice(10)}\r`);
    expect(await exited).toBe(0);
    expect(output).toContain("Saved OpenAI API key sk-…WXYZ");
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(KEY.slice(0, 10));
    expect(JSON.parse(readFileSync(authFile(), "utf8")).profiles.openai.key).toBe(KEY);
  });
});

describe("genesis models auth list", () => {
  it("says how to add credentials when there are none", () => {
    const result = cli(["models", "auth", "list"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No credentials");
  });

  it("shows keys masked with their source, and oauth accounts without tokens", () => {
    cli(["onboard", "--openai-api-key", KEY]);
    const profiles = JSON.parse(readFileSync(authFile(), "utf8"));
    profiles.profiles["openai-codex"] = {
      kind: "oauth", provider: "openai-codex", access: "eyJhbGciOiJub25lIn0.eyJhY2Nlc3MiOjF9.YWNjZXNzY2FuYXJ5", refresh: "rt_refresh_canary_123456",
      idToken: "eyJhbGciOiJub25lIn0.eyJpZCI6MX0.aWRjYW5hcnk", accountId: "acct_42", email: "me@example.com", expiresAt: 4_102_444_800_000, updatedAt: 1,
    };
    writeFileSync(authFile(), JSON.stringify(profiles));
    const result = cli(["models", "auth", "list"]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PROVIDER\s+KIND\s+SOURCE\s+CREDENTIAL\s+EXPIRES$/);
    expect(lines[1]).toMatch(/^openai\s+api_key\s+store\s+sk-…WXYZ\s+-$/);
    expect(lines[2]).toMatch(/^openai-codex\s+oauth\s+store\s+account acct_42 \(me@example.com\)\s+2100-01-01T00:00:00.000Z$/);
    for (const secret of [KEY, "YWNjZXNzY2FuYXJ5", "rt_refresh_canary", "aWRjYW5hcnk"]) expect(result.stdout).not.toContain(secret);
  });

  it("shows the environment key as the one in use, and the stored one as overridden", () => {
    cli(["onboard", "--openai-api-key", KEY]);
    const result = cli(["models", "auth", "list", "--json"], { env: { OPENAI_API_KEY: "sk-env-key-00001234" } });
    expect(JSON.parse(result.stdout)).toEqual([
      { provider: "openai", kind: "api_key", source: "env", credential: "sk-…1234" },
      { provider: "openai", kind: "api_key", source: "store", credential: "sk-…WXYZ", shadowed: true },
    ]);
  });
});
