import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as full from "./index.js";
import * as lite from "./lite.js";

// Follow every runtime import (not `import type`, not dynamic `import()`) from a source file.
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gms;

function runtimeGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith(".ts")) return;
    const text = readFileSync(join(import.meta.dirname, file), "utf8");
    for (const [, spec] of text.matchAll(STATIC_IMPORT)) {
      visit(spec!.startsWith("./") ? spec!.slice(2).replace(/\.js$/, ".ts") : spec!);
    }
  };
  visit(entry);
  return seen;
}

describe("@genesis/core/lite", () => {
  it("reaches neither zod, json5 nor the schema through static imports", () => {
    const graph = runtimeGraph("lite.ts");
    expect(graph.has("route.ts")).toBe(true); // the walker really follows imports
    const heavy = (f: string) => f === "zod" || f.startsWith("zod/") || f === "json5" || f === "config-schema.ts" || f === "validate-config.ts";
    expect([...graph].filter(heavy)).toEqual([]);
  });

  it("the walker does see zod and json5 behind the full entry", () => {
    const graph = runtimeGraph("index.ts");
    expect(graph.has("zod")).toBe(true);
    expect(graph.has("json5")).toBe(true);
  });

  it("exports the very same objects as the full entry", () => {
    for (const [name, value] of Object.entries(lite)) {
      expect(full[name as keyof typeof full], name).toBe(value);
    }
  });
});
