import { describe, expect, it } from "vitest";
import { toStrictSchema } from "./_strict-schema.js";

describe("toStrictSchema", () => {
  it("requires every property, closes objects and makes optional ones nullable (nested too)", () => {
    const out = toStrictSchema({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "object", properties: { c: { type: "integer", enum: [1, 2] } } } },
      required: ["a"],
    });
    expect(out).toEqual({
      type: "object",
      properties: {
        a: { type: "string" },
        b: { type: ["object", "null"], properties: { c: { type: ["integer", "null"], enum: [1, 2, null] } }, required: ["c"], additionalProperties: false },
      },
      required: ["a", "b"],
      additionalProperties: false,
    });
  });
  it("wraps type-less optional schemas in anyOf with null", () => {
    const out = toStrictSchema({ type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "number" }] } } });
    expect((out as any).properties.v).toEqual({ anyOf: [{ anyOf: [{ type: "string" }, { type: "number" }] }, { type: "null" }] });
  });
  it("gives up on open maps so the tool is sent loose instead of rejected", () => {
    expect(toStrictSchema({ type: "object", additionalProperties: { type: "string" } })).toBeUndefined();
  });
});
