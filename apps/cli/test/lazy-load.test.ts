import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "./_cli.js";

// A module-resolution hook that logs every URL the CLI loads, so we can prove `--help`
// stays tiny: no zod, no @genesis/* package.
let dir: string;
let register: string;
const HEAVY = /\/zod\/|\/json5\/|\/packages\/[^/]+\/(dist|src)\//;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "genesis-lazy-"));
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.GENESIS_LOAD_LOG, result.url + "\\n");
  return result;
}
`,
  );
  register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
}, 180_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loaded(args: string[], log: string): { status: number | null; stdout: string; urls: string[] } {
  const result = runCli(args, { home: dir, env: { GENESIS_LOAD_LOG: log }, nodeArgs: ["--import", register] });
  const urls = readFileSync(log, "utf8").trim().split("\n");
  return { status: result.status, stdout: result.stdout, urls };
}

describe("lazy loading", () => {
  it("genesis --help loads neither zod nor any package", () => {
    const { status, stdout, urls } = loaded(["--help"], join(dir, "help.log"));
    expect(status).toBe(0);
    expect(stdout).toContain("config set");
    expect(stdout).toContain("models auth list");
    expect(stdout).toMatch(/^  onboard\s+Set up OpenAI credentials: API key, Codex sign-in or Azure OpenAI$/m);
    expect(stdout).toMatch(/^  models auth logout\s+Sign out of ChatGPT\/Codex: revoke the refresh token and remove the stored sign-in$/m);
    expect(urls.some((u) => u.endsWith("/apps/cli/dist/genesis.js"))).toBe(true);
    expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
  });

  it("genesis models list on a fresh home loads core/lite but neither zod nor json5", () => {
    const { status, stdout, urls } = loaded(["models", "list", "--all"], join(dir, "list.log"));
    expect(status).toBe(0);
    expect(stdout).toContain("openai-codex/gpt-5.5");
    expect(urls.some((u) => u.endsWith("/packages/core/dist/lite.js"))).toBe(true);
    expect(urls.filter((u) => /\/zod\/|\/json5\/|\/packages\/core\/dist\/index\.js$|\/_openai-live-/.test(u))).toEqual([]);
  });

  it("genesis models list/route still validate a real config with the full schema", () => {
    const home = mkdtempSync(join(tmpdir(), "genesis-lazy-home-"));
    try {
      writeFileSync(join(home, "genesis.json5"), '{ agents: { defaults: { modle: { primary: "openai/gpt-5.4" } } } }');
      for (const args of [["models", "list"], ["models", "route", "openai/gpt-5.4"]]) {
        const log = join(home, `${args[1]}.log`);
        const result = runCli(args, { home, env: { GENESIS_LOAD_LOG: log }, nodeArgs: ["--import", register] });
        expect(result.status, args.join(" ")).toBe(1);
        expect(result.stderr).toContain("agents.defaults.modle: unknown key; did you mean agents.defaults.model?");
        expect(readFileSync(log, "utf8")).toMatch(/\/zod\//);
      }
      writeFileSync(join(home, "genesis.json5"), '{ agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" } } } }');
      const ok = runCli(["models", "list"], { home });
      expect([ok.status, ok.stderr]).toEqual([0, ""]);
      expect(ok.stdout).toMatch(/^openai-codex\/gpt-5\.5 \*/m);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("a config command does load core and zod (the probe can see them)", () => {
    const { urls } = loaded(["config", "validate"], join(dir, "validate.log"));
    expect(urls.some((u) => u.includes("/packages/core/dist/"))).toBe(true);
    expect(urls.some((u) => u.includes("/zod/"))).toBe(true);
  });
});

describe("entry point", () => {
  it("prints the version", () => {
    const result = runCli(["--version"], { home: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 for an unknown command and for no command", () => {
    expect(runCli(["frobnicate"], { home: dir }).status).toBe(2);
    expect(runCli([], { home: dir }).status).toBe(2);
  });

  it("exits 2 for an unknown option before any command, and says so", () => {
    const result = runCli(["--bogus"], { home: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stdout).toBe("");
  });

  it("uses 0 ok / 1 failure / 2 usage consistently across commands", () => {
    const cases: [string[], number][] = [
      [["models"], 2], // a group without its subcommand
      [["models", "list", "--bogus"], 2],
      [["models", "list", "--provider"], 2], // a value flag without its value
      [["models", "auth", "list", "extra"], 2],
      [["models", "auth", "list"], 0],
      [["config", "path"], 0],
      [["config", "get"], 2],
      [["config", "get", "agents.defaults.model.primary"], 1], // unset
      [["config", "validate"], 0],
      [["onboard", "--bogus"], 2],
      [["models", "route", "nope/gpt-5.4"], 1],
    ];
    for (const [args, code] of cases) expect(runCli(args, { home: dir }).status, args.join(" ")).toBe(code);
  });

  it("prints command help with --help and exits 0", () => {
    const result = runCli(["config", "set", "--help"], { home: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: genesis config set <path> <value>");
  });
});
