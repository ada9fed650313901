import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { configSchema } from "./config-schema.js";
import { ConfigValidationError, safeValidateConfig, validateConfig } from "./validate-config.js";
import { closestKey, formatConfigPath, knownKeysAt, levenshtein, type PathSegment } from "./_config-issues.js";
import { getConfigValue } from "./config-path.js";

const fixtures = join(import.meta.dirname, "__fixtures__");
const specDir = join(fixtures, "spec-examples");
const load = (file: string): unknown => JSON5.parse(readFileSync(file, "utf8"));

function issuesOf(document: unknown) {
  const result = safeValidateConfig(document);
  if (result.ok) throw new Error("expected the document to be invalid");
  return result.issues;
}

describe("spec examples", () => {
  const files = readdirSync(specDir).filter((f) => f.endsWith(".json5"));

  it("has every JSON5 example of the spec", () => {
    expect(files.length).toBe(17);
  });

  // The product spec lives next to the repository on the build machine, not in the clone;
  // where it is present, every ```json5 block in it must be one of the fixtures, verbatim.
  const specFile = join(import.meta.dirname, "..", "..", "..", "..", "shared", "spec", "openai-provider.md");
  it.skipIf(!existsSync(specFile))("every json5 block of the spec is a fixture (when the spec is present)", () => {
    const blocks = [...readFileSync(specFile, "utf8").matchAll(/```json5\n([\s\S]*?)```/g)].map((m) => JSON5.parse(m[1]!) as unknown);
    expect(blocks.length).toBeGreaterThan(10);
    const fixtureDocs = files.map((file) => load(join(specDir, file)));
    const missing = blocks.filter((block) => !fixtureDocs.some((doc) => isDeepStrictEqual(doc, block)));
    expect(missing).toEqual([]);
  });

  it.each(files)("%s validates", (file) => {
    const result = safeValidateConfig(load(join(specDir, file)));
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it.each(files)("%s with a misspelled key fails naming its path", (file) => {
    const document = load(join(specDir, file));
    // Misspell the deepest key that sits in a fixed-shape object (not a record like `env`).
    let victim: PathSegment[] | undefined;
    const walk = (node: unknown, path: PathSegment[]) => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
      else if (node !== null && typeof node === "object") {
        for (const key of Object.keys(node)) {
          const next = [...path, key];
          if (knownKeysAt(configSchema, path).includes(key) && (!victim || next.length >= victim.length)) victim = next;
          walk((node as Record<string, unknown>)[key], next);
        }
      }
    };
    walk(document, []);
    const parent = getConfigValue(document, victim!.slice(0, -1)) as Record<string, unknown>;
    const key = victim!.at(-1) as string;
    parent[`${key}${key.at(-1)}`] = parent[key];
    delete parent[key];
    const issues = issuesOf(document);
    expect(issues).toEqual([
      expect.objectContaining({
        code: "unknown_key",
        path: formatConfigPath([...victim!.slice(0, -1), `${key}${key.at(-1)}`]),
        suggestion: formatConfigPath(victim!),
      }),
    ]);
  });
});

describe("configSchema", () => {
  it("accepts a config that uses every known path", () => {
    const config = validateConfig(load(join(fixtures, "all-paths.json5")));
    expect(config.agents?.defaults?.embeddedHarness?.runtime).toBe("codex");
    // Personality is case-insensitive and normalized to lower case.
    expect(config.agents?.defaults?.promptOverlays?.gpt5?.personality).toBe("off");
    expect(config.plugins?.entries?.openai?.config?.personality).toBe("on");
  });

  it("accepts an empty config", () => {
    expect(validateConfig({})).toEqual({});
  });

  it("names the full path of an unknown key and suggests the closest sibling", () => {
    const issues = issuesOf({ agents: { defaults: { modle: { primary: "openai/gpt-5.4" } } } });
    expect(issues).toEqual([
      expect.objectContaining({
        code: "unknown_key",
        path: "agents.defaults.modle",
        suggestion: "agents.defaults.model",
        message: "unknown key; did you mean agents.defaults.model?",
      }),
    ]);
  });

  it("brackets record keys in paths", () => {
    const issues = issuesOf({ agents: { defaults: { models: { "openai/gpt-5.4": { params: { fastmode: true } } } } } });
    expect(issues[0]?.path).toBe('agents.defaults.models["openai/gpt-5.4"].params.fastmode');
    expect(issues[0]?.suggestion).toBe('agents.defaults.models["openai/gpt-5.4"].params.fastMode');
  });

  it("reports unknown top-level keys and keys inside arrays", () => {
    const issues = issuesOf({ agent: {}, tools: { media: { audio: { models: [{ provider: "openai", modle: "x" }] } } } });
    expect(issues.map((i) => [i.path, i.suggestion]).sort()).toEqual([
      ["agent", "agents"],
      ["tools.media.audio.models[0].modle", "tools.media.audio.models[0].model"],
    ]);
  });

  it("does not suggest when nothing is close", () => {
    const issues = issuesOf({ browser: { zzzzzzzzzz: 1 } });
    expect(issues[0]?.suggestion).toBeUndefined();
    expect(issues[0]?.message).toContain("known here: ssrfPolicy");
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
  ])("rejects %s numbers with the path", (_label, value) => {
    const issues = issuesOf({ plugins: { entries: { "voice-call": { config: { streaming: { providers: { openai: { silenceDurationMs: value } } } } } } } });
    expect(issues[0]?.path).toBe("plugins.entries.voice-call.config.streaming.providers.openai.silenceDurationMs");
  });

  it.each([
    ["models.providers.local.timeoutMs", { models: { providers: { local: { timeoutMs: -1 } } } }],
    ["tools.media.audio.models[0].timeoutMs", { tools: { media: { audio: { models: [{ provider: "openai", timeoutMs: 1.5 }] } } } }],
    ["agents.defaults.contextTokens", { agents: { defaults: { contextTokens: 0 } } }],
    ["models.providers.openai-codex.models[0].contextTokens", { models: { providers: { "openai-codex": { models: [{ id: "gpt-5.5", contextTokens: -5 }] } } } }],
    ['agents.defaults.models["openai/gpt-5.4"].params.responsesCompactThreshold', { agents: { defaults: { models: { "openai/gpt-5.4": { params: { responsesCompactThreshold: 999 } } } } } }],
  ])("rejects a nonsensical number at %s", (path, document) => {
    expect(issuesOf(document).map((i) => i.path)).toEqual([path]);
  });

  it("rejects enum values outside the documented sets", () => {
    const issues = issuesOf({
      agents: {
        defaults: {
          embeddedHarness: { runtime: "auto" },
          embeddedPi: { executionContract: "strict" },
          promptOverlays: { gpt5: { personality: "grumpy" } },
          models: { "openai/gpt-5.4": { params: { transport: "http", serviceTier: "scale" } } },
        },
      },
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'agents.defaults.models["openai/gpt-5.4"].params.serviceTier',
        'agents.defaults.models["openai/gpt-5.4"].params.transport',
        "agents.defaults.embeddedHarness.runtime",
        "agents.defaults.embeddedPi.executionContract",
        "agents.defaults.promptOverlays.gpt5.personality",
      ].sort(),
    );
  });

  it("rejects malformed model refs, in values and in record keys", () => {
    const issues = issuesOf({ agents: { defaults: { model: { primary: "gpt-5.4" }, models: { "gpt-5.4": {} } } } });
    expect(issues.map((i) => i.path).sort()).toEqual(["agents.defaults.model.primary", 'agents.defaults.models["gpt-5.4"]']);
  });

  it("refuses credentials inside a base URL without echoing them", () => {
    const issues = issuesOf({ models: { providers: { openai: { baseUrl: "https://user:sk-secret-canary@example.com/v1" } } } });
    expect(issues[0]?.path).toBe("models.providers.openai.baseUrl");
    expect(JSON.stringify(issues)).not.toContain("sk-secret-canary");
  });

  it("rejects prototype-polluting keys wherever they are", () => {
    const document = JSON5.parse('{ agents: { defaults: { __proto__: { x: 1 } } }, env: { constructor: "x" } }');
    const issues = issuesOf(document);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["forbidden_key", "agents.defaults.__proto__"],
      ["forbidden_key", "env.constructor"],
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("throws a ConfigValidationError listing every issue, without values", () => {
    const secret = "sk-canary-value-123456";
    try {
      validateConfig({ env: { OPENAI_API_KEY: 42 }, models: { providers: { openai: { apiKey: secret, bogus: secret } } } }, "/tmp/x.json5");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const e = error as ConfigValidationError;
      expect(e.code).toBe("config_invalid");
      expect(e.file).toBe("/tmp/x.json5");
      expect(e.issues.map((i) => i.path).sort()).toEqual(["env.OPENAI_API_KEY", "models.providers.openai.bogus"]);
      expect(e.message).toContain("/tmp/x.json5");
      expect(`${e.message} ${String(e.hint)}`).not.toContain(secret);
    }
  });

  it("infers types from the schema", () => {
    const parsed = configSchema.parse({ agents: { defaults: { model: { primary: "openai/gpt-5.4" } } } });
    const primary: string | undefined = parsed.agents?.defaults?.model?.primary;
    expect(primary).toBe("openai/gpt-5.4");
  });
});

describe("suggestions", () => {
  it("computes edit distance", () => {
    expect(levenshtein("modle", "model")).toBe(2);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("same", "same")).toBe(0);
  });

  it("prefers case-only matches and gives up on distant keys", () => {
    expect(closestKey("FastMode", ["fastMode", "fastmodes"])).toBe("fastMode");
    expect(closestKey("xyz", ["transport", "serviceTier"])).toBeUndefined();
  });

  it("formats paths", () => {
    expect(formatConfigPath([])).toBe("(root)");
    expect(formatConfigPath(["a", "openai/gpt-5.4", "b", 0, "c", "1x"])).toBe('a["openai/gpt-5.4"].b[0].c["1x"]');
  });
});

describe("tools.web.search", () => {
  it("accepts the whole block and keeps its values", () => {
    const config = validateConfig(load(join(fixtures, "all-paths.json5")));
    expect(config.tools?.web?.search).toEqual({ enabled: true, provider: "openai", mode: "cached", contextSize: "high", allowedDomains: ["docs.python.org", "nodejs.org"] });
  });

  it.each([
    ["enabled", { enabled: "yes" }],
    ["mode", { mode: "fresh" }],
    ["contextSize", { contextSize: "huge" }],
    ["provider", { provider: "" }],
    ["allowedDomains", { allowedDomains: "docs.python.org" }],
    ["allowedDomains[1]", { allowedDomains: ["docs.python.org", "https://nodejs.org/api"] }],
  ])("rejects a bad %s with the full path", (field, search) => {
    const issues = issuesOf({ tools: { web: { search } } });
    expect(issues.map((i) => i.path)).toEqual([`tools.web.search.${field}`]);
  });

  it("says what the mode may be and suggests the key for a typo", () => {
    expect(issuesOf({ tools: { web: { search: { mode: "fresh" } } } })[0]?.message).toContain('"cached" or "live"');
    const typo = issuesOf({ tools: { web: { search: { enabeld: true } } } })[0];
    expect([typo?.path, typo?.suggestion]).toEqual(["tools.web.search.enabeld", "tools.web.search.enabled"]);
  });
});
