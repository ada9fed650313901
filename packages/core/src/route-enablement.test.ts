import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { RouteAuth, RouteConfig } from "./_route-config.js";
import { listCatalog, lookupModel, mergeLiveModels } from "./catalog.js";
import { ConfigError, RouteError } from "./errors.js";
import { explainRoute } from "./explain-route.js";
import { assertPluginEnabled, isPluginEnabled } from "./plugin-gate.js";
import { assertRouteReady, resolveRoute } from "./route.js";
import { validateConfig } from "./validate-config.js";

/**
 * How a catalog row that is not yet on the public API (openai/gpt-5.5) becomes usable, the
 * built-in OpenAI-compatible proxies, and the bundled-plugin switches.
 */
const KEY: RouteAuth = { apiKeys: { openai: { source: "env" } }, oauth: {} };
const codes = (route: ReturnType<typeof resolveRoute>) => route.blockers.map((b) => b.code);
const reason = (route: ReturnType<typeof resolveRoute>, field: string) => route.reasons.find((r) => r.field === field)?.why;

describe("openai/gpt-5.5 on an API key", () => {
  it("stays blocked with the fix spelled out while nothing vouches for it", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.5", auth: KEY });
    expect(codes(route)).toEqual(["model_not_api_enabled"]);
    const error = (() => {
      try {
        assertRouteReady(route);
      } catch (e) {
        return e as RouteError;
      }
    })()!;
    expect(error).toBeInstanceOf(RouteError);
    expect(error.code).toBe("model_not_api_enabled");
    expect(error.hint).toContain("openai-codex/gpt-5.5");
    expect(error.hint).toContain('models.providers.openai.models (e.g. [{ id: "gpt-5.5" }])');
    // A live listing that does not include it changes nothing.
    expect(codes(resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, live: [{ provider: "openai", id: "gpt-5.4" }, { provider: "openai-codex", id: "gpt-5.5" }] }))).toEqual(["model_not_api_enabled"]);
  });

  it("a row declared under models.providers.openai.models lifts the block (config validates)", () => {
    const config = validateConfig({ models: { providers: { openai: { models: [{ id: "gpt-5.5" }] } } } });
    expect(lookupModel("openai", "gpt-5.5", { config })).toMatchObject({ apiEnabled: true, configured: true, source: "builtin", contextWindow: 1_000_000 });
    const route = resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, config });
    expect(route.blockers).toEqual([]);
    expect(route).toMatchObject({ authKind: "api_key", endpointClass: "native-openai", contextTokens: 272_000 });
    expect(reason(route, "apiEnabled")).toContain("declared under models.providers.openai.models");
    expect(explainRoute(route)).not.toContain("not yet on the public API");
    // Declaring another model does not enable this one.
    const other: RouteConfig = { models: { providers: { openai: { models: [{ id: "gpt-5.4", contextTokens: 100_000 }] } } } };
    expect(codes(resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, config: other }))).toEqual(["model_not_api_enabled"]);
  });

  it("a live /v1/models listing that includes it lifts the block", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, live: [{ provider: "openai", id: "gpt-5.5" }] });
    expect(route.blockers).toEqual([]);
    expect(route.model.apiEnabled).toBe(true);
    expect(reason(route, "apiEnabled")).toBe("the live openai model listing includes gpt-5.5");
    const merged = mergeLiveModels(listCatalog({ provider: "openai" }), [{ provider: "openai", id: "gpt-5.5" }]);
    expect(merged.find((r) => r.ref === "openai/gpt-5.5")).toMatchObject({ live: "listed", apiEnabled: true });
    expect(merged.find((r) => r.ref === "openai/gpt-5.4")).toMatchObject({ live: "missing" });
  });

  it("an endpoint forced to native-openai gets the same gate; other endpoints never had it", () => {
    const forced: RouteConfig = { models: { providers: { openai: { baseUrl: "http://127.0.0.1:9/v1", endpointClass: "native-openai" } } } };
    expect(codes(resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, config: forced }))).toEqual(["model_not_api_enabled"]);
    const local: RouteConfig = { models: { providers: { openai: { baseUrl: "http://127.0.0.1:9/v1" } } } };
    expect(codes(resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, config: local }))).toEqual([]);
  });
});

describe("live metadata in mergeLiveModels", () => {
  it("the listing's context window wins over the built-in figure, config wins over both", () => {
    const live = [{ provider: "openai-codex", id: "gpt-5.4", contextWindow: 400_000 }, { provider: "openai-codex", id: "gpt-5.9", contextWindow: 600_000, name: "GPT-5.9" }];
    const merged = mergeLiveModels(listCatalog({ provider: "openai-codex" }), live);
    expect(merged.find((r) => r.id === "gpt-5.4")).toMatchObject({ contextWindow: 400_000, live: "listed" });
    expect(merged.find((r) => r.id === "gpt-5.9")).toMatchObject({ contextWindow: 600_000, name: "GPT-5.9", live: "live-only", source: "live" });
    const config: RouteConfig = { models: { providers: { "openai-codex": { models: [{ id: "gpt-5.4", contextWindow: 900_000 }] } } } };
    const configured = mergeLiveModels(listCatalog({ provider: "openai-codex", config }), live, { config });
    expect(configured.find((r) => r.id === "gpt-5.4")).toMatchObject({ contextWindow: 900_000, live: "listed" });
  });
});

describe("built-in OpenAI-compatible proxies", () => {
  it("openrouter/openai/gpt-5.5 resolves with no config: compat Chat Completions, GPT-5 overlay, OPENROUTER_API_KEY", () => {
    const route = resolveRoute({ ref: "openrouter/openai/gpt-5.5", env: { OPENROUTER_API_KEY: "sk-or-v1-abcdefabcdefabcdef" } });
    expect(route).toMatchObject({
      provider: "openrouter", modelId: "openai/gpt-5.5", baseUrl: "https://openrouter.ai/api/v1", endpointClass: "compat",
      api: "chat-completions", transport: "sse", authKind: "api_key", authSource: "env", overlays: { gpt5: true }, blockers: [],
    });
    expect(route.model).toMatchObject({ source: "generic", compat: { supportsStore: false, supportsServiceTier: false, supportsStrictTools: false, supportsPromptCacheKey: false } });
    expect(route.serviceTier).toBeUndefined();
    const text = explainRoute(route);
    expect(text).toContain("OpenRouter is a built-in OpenAI-compatible proxy");
    expect(text).toContain("built-in OpenRouter endpoint");
    expect(text).not.toContain("sk-or-v1");
  });

  it("opencode/gpt-5.5 resolves to the OpenCode Zen gateway with OPENCODE_API_KEY", () => {
    const route = resolveRoute({ ref: "opencode/gpt-5.5", env: { OPENCODE_API_KEY: "oc-key-0123456789" } });
    expect(route).toMatchObject({ provider: "opencode", baseUrl: "https://opencode.ai/zen/v1", endpointClass: "compat", api: "chat-completions", authKind: "api_key", overlays: { gpt5: true }, blockers: [] });
  });

  it("without a key the route says which variable to set; config overrides URL and api", () => {
    const missing = resolveRoute({ ref: "opencode/gpt-5.5" });
    expect(missing.blockers[0]).toMatchObject({ code: "api_key_missing", hint: 'Set OPENCODE_API_KEY or models.providers["opencode"].apiKey.' });
    const config: RouteConfig = { models: { providers: { openrouter: { baseUrl: "https://gateway.example.com/v1", api: "openai-responses" } } } };
    const custom = resolveRoute({ ref: "openrouter/openai/gpt-5.5", config, env: { OPENROUTER_API_KEY: "k" } });
    expect(custom).toMatchObject({ baseUrl: "https://gateway.example.com/v1", api: "responses", endpointClass: "compat" });
  });

  it("a truly unknown provider still fails, listing the built-in proxies among the known ones", () => {
    expect(() => resolveRoute({ ref: "zzzz/gpt-5.5" })).toThrow(expect.objectContaining({ code: "unknown_provider", hint: expect.stringMatching(/openrouter.*opencode|opencode.*openrouter/) }));
  });
});

describe("plugins.entries.<id>.enabled", () => {
  const off = (id: "openai" | "voice-call"): RouteConfig => validateConfig({ plugins: { entries: { [id]: { enabled: false } } } });

  it("openai: false blocks every openai/* route first, naming the key and the fix", () => {
    for (const ref of ["openai/gpt-5.4", "openai/gpt-image-2", "openai/gpt-5.5"]) {
      const route = resolveRoute({ ref, auth: KEY, config: off("openai") });
      expect(route.blockers[0], ref).toMatchObject({ code: "plugin_disabled" });
      expect(() => assertRouteReady(route)).toThrow(expect.objectContaining({
        code: "plugin_disabled",
        message: expect.stringContaining("plugins.entries.openai.enabled is false"),
        hint: "Run 'genesis config set plugins.entries.openai.enabled true' (or remove the key) to turn it back on.",
      }));
    }
    expect(explainRoute(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: off("openai") }))).toContain("plugin = openai: disabled");
  });

  it("leaves other providers, and openai with enabled true or unset, alone", () => {
    expect(codes(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: { oauth: { "openai-codex": { accountId: "a", expiresAt: 1 } } }, config: off("openai") }))).toEqual([]);
    expect(codes(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: { plugins: { entries: { openai: { enabled: true } } } } }))).toEqual([]);
    expect(codes(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: off("voice-call") }))).toEqual([]);
  });

  it("isPluginEnabled / assertPluginEnabled expose the switch to media and voice consumers", () => {
    expect(isPluginEnabled(undefined, "voice-call")).toBe(true);
    expect(isPluginEnabled({ plugins: { entries: { "voice-call": {} } } }, "voice-call")).toBe(true);
    expect(isPluginEnabled(off("voice-call"), "voice-call")).toBe(false);
    expect(isPluginEnabled(off("voice-call"), "openai")).toBe(true);
    const error = (() => {
      try {
        assertPluginEnabled(off("voice-call"), "voice-call", "Realtime voice (realtime.provider openai)");
      } catch (e) {
        return e as ConfigError;
      }
    })()!;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.voice-call.enabled" });
    expect(error.message).toBe("Realtime voice (realtime.provider openai) needs the voice-call plugin, which config turns off (plugins.entries.voice-call.enabled is false).");
    expect(inspect(error)).toContain("plugin_disabled");
    expect(() => assertPluginEnabled(off("openai"), "openai", "image_generate")).toThrow(expect.objectContaining({ path: "plugins.entries.openai.enabled" }));
    expect(() => assertPluginEnabled(undefined, "openai")).not.toThrow();
  });
});

describe("live-only models", () => {
  it("a model only the live listing has resolves as a live row (e.g. a new Codex model)", () => {
    const auth: RouteAuth = { oauth: { "openai-codex": { accountId: "a", expiresAt: 4102444800000 } } };
    expect(() => resolveRoute({ ref: "openai-codex/gpt-5.3-codex", auth })).toThrow(expect.objectContaining({ code: "unknown_model" }));
    const route = resolveRoute({ ref: "openai-codex/gpt-5.3-codex", auth, live: [{ provider: "openai-codex", id: "gpt-5.3-codex", contextWindow: 400_000, name: "GPT-5.3 Codex" }] });
    expect(route).toMatchObject({ blockers: [], contextWindow: 400_000, authKind: "codex_oauth", model: { source: "live", name: "GPT-5.3 Codex", compat: { supportsStore: false } } });
  });
});
