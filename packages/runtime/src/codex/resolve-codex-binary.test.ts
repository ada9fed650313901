import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseResetsAt } from "./_turn.js";
import { CODEX_VERSION, resolveCodexBinary } from "./resolve-codex-binary.js";

describe("resolveCodexBinary", () => {
  it("finds the native binary of the installed @openai/codex platform package", () => {
    const bin = resolveCodexBinary({ env: {} });
    expect(bin).toMatch(/vendor\/[^/]+\/bin\/codex$/);
    expect(existsSync(bin)).toBe(true);
  });

  it("prefers the explicit option, then GENESIS_CODEX_BIN", () => {
    expect(resolveCodexBinary({ path: process.execPath, env: { GENESIS_CODEX_BIN: "/nope" } })).toBe(process.execPath);
    expect(resolveCodexBinary({ env: { GENESIS_CODEX_BIN: process.execPath } })).toBe(process.execPath);
  });

  it("fails with codex_binary_not_found and a hint", () => {
    expect(() => resolveCodexBinary({ env: { GENESIS_CODEX_BIN: "/no/such/codex" } })).toThrow(
      expect.objectContaining({ code: "codex_binary_not_found", hint: expect.stringContaining("GENESIS_CODEX_BIN") }),
    );
    expect(() => resolveCodexBinary({ env: {}, platform: "aix", arch: "ppc64" })).toThrow(
      expect.objectContaining({ code: "codex_binary_not_found", hint: expect.stringContaining(`@openai/codex@${CODEX_VERSION}`) }),
    );
  });
});

describe("parseResetsAt", () => {
  it("turns Codex's local 'try again at' time into the next such epoch second", () => {
    const now = new Date(2026, 10, 22, 3, 30, 0);
    expect(parseResetsAt("… or try again at 4:06 AM.", now)).toBe(new Date(2026, 10, 22, 4, 6, 0).getTime() / 1000);
    expect(parseResetsAt("try again at 1:15 AM", now)).toBe(new Date(2026, 10, 23, 1, 15, 0).getTime() / 1000);
    expect(parseResetsAt("try again at 12:05 PM", now)).toBe(new Date(2026, 10, 22, 12, 5, 0).getTime() / 1000);
    expect(parseResetsAt("no time here", now)).toBeUndefined();
  });
});
