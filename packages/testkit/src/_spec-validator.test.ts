import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMultipart, type MultipartBody } from "./_multipart.js";
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
    expect(SPEC_DEVIATIONS.map((d) => `${d.schema}.${d.property}`)).toEqual(["ReasoningItem.content", "EditImageBodyJsonParam.size"]);
  });

  it("still rejects a reasoning item whose content is neither an array nor null, naming that field", () => {
    const input = [{ type: "reasoning", id: "rs_1", summary: [], content: "plain text" }];
    const err = v.validate("createResponse", { model: "gpt-5.4", input });
    expect(err?.param).toBe("input[0].content");
    expect(err?.message).toContain('input[0].content: "plain text"');
  });

  it("blames the field of the item the `type` selects, not the other union branches", () => {
    const err = v.validate("createResponse", { model: "gpt-5.4", input: [{ type: "function_call", call_id: "c1", name: "f", arguments: {} }] });
    expect(err).toEqual({ message: "Invalid value for input[0].arguments: {} (must be string).", param: "input[0].arguments", code: "invalid_value" });
    const missing = v.validate("createResponse", { model: "gpt-5.4", input: [{ role: "user", content: "hi" }, { type: "reasoning", id: "rs_1" }] });
    expect(missing).toEqual({ message: "Missing required parameter: 'input[1].summary'.", param: "input[1].summary", code: "missing_required_parameter" });
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
    expect(v.validate("createEmbedding", { model: "text-embedding-3-small" })).toEqual({ message: "Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter" });
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

/** Encodes `form` the way fetch does and parses it back, like the emulator sees it. */
async function parsed(form: FormData): Promise<MultipartBody> {
  const req = new Request("http://x/", { method: "POST", body: form });
  return parseMultipart(Buffer.from(await req.arrayBuffer()), req.headers.get("content-type") ?? undefined);
}

function form(fields: [string, string | Blob][]): FormData {
  const f = new FormData();
  for (const [k, val] of fields) f.append(k, val);
  return f;
}

const wav = new Blob([new Uint8Array([1, 2, 3])], { type: "audio/wav" });

describe("SpecValidator.validateForm (multipart bodies)", () => {
  it("coerces text parts to the schema's types and reads name[] parts as lists", async () => {
    const ok = await parsed(form([["model", "whisper-1"], ["file", wav], ["temperature", "0.2"], ["stream", "false"], ["timestamp_granularities[]", "word"], ["timestamp_granularities[]", "segment"], ["include[]", "logprobs"]]));
    expect(v.validateForm("createTranscription", ok)).toBeUndefined();
    // A lone list value sent without brackets is still a list.
    expect(v.validateForm("createTranscription", await parsed(form([["model", "m"], ["file", wav], ["include", "logprobs"]])))).toBeUndefined();
  });

  it("reads name[key] parts as an object (chunking_strategy) and checks its fields", async () => {
    const good = await parsed(form([["model", "m"], ["file", wav], ["chunking_strategy[type]", "server_vad"], ["chunking_strategy[threshold]", "0.4"]]));
    expect(v.validateForm("createTranscription", good)).toBeUndefined();
    const bad = await parsed(form([["model", "m"], ["file", wav], ["chunking_strategy[type]", "server_vad"], ["chunking_strategy[threshold]", "high"]]));
    expect(v.validateForm("createTranscription", bad)?.param).toBe("chunking_strategy.threshold");
  });

  it("rejects unknown fields of a closed schema, naming them", async () => {
    const err = v.validateForm("createTranscription", await parsed(form([["model", "m"], ["file", wav], ["temprature", "0"]])));
    expect(err).toEqual({ message: "Unknown parameter: 'temprature'.", param: "temprature", code: "unknown_parameter" });
  });

  it("names a missing file, a text part where a file belongs, and a bad enum value", async () => {
    expect(v.validateForm("createTranscription", await parsed(form([["model", "m"]])))).toEqual({ message: "Missing required parameter: 'file'.", param: "file", code: "missing_required_parameter" });
    const text = v.validateForm("createTranscription", await parsed(form([["model", "m"], ["file", "not a file"]])));
    expect(text).toEqual({ message: "Invalid value for file: expected a file upload, got a text field.", param: "file", code: "invalid_value" });
    const fmt = v.validateForm("createTranscription", await parsed(form([["model", "m"], ["file", wav], ["response_format", "xml"]])));
    expect(fmt?.param).toBe("response_format");
    expect(fmt?.message).toContain('response_format: "xml"');
  });

  it("checks image edit forms: numbers, repeated image[] files, and open schemas keep extra fields", async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50])], { type: "image/png" });
    expect(v.validateForm("createImageEdit", await parsed(form([["prompt", "p"], ["image[]", png], ["image[]", png], ["n", "2"], ["stream", "true"], ["x_extra", "1"]])))).toBeUndefined();
    const n = v.validateForm("createImageEdit", await parsed(form([["prompt", "p"], ["image", png], ["n", "two"]])));
    expect(n).toMatchObject({ param: "n", code: "invalid_value" });
    expect(n?.message).toContain('n: "two"');
    const zero = v.validateForm("createImageEdit", await parsed(form([["prompt", "p"], ["image", png], ["n", "0"]])));
    expect(zero?.param).toBe("n");
    const many = await parsed(form([["prompt", "p"], ...Array.from({ length: 17 }, (): [string, Blob] => ["image[]", png])]));
    expect(v.validateForm("createImageEdit", many)?.param).toBe("image");
  });

  it("checks video forms: seconds and size enums, prompt length, file input_reference", async () => {
    const ref = new Blob([new Uint8Array([1])], { type: "image/png" });
    expect(v.validateForm("createVideo", await parsed(form([["prompt", "waves"], ["seconds", "8"], ["size", "1280x720"], ["input_reference", ref]])))).toBeUndefined();
    expect(v.validateForm("createVideo", await parsed(form([["prompt", "waves"], ["seconds", "5"]])))?.param).toBe("seconds");
    expect(v.validateForm("createVideo", await parsed(form([["prompt", ""]])))?.param).toBe("prompt");
  });

  it("knows which operations have a form body", () => {
    expect(v.hasForm("createTranscription")).toBe(true);
    expect(v.hasForm("createVideo")).toBe(true);
    expect(v.hasForm("createResponse")).toBe(false);
    expect(v.has("createTranscription")).toBe(false);
  });

  it("applies the JSON edit size deviation: WIDTHxHEIGHT passes, other strings still fail", () => {
    const body = { prompt: "p", images: [{ image_url: "https://example.com/a.png" }] };
    expect(v.validate("createImageEdit", { ...body, size: "2048x1152" })).toBeUndefined();
    expect(v.validate("createImageEdit", { ...body, size: "big" })?.param).toBe("size");
  });

  const full = "/work/shared/openai-openapi/openapi.json";
  it.skipIf(!existsSync(full))("also validates forms from the full, untrimmed official spec", async () => {
    const fv = new SpecValidator(full);
    expect(fv.validateForm("createTranscription", await parsed(form([["model", "m"], ["file", wav]])))).toBeUndefined();
    expect(fv.validateForm("createTranscription", await parsed(form([["model", "m"]])))?.param).toBe("file");
  });
});
