import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CODEX_VERSION, resolveCodexBinary } from "./resolve-codex-binary.js";

const committed = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "protocol");
const scratch = mkdtempSync(join(tmpdir(), "genesis-codex-drift-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe("generated app-server protocol types", () => {
  const bin = resolveCodexBinary();

  it("come from the pinned Codex version", () => {
    const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
    expect(version).toBe(`codex-cli ${CODEX_VERSION}`);
  });

  it("match what the pinned binary generates today (run `pnpm codex:protocol` after a bump)", () => {
    const out = join(scratch, "out");
    execFileSync(bin, ["app-server", "generate-ts", "--out", out], {
      env: { ...process.env, CODEX_HOME: scratch },
      stdio: ["ignore", "ignore", "ignore"],
    });
    const fresh = listFiles(out);
    expect(listFiles(committed)).toEqual(fresh);
    const changed = fresh.filter((f) => readFileSync(join(out, f), "utf8") !== readFileSync(join(committed, f), "utf8"));
    expect(changed).toEqual([]);
  });
});
