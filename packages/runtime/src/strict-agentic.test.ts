import { describe, expect, it } from "vitest";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPlanOnly, isSubstantialWork, strictAgenticApplies } from "./strict-agentic.js";
import { ToolRegistry } from "./tool-registry.js";
import { createReadFileTool } from "./builtin-tools.js";

describe("strict-agentic detection", () => {
  it("applies only to openai/openai-codex GPT-5-family routes with the contract", () => {
    expect(strictAgenticApplies({ provider: "openai", model: "gpt-5.4", executionContract: "strict-agentic" })).toBe(true);
    expect(strictAgenticApplies({ provider: "openai-codex", model: "gpt-5.5", executionContract: "strict-agentic" })).toBe(true);
    expect(strictAgenticApplies({ provider: "openai", model: "gpt-5.4", executionContract: "default" })).toBe(false);
    expect(strictAgenticApplies({ provider: "openrouter", model: "openai/gpt-5.5", executionContract: "strict-agentic" })).toBe(false);
    expect(strictAgenticApplies({ provider: "openai", model: "gpt-4.1", executionContract: "strict-agentic" })).toBe(false);
  });

  it("tells plans from results and questions", () => {
    expect(isPlanOnly("I'll check the file and then report back.", false, true)).toBe(true);
    expect(isPlanOnly("Plan:\n1. read\n2. summarize", false, true)).toBe(true);
    expect(isPlanOnly("The file says 42.", false, true)).toBe(false);
    expect(isPlanOnly("Which file should I read?", false, true)).toBe(false);
    expect(isPlanOnly("I will read it.", true, true)).toBe(false);
    expect(isPlanOnly("I will read it.", false, false)).toBe(false);
    expect(isPlanOnly("Done: I read the file, it says 42.", false, true)).toBe(false);
  });

  it("treats long or multi-step requests as substantial work", () => {
    expect(isSubstantialWork("hi")).toBe(false);
    expect(isSubstantialWork("Refactor the parser and then add tests")).toBe(true);
  });
});

describe("ToolRegistry and built-in tools", () => {
  const tool = { name: "t", description: "d", parameters: { type: "object", properties: {} }, execute: () => "ok" };
  it("validates names, schemas and duplicates", () => {
    const r = new ToolRegistry();
    const off = r.register(tool);
    expect(() => r.register(tool)).toThrow(expect.objectContaining({ code: "tool_duplicate" }));
    expect(() => r.register({ ...tool, name: "bad name" })).toThrow(/not valid/);
    expect(() => r.register({ ...tool, name: "x", parameters: { type: "string" } })).toThrow(/type "object"/);
    r.register({ ...tool, execute: () => "replaced" }, { replace: true });
    expect(r.list()).toHaveLength(1);
    off(); // the original registration no longer owns the slot
    expect(r.has("t")).toBe(true);
    expect(r.unregister("t")).toBe(true);
  });

  it("read_file refuses symlinks that leave the working directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "genesis-rf-"));
    const outside = await mkdtemp(join(tmpdir(), "genesis-out-"));
    try {
      await writeFile(join(outside, "secret.txt"), "secret");
      await symlink(join(outside, "secret.txt"), join(dir, "link.txt"));
      const ctx = { sessionId: "s", cwd: dir, signal: new AbortController().signal };
      expect(await createReadFileTool().execute({ path: "link.txt" }, ctx)).toMatchObject({ isError: true, output: expect.stringMatching(/outside/) });
      await writeFile(join(dir, "ok.txt"), "fine");
      expect(await createReadFileTool().execute({ path: "ok.txt" }, ctx)).toBe("fine");
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
