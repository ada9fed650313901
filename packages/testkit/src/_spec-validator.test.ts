import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SPEC_DEVIATIONS } from "./_spec-deviations.js";
import { fieldPath, SpecValidator } from "./_spec-validator.js";

// A second-turn body sent by the real Codex 0.169 app-server (long texts shortened): messages
// carry ids, and the replayed reasoning item has `"content": null`, which the spec forbids.
const codexBody = JSON.parse(readFileSync(new URL("./__fixtures__/codex-app-server-request.json", import.meta.url), "utf8")) as { input: Record<string, unknown>[] };

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

  it("accepts what the real Codex app-server sends (reasoning content: null is a documented deviation)", () => {
    expect(codexBody.input.some((i) => i["type"] === "reasoning" && i["content"] === null)).toBe(true);
    expect(codexBody.input.filter((i) => i["type"] === "message" && typeof i["id"] === "string").length).toBeGreaterThan(3);
    expect(v.validate("createResponse", codexBody)).toBeUndefined();
    expect(SPEC_DEVIATIONS.map((d) => `${d.schema}.${d.property}`)).toEqual(["ReasoningItem.content"]);
  });

  it("still rejects a reasoning item whose content is neither an array nor null, naming that field", () => {
    const input = [{ type: "reasoning", id: "rs_1", summary: [], content: "plain text" }];
    const err = v.validate("createResponse", { model: "gpt-5.4", input });
    expect(err?.param).toBe("input[0].content");
    expect(err?.message).toContain('input[0].content: "plain text"');
  });

  it("blames the field of the item the `type` selects, not the other union branches", () => {
    const err = v.validate("createResponse", { model: "gpt-5.4", input: [{ type: "function_call", call_id: "c1", name: "f", arguments: {} }] });
    expect(err).toEqual({ message: "Invalid value for input[0].arguments: {} (must be string).", param: "input[0].arguments" });
    const missing = v.validate("createResponse", { model: "gpt-5.4", input: [{ role: "user", content: "hi" }, { type: "reasoning", id: "rs_1" }] });
    expect(missing).toEqual({ message: "Missing required parameter: 'input[1].summary'.", param: "input[1].summary" });
  });

  it("lists the allowed item types when the type itself is unknown", () => {
    const err = v.validate("createResponse", { model: "gpt-5.4", input: [{ type: "reasonin", id: "rs_1", summary: [] }] });
    expect(err?.param).toBe("input[0].type");
    expect(err?.message).toContain('"reasoning"');
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
    expect(fv.validate("createResponse", codexBody)).toBeUndefined();
  });
});
