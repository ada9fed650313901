import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldPath, SpecValidator } from "./_spec-validator.js";

const v = new SpecValidator();

describe("SpecValidator", () => {
  it("rejects an unknown service_tier, naming the field and the allowed values", () => {
    const err = v.validate("createResponse", { model: "gpt-5.4", input: "hi", service_tier: "turbo" });
    expect(err?.param).toBe("service_tier");
    expect(err?.message).toContain('service_tier: "turbo"');
    expect(err?.message).toContain('"priority"');
  });

  it("rejects a compact_threshold below the minimum", () => {
    const err = v.validate("createResponse", { model: "gpt-5.4", input: "hi", context_management: [{ type: "compaction", compact_threshold: 10 }] });
    expect(err?.param).toBe("context_management[0].compact_threshold");
    expect(err?.message).toContain("context_management[0].compact_threshold: 10");
  });

  it("accepts a Codex-shaped body with replayed reasoning and tool outputs", () => {
    const body = {
      model: "gpt-5.5",
      instructions: "be brief",
      input: [
        { role: "user", content: "hi" },
        { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "abc" },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: "ok" },
      ],
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "sess-1",
      reasoning: { effort: "high", summary: "auto" },
      text: { verbosity: "low" },
      tools: [{ type: "function", name: "f", parameters: { type: "object", properties: {} }, strict: true }],
      tool_choice: "auto",
      parallel_tool_calls: true,
      service_tier: "priority",
      context_management: [{ type: "compaction", compact_threshold: 200000 }],
    };
    expect(v.validate("createResponse", body)).toBeUndefined();
  });

  it("reports a wrong type at the root field", () => {
    expect(v.validate("createResponse", { model: 5, input: "x" })?.param).toBe("model");
  });

  it("requires the required fields of embeddings", () => {
    expect(v.validate("createEmbedding", { model: "text-embedding-3-small" })).toEqual({ message: "Missing required parameter: 'input'.", param: "input" });
  });

  it("formats JSON pointers as field paths", () => {
    expect(fieldPath("/a/0/b~1c")).toBe("a[0].b/c");
    expect(fieldPath("")).toBe("");
  });

  const full = "/work/shared/openai-openapi/openapi.json";
  it.skipIf(!existsSync(full))("also works on the full, untrimmed official spec", () => {
    const fv = new SpecValidator(full);
    expect(fv.validate("createResponse", { model: "gpt-5.4", input: "hi", service_tier: "turbo" })?.param).toBe("service_tier");
    expect(fv.validate("createResponse", { model: "gpt-5.4", input: [{ role: "user", content: [{ type: "input_text", text: "x" }] }] })).toBeUndefined();
  });
});
