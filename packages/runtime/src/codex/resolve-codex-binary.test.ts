import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
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
