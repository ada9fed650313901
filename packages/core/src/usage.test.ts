import { describe, expect, it } from "vitest";
import { addUsage, normalizeUsage } from "./usage.js";

describe("normalizeUsage", () => {
  it("subtracts cached tokens out of Responses input_tokens", () => {
    expect(
      normalizeUsage({
        input_tokens: 1200,
        input_tokens_details: { cached_tokens: 1000 },
        output_tokens: 50,
        output_tokens_details: { reasoning_tokens: 20 },
        total_tokens: 1250,
      }),
    ).toEqual({ input: 200, cacheRead: 1000, output: 50, reasoning: 20, total: 1250 });
  });

  it("reads Chat Completions prompt_tokens and computes a missing total", () => {
    expect(
      normalizeUsage({ prompt_tokens: 30, prompt_tokens_details: { cached_tokens: 10 }, completion_tokens: 5 }),
    ).toEqual({ input: 20, cacheRead: 10, output: 5, reasoning: 0, total: 35 });
  });

  it("treats garbage as zero rather than NaN", () => {
    expect(normalizeUsage({ input_tokens: "12", output_tokens: Number.NaN, total_tokens: -1 })).toEqual({
      input: 0, cacheRead: 0, output: 0, reasoning: 0, total: 0,
    });
    expect(normalizeUsage(null).total).toBe(0);
  });

  it("never reports more cached tokens than input", () => {
    expect(normalizeUsage({ input_tokens: 5, input_tokens_details: { cached_tokens: 9 } })).toMatchObject({ input: 0, cacheRead: 5 });
  });

  it("adds usages field by field", () => {
    const a = normalizeUsage({ input_tokens: 10, output_tokens: 1 });
    expect(addUsage(a, a)).toEqual({ input: 20, cacheRead: 0, output: 2, reasoning: 0, total: 22 });
  });
});
