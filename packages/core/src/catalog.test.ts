import { afterEach, describe, expect, it } from "vitest";
import {
  createCatalog, defaultCatalog, listCatalog, lookupModel, mergeLiveModels, registerCatalogRecovery, requireModel,
  type CatalogRecovery,
} from "./catalog.js";
import { closeMatches } from "./_close-matches.js";
import { RouteError } from "./errors.js";
import { parseModelRef } from "./model-ref.js";
import { resolveRoute } from "./route.js";

const SIGNED_IN = { oauth: { "openai-codex": { accountId: "acct_1", expiresAt: 4102444800000 } } };

/** What the codex-oauth package will register: synthesize gpt-5.5 rows while signed in. */
const codexRecovery: CatalogRecovery = ({ modelId, auth }) => {
  if (!auth?.oauth?.["openai-codex"] || !/^gpt-5\.\d+$/.test(modelId)) return undefined;
  const template = defaultCatalog().get("openai-codex", "gpt-5.5")!;
  return { ...template, id: modelId, provider: "openai-codex", name: `${modelId} (recovered)` };
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe("built-in catalog", () => {
  it("has the spec's models with context metadata and capabilities", () => {
    const codex = lookupModel("openai-codex", "gpt-5.5")!;
    expect(codex).toMatchObject({ contextWindow: 1_000_000, contextTokens: 272_000, source: "builtin" });
    expect(codex.compat.supportsStore).toBe(false);
    expect(lookupModel("openai", "gpt-5.5")).toMatchObject({ apiEnabled: false });
    expect(lookupModel("openai", "gpt-image-2")!.capabilities).toMatchObject({ image: true, text: false });
    expect(lookupModel("openai", "gpt-4.1")!.capabilities).toMatchObject({ reasoning: false, text: true });
    expect(lookupModel("openai", "gpt-5.4")!.capabilities).toMatchObject({ reasoning: true, supportsReasoningEffortNone: true, tools: true });
    for (const id of ["gpt-5.4-mini", "gpt-image-1", "sora-2", "gpt-4o-mini-tts", "tts-1", "tts-1-hd", "gpt-4o-transcribe", "gpt-realtime-1.5", "text-embedding-3-small", "text-embedding-3-large"]) {
      expect(lookupModel("openai", id), id).toBeDefined();
    }
    expect(lookupModel("azure-openai-responses", "gpt-5.5")).toBeDefined();
  });

  it("explains excluded refs", () => {
    const error = (() => {
      try {
        requireModel(parseModelRef("openai/gpt-5.3-codex-spark"));
      } catch (e) {
        return e as RouteError;
      }
    })()!;
    expect(error).toBeInstanceOf(RouteError);
    expect(error.code).toBe("model_excluded");
    expect(error.message).toContain("public OpenAI API rejects");
    expect(error.hint).toContain("openai-codex/gpt-5.5");
  });

  it("lists close matches for an unknown model on a known provider", () => {
    expect(() => requireModel(parseModelRef("openai/gpt-5.45"))).toThrow(expect.objectContaining({ code: "unknown_model", hint: expect.stringContaining("openai/gpt-5.4") }));
    expect(() => requireModel(parseModelRef("openai-codex/gtp-5.5"))).toThrow(expect.objectContaining({ hint: expect.stringContaining("openai-codex/gpt-5.5") }));
    expect(() => requireModel(parseModelRef("opena/gpt-5.4"))).toThrow(expect.objectContaining({ code: "unknown_provider", hint: expect.stringContaining("openai/gpt-5.4") }));
  });

  it("closeMatches ranks exact, substring, then edit distance", () => {
    expect(closeMatches("gpt-5.4", ["gpt-5.4-mini", "gpt-5.4", "gpt-4.1"])).toEqual(["gpt-5.4", "gpt-5.4-mini", "gpt-4.1"]);
    expect(closeMatches("zzzzzz", ["gpt-5.4"])).toEqual([]);
  });
});

describe("config rows", () => {
  it("extend a provider with new models and override catalog figures", () => {
    const config = { models: { providers: { openai: { models: [{ id: "gpt-5.6-preview", contextWindow: 500_000, name: "Preview", maxTokens: 64_000 }, { id: "gpt-5.4", contextWindow: 900_000 }] } } } };
    expect(lookupModel("openai", "gpt-5.6-preview", { config })).toMatchObject({ name: "Preview", maxOutputTokens: 64_000 });
    expect(lookupModel("openai", "gpt-5.6-preview", { config })).toMatchObject({ source: "config", contextWindow: 500_000, configured: true });
    expect(lookupModel("openai", "gpt-5.6-preview", { config })!.capabilities.reasoning).toBe(true);
    expect(lookupModel("openai", "gpt-5.4", { config })).toMatchObject({ source: "builtin", contextWindow: 900_000, configured: true });
    const listed = listCatalog({ config, provider: "openai" }).map((row) => row.id);
    expect(listed).toContain("gpt-5.6-preview");
    expect(listed.filter((id) => id === "gpt-5.4")).toHaveLength(1);
    expect(listCatalog({ provider: "openai-codex" }).every((row) => row.provider === "openai-codex")).toBe(true);
  });
});

describe("catalog recovery", () => {
  it("synthesizes a row only when the hook vouches for it", () => {
    const catalog = createCatalog({ recoveries: { "openai-codex": codexRecovery } });
    expect(lookupModel("openai-codex", "gpt-5.6", { catalog, auth: SIGNED_IN })).toMatchObject({ source: "recovered", ref: "openai-codex/gpt-5.6", contextWindow: 1_000_000 });
    expect(lookupModel("openai-codex", "gpt-5.6", { catalog, auth: {} })).toBeUndefined();
    expect(() => requireModel(parseModelRef("openai-codex/gpt-5.6"), { catalog, auth: {} })).toThrow(expect.objectContaining({ code: "unknown_model" }));
  });

  it("registerCatalogRecovery feeds the default catalog and route resolution, and unregisters", () => {
    const off = registerCatalogRecovery("openai-codex", codexRecovery);
    const route = resolveRoute({ ref: "openai-codex/gpt-5.6", auth: SIGNED_IN });
    expect(route.model.source).toBe("recovered");
    expect(route.reasons[0]).toMatchObject({ field: "model", why: "recovered row" });
    off();
    expect(() => resolveRoute({ ref: "openai-codex/gpt-5.6", auth: SIGNED_IN })).toThrow(expect.objectContaining({ code: "unknown_model" }));
  });
});

describe("mergeLiveModels", () => {
  it("annotates queried providers, recovers omitted rows and appends live-only ids", () => {
    const rows = listCatalog();
    const live = [
      { provider: "openai", id: "gpt-5.4" },
      { provider: "openai", id: "gpt-5.9-experimental", contextWindow: 123_000 },
      { provider: "openai-codex", id: "gpt-5.4" },
    ];
    const catalog = createCatalog({ recoveries: { "openai-codex": codexRecovery } });
    const merged = mergeLiveModels(rows, live, { catalog, auth: SIGNED_IN });
    const find = (ref: string) => merged.find((row) => row.ref === ref);
    expect(find("openai/gpt-5.4")?.live).toBe("listed");
    expect(find("openai/gpt-4.1")?.live).toBe("missing");
    expect(find("openai-codex/gpt-5.5")).toMatchObject({ live: "recovered", source: "recovered" });
    expect(find("openai/gpt-5.9-experimental")).toMatchObject({ live: "live-only", source: "live", contextWindow: 123_000 });
    expect(find("azure-openai-responses/gpt-5.5")?.live).toBeUndefined();

    const signedOut = mergeLiveModels(rows, live, { catalog, auth: {} });
    expect(signedOut.find((row) => row.ref === "openai-codex/gpt-5.5")?.live).toBe("missing");
  });
});
