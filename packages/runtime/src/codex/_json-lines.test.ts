import { describe, expect, it } from "vitest";
import { JsonLineSplitter } from "./_json-lines.js";

describe("JsonLineSplitter", () => {
  it("reassembles lines split across chunks and skips empty ones", () => {
    const lines: string[] = [];
    const s = new JsonLineSplitter((l) => lines.push(l));
    s.push('{"a":');
    s.push("1}\n\n");
    s.push('{"b":2}\n{"c"');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    s.push(":3}\n");
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});
