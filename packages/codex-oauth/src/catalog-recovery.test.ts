import { createCatalog, defaultCatalog, listCatalog, mergeLiveModels, parseModelRef, requireModel, type RouteAuth } from "@genesis/core";
import { describe, expect, it } from "vitest";
import { codexCatalogRecovery, registerCodexCatalogRecovery } from "./catalog-recovery.js";

const signedIn: RouteAuth = { oauth: { "openai-codex": { accountId: "acct_1", expiresAt: 2_000_000_000_000 } } };
const signedOut: RouteAuth = { oauth: {} };

describe("openai-codex catalog recovery", () => {
  it("synthesizes gpt-5.5 when live discovery omits it while signed in", () => {
    const catalog = createCatalog({ recoveries: { "openai-codex": codexCatalogRecovery } });
    const rows = listCatalog({ provider: "openai-codex", catalog });
    const merged = mergeLiveModels(rows, [{ provider: "openai-codex", id: "gpt-5.4" }], { catalog, auth: signedIn });
    const row = merged.find((r) => r.ref === "openai-codex/gpt-5.5")!;
    expect(row).toMatchObject({ live: "recovered", source: "recovered", contextWindow: 1_000_000, contextTokens: 272_000, apiEnabled: true });
    expect(row.compat.supportsStore).toBe(false);
    const out = mergeLiveModels(rows, [{ provider: "openai-codex", id: "gpt-5.4" }], { catalog, auth: signedOut });
    expect(out.find((r) => r.ref === "openai-codex/gpt-5.5")!.live).toBe("missing");
  });

  it("keeps routing openai-codex/gpt-5.5 when the catalog lacks it, only while signed in", () => {
    const catalog = createCatalog({ entries: defaultCatalog().entries.filter((e) => e.ref !== "openai-codex/gpt-5.5"), recoveries: { "openai-codex": codexCatalogRecovery } });
    const ref = parseModelRef("openai-codex/gpt-5.5");
    expect(requireModel(ref, { catalog, auth: signedIn })).toMatchObject({ ref: "openai-codex/gpt-5.5", contextTokens: 272_000, source: "recovered" });
    expect(() => requireModel(ref, { catalog, auth: signedOut })).toThrow(/Unknown model/);
  });

  it("honours a configured contextTokens cap and never vouches for other models", () => {
    const config = { models: { providers: { "openai-codex": { models: [{ id: "gpt-5.5", contextTokens: 160_000 }] } } } };
    expect(codexCatalogRecovery({ provider: "openai-codex", modelId: "gpt-5.5", auth: signedIn, config })!.contextTokens).toBe(160_000);
    expect(codexCatalogRecovery({ provider: "openai-codex", modelId: "gpt-9", auth: signedIn })).toBeUndefined();
    expect(codexCatalogRecovery({ provider: "openai", modelId: "gpt-5.5", auth: signedIn })).toBeUndefined();
  });

  it("registers in (and unregisters from) the default catalog", () => {
    const unregister = registerCodexCatalogRecovery();
    try {
      expect(defaultCatalog().recover({ provider: "openai-codex", modelId: "gpt-5.5", auth: signedIn })?.source).toBe("recovered");
    } finally {
      unregister();
    }
    expect(defaultCatalog().recover({ provider: "openai-codex", modelId: "gpt-5.5", auth: signedIn })).toBeUndefined();
  });
});
