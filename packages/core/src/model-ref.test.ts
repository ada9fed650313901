import { describe, expect, it } from "vitest";
import { RouteError } from "./errors.js";
import { baseModelId, isGpt5ModelId, parseModelRef, tryParseModelRef } from "./model-ref.js";

describe("parseModelRef", () => {
  it("splits on the first slash only", () => {
    expect(parseModelRef("openai/gpt-5.4")).toEqual({ provider: "openai", model: "gpt-5.4", ref: "openai/gpt-5.4", raw: "openai/gpt-5.4" });
    expect(parseModelRef("openrouter/openai/gpt-5.5")).toMatchObject({ provider: "openrouter", model: "openai/gpt-5.5" });
    expect(parseModelRef("  OpenAI-Codex/gpt-5.5 ")).toMatchObject({ provider: "openai-codex", model: "gpt-5.5", ref: "openai-codex/gpt-5.5" });
    expect(parseModelRef("openai/ft:gpt-4.1:acme::abc123").model).toBe("ft:gpt-4.1:acme::abc123");
  });

  it("rewrites legacy codex/* refs to openai/* and marks them", () => {
    expect(parseModelRef("codex/gpt-5.5")).toEqual({ provider: "openai", model: "gpt-5.5", ref: "openai/gpt-5.5", raw: "codex/gpt-5.5", legacy: "codex" });
  });

  it.each([
    ["", "it is empty"],
    ["gpt-5.4", "no provider prefix"],
    ["openai/", "empty"],
    ["/gpt-5.4", "not a valid provider id"],
    ["openai//gpt-5.4", "empty segment"],
    ["openai/gpt 5.4", "whitespace"],
    ["open ai/gpt-5.4", "whitespace"],
    ["openai/gpt-5.4?x=1", "characters"],
  ])("rejects %j (%s)", (input, fragment) => {
    let error: unknown;
    try {
      parseModelRef(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RouteError);
    expect((error as RouteError).code).toBe("invalid_model_ref");
    expect((error as RouteError).message).toContain(fragment);
    expect((error as RouteError).hint).toBeTruthy();
  });

  it("suggests the provider for a bare known model id", () => {
    expect(() => parseModelRef("gpt-5.5", ["openai/gpt-5.5", "openai-codex/gpt-5.5", "openai/gpt-5.4"]))
      .toThrow(expect.objectContaining({ hint: "Add the provider: openai/gpt-5.5 or openai-codex/gpt-5.5." }));
  });

  it("never echoes a key-shaped ref back", () => {
    try {
      parseModelRef("sk-proj-abcdefghijklmnop");
      expect.unreachable();
    } catch (e) {
      expect((e as RouteError).message).not.toContain("sk-proj-abcdefghijklmnop");
      expect((e as RouteError).ref).not.toContain("abcdefghijklmnop");
    }
  });

  it("tryParseModelRef returns undefined instead of throwing", () => {
    expect(tryParseModelRef("nope")).toBeUndefined();
    expect(tryParseModelRef("openai/gpt-5.4")?.model).toBe("gpt-5.4");
  });
});

describe("model families", () => {
  it("matches GPT-5 ids on any provider path and rejects GPT-4.x", () => {
    for (const id of ["gpt-5", "gpt-5.4", "gpt-5.5", "gpt-5.4-mini", "gpt-5-mini", "openai/gpt-5.5", "GPT-5.5"]) expect(isGpt5ModelId(id)).toBe(true);
    for (const id of ["gpt-4.1", "gpt-4o-mini-tts", "gpt-50", "gpt-image-2", "o3"]) expect(isGpt5ModelId(id)).toBe(false);
    expect(baseModelId("openai/GPT-5.5")).toBe("gpt-5.5");
  });
});
