import { describe, expect, it } from "vitest";
import type { RouteAuth, RouteConfig } from "./_route-config.js";
import type { AuthSnapshot } from "./auth-snapshot.js";
import type { GenesisConfig } from "./config-schema.js";
import { validateConfig } from "./validate-config.js";
import { resolveRoute } from "./route.js";
import type { SessionRecord } from "./session-store.js";

const KEY: RouteAuth = { apiKeys: { openai: { source: "env" } }, oauth: {} };
const CODEX: RouteAuth = { apiKeys: {}, oauth: { "openai-codex": { accountId: "acct_1", expiresAt: 4102444800000 } } };
const LOCAL = "http://127.0.0.1:4010/v1";

function reason(route: ReturnType<typeof resolveRoute>, field: string): string {
  return route.reasons.find((r) => r.field === field)?.why ?? "";
}

describe("params layering: catalog < config < session", () => {
  it("starts from catalog defaults", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY });
    expect(route.params).toEqual({ transport: "auto", openaiWsWarmup: true, responsesServerCompaction: true });
    expect(reason(route, "params.transport")).toBe("catalog default for this provider");
  });

  it("config overrides catalog and the session overrides config", () => {
    const config = validateConfig({
      agents: { defaults: { models: { "openai/gpt-5.4": { params: { transport: "sse", openaiWsWarmup: false, fastMode: true, extra_body: { top_k: 5 } } } } } },
    });
    const fromConfig = resolveRoute({ ref: "openai/gpt-5.4", config, auth: KEY });
    expect(fromConfig.params).toMatchObject({ transport: "sse", openaiWsWarmup: false, fastMode: true, extraBody: { top_k: 5 } });
    expect(fromConfig.transport).toBe("sse");
    expect(reason(fromConfig, "params.transport")).toBe('config agents.defaults.models["openai/gpt-5.4"].params');

    const session = { overrides: { transport: "websocket", fastMode: "off" } };
    const overridden = resolveRoute({ ref: "openai/gpt-5.4", config, auth: KEY, session });
    expect(overridden.params).toMatchObject({ transport: "websocket", openaiWsWarmup: false, fastMode: false });
    expect(overridden.transport).toBe("websocket");
    expect(overridden.fastMode).toBe(false);
    expect(overridden.serviceTier).toBeUndefined();
    expect(reason(overridden, "params.transport")).toBe("session override (wins over config)");

    // Clearing the override returns to the configured default.
    const cleared = resolveRoute({ ref: "openai/gpt-5.4", config, auth: KEY, session: { overrides: {} } });
    expect(cleared.params.transport).toBe("sse");
  });

  it("rejects bad session overrides with a typed error", () => {
    expect(() => resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, session: { overrides: { serviceTier: "turbo" } } }))
      .toThrow(expect.objectContaining({ code: "invalid_param", hint: "Use auto, default, flex or priority." }));
    expect(() => resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, session: { overrides: { responsesCompactThreshold: 10 } } }))
      .toThrow(expect.objectContaining({ code: "invalid_param" }));
  });

  it("server-side compaction defaults on only for direct api.openai.com", () => {
    const local = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: { models: { providers: { openai: { baseUrl: LOCAL } } } } });
    expect(local.params.responsesServerCompaction).toBeUndefined();
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX }).params.responsesServerCompaction).toBeUndefined();
    const harness: RouteConfig = { agents: { defaults: { embeddedHarness: { runtime: "codex" } } } };
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: harness }).params.responsesServerCompaction).toBeUndefined();
  });
});

describe("fast mode and service tier", () => {
  const fast = (params: Record<string, unknown>, providers?: Record<string, unknown>): RouteConfig => ({
    agents: { defaults: { models: { "openai/gpt-5.4": { params }, "openai-codex/gpt-5.5": { params } } } },
    models: providers ? { providers } : undefined,
  });

  it("fast mode maps to priority on native OpenAI and Codex", () => {
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: fast({ fastMode: true }) })).toMatchObject({ fastMode: true, serviceTier: "priority" });
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: fast({ fastMode: true }) })).toMatchObject({ fastMode: true, serviceTier: "priority" });
  });

  it("an explicit service tier is preserved under fast mode", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: fast({ fastMode: true, serviceTier: "flex" }) });
    expect(route).toMatchObject({ fastMode: true, serviceTier: "flex" });
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: fast({ serviceTier: "default" }) }).serviceTier).toBe("default");
  });

  it("a session can turn fast mode on with /fast on", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, session: { overrides: { fastMode: "on" } } });
    expect(route).toMatchObject({ fastMode: true, serviceTier: "priority" });
  });

  it("service_tier is not sent through proxies or local endpoints", () => {
    const proxy = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: fast({ fastMode: true }, { openai: { baseUrl: "https://proxy.example.com/v1" } }) });
    expect(proxy.endpointClass).toBe("compat");
    expect(proxy.fastMode).toBe(true);
    expect(proxy.serviceTier).toBeUndefined();
    expect(reason(proxy, "serviceTier")).toContain("only forwarded to api.openai.com");
  });

  it("endpointClass config forces native shaping on a local emulator", () => {
    const route = resolveRoute({
      ref: "openai/gpt-5.4", auth: KEY,
      config: fast({ fastMode: true }, { openai: { baseUrl: LOCAL, endpointClass: "native-openai" } }),
    });
    expect(route).toMatchObject({ endpointClass: "native-openai", baseUrl: LOCAL, serviceTier: "priority" });
    expect(route.params.responsesServerCompaction).toBe(true);
    expect(reason(route, "endpointClass")).toContain("overrides host detection");
  });
});

describe("personality", () => {
  const withShared = (personality: string): RouteConfig => ({ agents: { defaults: { promptOverlays: { gpt5: { personality } } } } });
  const withLegacy = (personality: string): RouteConfig => ({ plugins: { entries: { openai: { config: { personality } } } } });
  const cases: [string, RouteConfig | undefined, boolean][] = [
    ["default is friendly", undefined, true],
    ["friendly", withShared("friendly"), true],
    ["on aliases friendly", withShared("on"), true],
    ["ON in any case", withShared("ON"), true],
    ["off", withShared("off"), false],
    ["Off is case-insensitive", withShared("Off"), false],
    ["legacy key as fallback", withLegacy("off"), false],
    ["shared key wins over legacy", { ...withLegacy("off"), ...withShared("friendly") }, true],
  ];
  it.each(cases)("%s", (_name, config, friendly) => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config });
    expect(route.overlays).toMatchObject({ gpt5: true, friendly });
  });

  it("a session override wins and unknown values are rejected", () => {
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, session: { overrides: { personality: "OFF" } } }).overlays.friendly).toBe(false);
    expect(() => resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: withShared("grumpy") })).toThrow(expect.objectContaining({ code: "invalid_param" }));
  });
});

describe("GPT-5 overlay matching by model id", () => {
  it.each([
    ["openai-codex/gpt-5.5", {}, true],
    ["openai/gpt-5.4", {}, true],
    ["openrouter/openai/gpt-5.5", { openrouter: {} }, true],
    ["opencode/gpt-5.5", { opencode: { baseUrl: "https://opencode.example.com/v1" } }, true],
    ["openai/gpt-4.1", {}, false],
    ["openai/gpt-image-2", {}, false],
  ] as const)("%s -> %s", (ref, providers, gpt5) => {
    const route = resolveRoute({ ref, auth: { ...KEY, ...CODEX, apiKeys: { openai: { source: "env" }, openrouter: { source: "env" }, opencode: { source: "env" } } }, config: { models: { providers } } });
    expect(route.overlays.gpt5).toBe(gpt5);
    if (!gpt5) expect(route.overlays.friendly).toBe(false);
  });

  it("OpenAI-compatible providers route as compat Chat Completions", () => {
    const route = resolveRoute({ ref: "openrouter/openai/gpt-5.5", auth: { apiKeys: { openrouter: { source: "env" } } }, config: { models: { providers: { openrouter: {} } } } });
    expect(route).toMatchObject({ provider: "openrouter", modelId: "openai/gpt-5.5", endpointClass: "compat", api: "chat-completions", transport: "sse", authKind: "api_key", baseUrl: "https://openrouter.ai/api/v1" });
    expect(route.model.compat.supportsStrictTools).toBe(false);
  });
});

describe("contextTokens", () => {
  const codexModel = (row: Record<string, unknown>): RouteConfig => ({ models: { providers: { "openai-codex": { models: [{ id: "gpt-5.5", ...row }] } } } });

  it("defaults to the catalog cap and keeps the native window", () => {
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX })).toMatchObject({ contextWindow: 1_000_000, contextTokens: 272_000 });
  });

  it("per-model config overrides it (spec example)", () => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: codexModel({ contextTokens: 160_000 }) });
    expect(route).toMatchObject({ contextWindow: 1_000_000, contextTokens: 160_000 });
    expect(reason(route, "contextTokens")).toContain("contextTokens");
  });

  it("per-model beats agents.defaults.contextTokens, which beats the catalog", () => {
    const defaults: RouteConfig = { agents: { defaults: { contextTokens: 200_000 } } };
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: defaults }).contextTokens).toBe(200_000);
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: { ...defaults, ...codexModel({ contextTokens: 150_000 }) } }).contextTokens).toBe(150_000);
  });

  it("is capped at contextWindow, including a config-lowered window", () => {
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: codexModel({ contextTokens: 2_000_000 }) }).contextTokens).toBe(1_000_000);
    const lowered = resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config: codexModel({ contextWindow: 100_000 }) });
    expect(lowered).toMatchObject({ contextWindow: 100_000, contextTokens: 100_000 });
    expect(reason(lowered, "contextTokens")).toContain("capped at contextWindow");
  });
});

describe("endpoint and base URL", () => {
  it("OPENAI_BASE_URL overrides the default; config env is only a fallback", () => {
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, env: { OPENAI_BASE_URL: LOCAL } })).toMatchObject({ baseUrl: LOCAL, endpointClass: "local" });
    const config: RouteConfig = { env: { OPENAI_BASE_URL: "https://proxy.example.com/v1" } };
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config }).endpointClass).toBe("compat");
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config, env: { OPENAI_BASE_URL: LOCAL } }).baseUrl).toBe(LOCAL);
    // models.providers.openai.baseUrl beats the environment.
    const both = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, env: { OPENAI_BASE_URL: LOCAL }, config: { models: { providers: { openai: { baseUrl: "https://api.openai.com/v1" } } } } });
    expect(both.endpointClass).toBe("native-openai");
  });

  it("an OPENAI_API_KEY in the env counts as a key even without an auth snapshot", () => {
    expect(resolveRoute({ ref: "openai/gpt-5.4", env: { OPENAI_API_KEY: "sk-env-key-123456" } })).toMatchObject({ authKind: "api_key", authSource: "env" });
    expect(resolveRoute({ ref: "openai/gpt-5.4", config: { env: { OPENAI_API_KEY: "sk-cfg-key-123456" } } }).authKind).toBe("api_key");
  });

  it("invalid base URLs and endpoint classes are typed errors", () => {
    expect(() => resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: { models: { providers: { openai: { baseUrl: "not a url" } } } } }))
      .toThrow(expect.objectContaining({ code: "invalid_base_url" }));
    expect(() => resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: { models: { providers: { openai: { endpointClass: "native" } } } } }))
      .toThrow(expect.objectContaining({ code: "invalid_param" }));
  });
});

describe("runtime and execution contract", () => {
  it("a session keeps its recorded harness for openai/*", () => {
    const session: SessionRecord = { id: "s1", createdAt: 1, runtime: "codex", harnessId: "codex-app-server", modelRef: "openai/gpt-5.4", overrides: {} };
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, session });
    expect(route).toMatchObject({ runtime: "codex", runtimeLabel: "OpenAI Codex" });
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, session }).runtime).toBe("pi");
  });

  it("strict-agentic applies to OpenAI/Codex GPT-5 runs on Pi only", () => {
    const config: RouteConfig = { agents: { defaults: { embeddedPi: { executionContract: "strict-agentic" } } } };
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config }).executionContract).toBe("strict-agentic");
    expect(resolveRoute({ ref: "openai-codex/gpt-5.5", auth: CODEX, config }).executionContract).toBe("strict-agentic");
    expect(resolveRoute({ ref: "openai/gpt-4.1", auth: KEY, config }).executionContract).toBe("default");
    const harness = { agents: { defaults: { ...config.agents!.defaults, embeddedHarness: { runtime: "codex" } } } };
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config: harness }).executionContract).toBe("default");
    expect(resolveRoute({ ref: "openai/gpt-5.4", auth: KEY }).executionContract).toBe("default");
  });

  it("config compat flags override catalog compat", () => {
    const config: RouteConfig = { models: { providers: { openai: { models: [{ id: "gpt-5.4", compat: { supportsStore: false, supportsReasoningEffortNone: false } }] } } } };
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY, config });
    expect(route.model.compat.supportsStore).toBe(false);
    expect(route.model.capabilities.supportsReasoningEffortNone).toBe(false);
    expect(route.model.configured).toBe(true);
  });
});

describe("purity", () => {
  it("does not mutate its inputs and is deterministic", () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === "object") {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
      }
      return value;
    };
    const config = deepFreeze(validateConfig({
      agents: { defaults: { models: { "openai/gpt-5.4": { params: { fastMode: true } } }, contextTokens: 100_000 } },
      models: { providers: { openai: { models: [{ id: "gpt-5.4", contextTokens: 90_000 }] } } },
    }));
    const auth = deepFreeze(structuredClone(KEY));
    const session = deepFreeze({ overrides: { transport: "sse" } });
    const a = resolveRoute({ ref: "openai/gpt-5.4", config, auth, session });
    const b = resolveRoute({ ref: "openai/gpt-5.4", config, auth, session });
    expect(a).toEqual(b);
    expect(a.contextTokens).toBe(90_000);
  });

  it("accepts the real config and auth snapshot types", () => {
    // Compile-time check: GenesisConfig and AuthSnapshot are assignable to the route inputs.
    const config: RouteConfig = {} as GenesisConfig;
    const auth: RouteAuth = { apiKeys: {}, oauth: {} } as AuthSnapshot;
    expect(resolveRoute({ ref: "openai/gpt-5.4", config, auth }).authKind).toBe("none");
  });
});

describe("Codex backend base URL forms", () => {
  const auth = { apiKeys: {}, oauth: { "openai-codex": { accountId: "acct_1", expiresAt: Date.now() + 3_600_000 } } };
  it.each([
    ["http://127.0.0.1:9/backend-api", "http://127.0.0.1:9/backend-api/codex"],
    ["http://127.0.0.1:9/backend-api/codex", "http://127.0.0.1:9/backend-api/codex"],
    ["http://127.0.0.1:9/backend-api/codex/responses/", "http://127.0.0.1:9/backend-api/codex"],
  ])("auth.openaiCodex.codexBaseUrl %s routes to %s", (codexBaseUrl, expected) => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", config: { auth: { openaiCodex: { codexBaseUrl } } }, auth });
    expect(route.baseUrl).toBe(expected);
  });

  it("falls back to env GENESIS_CODEX_BASE_URL", () => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", config: {}, auth, env: { GENESIS_CODEX_BASE_URL: "http://127.0.0.1:9/backend-api" } });
    expect(route.baseUrl).toBe("http://127.0.0.1:9/backend-api/codex");
  });
});
