import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureBuilt, runCli, tempHome } from "./_cli.js";

let home: string;
const file = () => join(home, "genesis.json5");
const cli = (...args: string[]) => runCli(args, { home });

beforeAll(() => ensureBuilt(), 180_000);
beforeEach(() => {
  home = tempHome();
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("genesis config set/get/unset", () => {
  it("sets a value in a fresh home, writes 0600, and reads it back", () => {
    const set = cli("config", "set", "agents.defaults.model.primary", "openai-codex/gpt-5.5");
    expect(set.stderr).toBe("");
    expect(set.status).toBe(0);
    expect(set.stdout).toBe(`agents.defaults.model.primary = "openai-codex/gpt-5.5"  (${file()})\n`);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    const get = cli("config", "get", "agents.defaults.model.primary");
    expect([get.status, get.stdout]).toEqual([0, "openai-codex/gpt-5.5\n"]);
  });

  it("parses JSON5 literals, bracketed keys, and bare words as strings", () => {
    expect(cli("config", "set", 'agents.defaults.models["openai/gpt-5.4"].params.fastMode', "true").status).toBe(0);
    expect(cli("config", "set", "agents.defaults.models['openai/gpt-5.4'].params.responsesCompactThreshold", "120000").status).toBe(0);
    expect(cli("config", "set", "agents.defaults.promptOverlays.gpt5.personality", "off").status).toBe(0);
    const get = cli("config", "get", 'agents.defaults.models["openai/gpt-5.4"]');
    expect(JSON.parse(get.stdout)).toEqual({ params: { fastMode: true, responsesCompactThreshold: 120000 } });
    expect(cli("config", "get", "agents.defaults.promptOverlays.gpt5.personality", "--json").stdout).toBe('"off"\n');
  });

  it("exits 2 on an invalid value and leaves the file byte-for-byte unchanged", () => {
    const original = "// my settings\n{ agents: { defaults: { model: { primary: 'openai/gpt-5.4' } } } }\n";
    writeFileSync(file(), original);
    chmodSync(file(), 0o644);
    const before = statSync(file()).mtimeMs;
    for (const [path, value] of [
      ["agents.defaults.embeddedHarness.runtime", "turbo"],
      ['agents.defaults.models["openai/gpt-5.4"].params.responsesCompactThreshold', "-1"],
      ["plugins.entries.voice-call.config.realtime.providers.openai.silenceDurationMs", "NaN"],
    ] as const) {
      const result = cli("config", "set", path, value);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(path);
    }
    expect(readFileSync(file(), "utf8")).toBe(original);
    expect(statSync(file()).mtimeMs).toBe(before);
    expect(statSync(file()).mode & 0o777).toBe(0o644);
  });

  it("names the full path of a misspelled key and suggests the right one", () => {
    const result = cli("config", "set", "agents.defaults.modle.primary", "openai/gpt-5.4");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("agents.defaults.modle: unknown key; did you mean agents.defaults.model?");
    expect(result.stdout).toBe("");
  });

  it("suggests --string when a number lands where text is expected, and --string stores text", () => {
    const numeric = cli("config", "set", "env.PORT", "8080");
    expect(numeric.status).toBe(2);
    expect(numeric.stderr).toContain("add --string");
    expect(cli("config", "set", "env.PORT", "8080", "--string").status).toBe(0);
    expect(cli("config", "get", "env.PORT", "--json").stdout).toBe('"8080"\n');
  });

  it("exits 2 for a malformed path", () => {
    const result = cli("config", "set", 'agents.defaults.models["openai/gpt-5.4', "x");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unterminated quoted key");
  });

  it("exits 2 for missing arguments and unknown flags", () => {
    expect(cli("config", "set", "agents.defaults.model.primary").status).toBe(2);
    expect(cli("config", "get").status).toBe(2);
    expect(cli("config", "get", "env", "--bogus").status).toBe(2);
  });

  it("keeps other values and masks secrets when printing", () => {
    writeFileSync(file(), '{ env: { OPENAI_API_KEY: "sk-canary-abcdef123456", REGION: "eu" } }');
    const set = cli("config", "set", "models.providers.openai.apiKey", "sk-provider-canary-9876");
    expect(set.status).toBe(0);
    expect(set.stdout).not.toContain("sk-provider-canary-9876");
    expect(set.stdout).toContain("sk-…9876");
    const env = cli("config", "get", "env");
    expect(JSON.parse(env.stdout)).toEqual({ OPENAI_API_KEY: "sk-…3456", REGION: "eu" });
    expect(cli("config", "get", "env.OPENAI_API_KEY", "--show-secrets").stdout).toBe("sk-canary-abcdef123456\n");
  });

  it("unsets values and prunes empty parents; unsetting twice exits 1", () => {
    cli("config", "set", "agents.defaults.model.primary", "openai/gpt-5.4");
    cli("config", "set", "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork", "true");
    const unset = cli("config", "unset", "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork");
    expect(unset.status).toBe(0);
    expect(readFileSync(file(), "utf8")).not.toContain("browser");
    expect(cli("config", "unset", "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork").status).toBe(1);
    expect(cli("config", "get", "agents.defaults.model.primary").stdout).toBe("openai/gpt-5.4\n");
  });

  it("get exits 1 for an unset path", () => {
    const result = cli("config", "get", "agents.defaults.model.primary");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("genesis: agents.defaults.model.primary is not set\n");
  });

  it("honours GENESIS_CONFIG", () => {
    const other = join(home, "other.json5");
    const result = runCli(["config", "set", "agents.defaults.contextTokens", "160000"], { home, env: { GENESIS_CONFIG: other } });
    expect(result.status).toBe(0);
    expect(readFileSync(other, "utf8")).toContain("contextTokens: 160000");
    expect(runCli(["config", "path"], { home, env: { GENESIS_CONFIG: other } }).stdout).toBe(`${other}\n`);
  });
});

describe("genesis config validate", () => {
  it("reports a missing file as defaults", () => {
    const result = cli("config", "validate");
    expect([result.status, result.stdout]).toEqual([0, `No config file at ${file()}; defaults apply.\n`]);
  });

  it("accepts a valid file", () => {
    writeFileSync(file(), '{ agents: { defaults: { embeddedHarness: { runtime: "codex" } } } }');
    expect(cli("config", "validate").stdout).toBe(`Config OK: ${file()}\n`);
  });

  it("lists every issue with paths and exits 1", () => {
    writeFileSync(file(), '{ agents: { defaults: { modle: {}, contextTokens: -1 } }, browsr: {} }');
    const result = cli("config", "validate");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("agents.defaults.modle: unknown key; did you mean agents.defaults.model?");
    expect(result.stderr).toContain("agents.defaults.contextTokens:");
    expect(result.stderr).toContain("browsr: unknown key; did you mean browser?");
    const json = JSON.parse(cli("config", "validate", "--json").stdout) as { ok: boolean; issues: { path: string }[] };
    expect(json.ok).toBe(false);
    expect(json.issues.map((i) => i.path).sort()).toEqual(["agents.defaults.contextTokens", "agents.defaults.modle", "browsr"]);
  });

  it("reports JSON5 syntax errors with file, line and column", () => {
    writeFileSync(file(), "{\n  agents: {\n    defaults: { model: { primary: 'x' }\n  }\n");
    const result = cli("config", "validate");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`Cannot parse ${file().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:1: invalid end of input`));
    const json = JSON.parse(cli("config", "validate", "--json").stdout) as { issues: { line: number; column: number }[] };
    expect(json.issues[0]).toMatchObject({ line: 5, column: 1 });
  });
});
