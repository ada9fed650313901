import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSpecPath } from "./_spec-validator.js";

const full = join(import.meta.dirname, "../../../../shared/openai-openapi/openapi.json");

describe("scripts/trim-spec.mjs", () => {
  it.skipIf(!existsSync(full))("regenerates exactly the committed spec/openapi.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "trim-spec-"));
    try {
      const out = join(dir, "openapi.json");
      execFileSync(process.execPath, [join(import.meta.dirname, "../scripts/trim-spec.mjs"), full, out], { stdio: "pipe" });
      expect(readFileSync(out, "utf8")).toBe(readFileSync(defaultSpecPath(), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
