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
    expect(urls.some((u) => u.endsWith("/apps/cli/dist/genesis.js"))).toBe(true);
    expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
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

  it("prints command help with --help and exits 0", () => {
    const result = runCli(["config", "set", "--help"], { home: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: genesis config set <path> <value>");
  });
});
