import { describe, expect, it } from "vitest";
import type { RouteAuth, RouteConfig } from "./_route-config.js";
import { RouteError } from "./errors.js";
import { assertRouteReady, resolveRoute, type Route } from "./route.js";

/**
 * Every row of the spec's quick-choice and route-summary tables, plus the image table,
 * as (ref, config, auth) -> expected route fields.
 */
const KEY: RouteAuth = { apiKeys: { openai: { source: "env" } }, oauth: {} };
const CODEX: RouteAuth = { apiKeys: {}, oauth: { "openai-codex": { accountId: "acct_1", expiresAt: 4102444800000 } } };
const BOTH: RouteAuth = { apiKeys: KEY.apiKeys, oauth: CODEX.oauth };
const NONE: RouteAuth = { apiKeys: {}, oauth: {} };
const HARNESS: RouteConfig = { agents: { defaults: { embeddedHarness: { runtime: "codex" } } } };

interface Row {
  name: string;
  ref: string;
  config?: RouteConfig;
  auth: RouteAuth;
  expect: Partial<Pick<Route, "ref" | "provider" | "runtime" | "runtimeLabel" | "authKind" | "endpointClass" | "baseUrl" | "api" | "transport" | "contextWindow" | "contextTokens">>;
  blockers?: string[];
}

const OPENAI_API = { runtime: "pi", runtimeLabel: "Genesis Pi Default", authKind: "api_key", endpointClass: "native-openai", baseUrl: "https://api.openai.com/v1", api: "responses", transport: "auto" } as const;
const CODEX_PI = { runtime: "pi", runtimeLabel: "Genesis Pi Default", authKind: "codex_oauth", endpointClass: "native-codex", baseUrl: "https://chatgpt.com/backend-api/codex", api: "responses", transport: "auto" } as const;
const APP_SERVER = { runtime: "codex", runtimeLabel: "OpenAI Codex", authKind: "codex_app_server" } as const;

const ROWS: Row[] = [
  // Quick choice
  { name: "quick: direct API-key billing", ref: "openai/gpt-5.4", auth: KEY, expect: OPENAI_API },
  { name: "quick: GPT-5.5 on a Codex subscription", ref: "openai-codex/gpt-5.5", auth: CODEX, expect: { ...CODEX_PI, contextWindow: 1_000_000, contextTokens: 272_000 } },
  { name: "quick: GPT-5.5 with the native Codex app-server", ref: "openai/gpt-5.5", config: HARNESS, auth: NONE, expect: { ...APP_SERVER, provider: "openai" } },
  { name: "quick: images with an API key", ref: "openai/gpt-image-2", auth: KEY, expect: { runtime: "pi", authKind: "api_key", endpointClass: "native-openai", api: "images", baseUrl: "https://api.openai.com/v1" } },
  { name: "quick: images with a Codex sign-in", ref: "openai/gpt-image-2", auth: CODEX, expect: { runtime: "pi", authKind: "codex_oauth", endpointClass: "native-codex", api: "responses", baseUrl: "https://chatgpt.com/backend-api/codex" } },
  // API-key route summary
  { name: "api: gpt-5.4", ref: "openai/gpt-5.4", auth: KEY, expect: OPENAI_API },
  { name: "api: gpt-5.4-mini", ref: "openai/gpt-5.4-mini", auth: KEY, expect: { ...OPENAI_API, contextWindow: 400_000 } },
  { name: "api: gpt-5.5 is routable but not yet API-enabled", ref: "openai/gpt-5.5", auth: KEY, expect: OPENAI_API, blockers: ["model_not_api_enabled"] },
  // Codex route summary
  { name: "codex: openai-codex/gpt-5.5 through Pi", ref: "openai-codex/gpt-5.5", auth: CODEX, expect: CODEX_PI },
  { name: "codex: openai/gpt-5.5 + embeddedHarness codex", ref: "openai/gpt-5.5", config: HARNESS, auth: CODEX, expect: APP_SERVER },
  { name: "codex: openai-codex/* never selects the harness", ref: "openai-codex/gpt-5.5", config: HARNESS, auth: CODEX, expect: CODEX_PI },
  { name: "codex: legacy codex/* ref selects the harness", ref: "codex/gpt-5.5", auth: NONE, expect: { ...APP_SERVER, ref: "openai/gpt-5.5", provider: "openai" } },
  // Image table: a Codex sign-in wins over the env key unless models.providers.openai is explicit
  { name: "image: Codex sign-in wins over OPENAI_API_KEY", ref: "openai/gpt-image-2", auth: BOTH, expect: { authKind: "codex_oauth", endpointClass: "native-codex" } },
  {
    name: "image: explicit models.providers.openai.apiKey keeps the Images API",
    ref: "openai/gpt-image-2", auth: { ...BOTH, apiKeys: { openai: { source: "config" } } },
    config: { models: { providers: { openai: { apiKey: "sk-config-key-123456" } } } },
    expect: { authKind: "api_key", endpointClass: "native-openai", api: "images" },
  },
  {
    name: "image: Azure base URL switches to the Azure shape",
    ref: "openai/gpt-image-2", auth: { apiKeys: { openai: { source: "config" } } },
    config: { models: { providers: { openai: { baseUrl: "https://res.openai.azure.com", apiKey: "azure-key-123456" } } } },
    expect: { authKind: "azure_key", endpointClass: "azure", api: "images", baseUrl: "https://res.openai.azure.com" },
  },
  { name: "image: gpt-image-1 remains usable", ref: "openai/gpt-image-1", auth: KEY, expect: { api: "images", authKind: "api_key" } },
  { name: "video: sora-2", ref: "openai/sora-2", auth: KEY, expect: { api: "videos", transport: "sse" } },
  { name: "tts: gpt-4o-mini-tts", ref: "openai/gpt-4o-mini-tts", auth: KEY, expect: { api: "audio" } },
  { name: "stt: gpt-4o-transcribe", ref: "openai/gpt-4o-transcribe", auth: KEY, expect: { api: "audio" } },
  { name: "realtime: gpt-realtime-1.5", ref: "openai/gpt-realtime-1.5", auth: KEY, expect: { api: "realtime", transport: "websocket", runtime: "pi" } },
  { name: "embeddings: text-embedding-3-small", ref: "openai/text-embedding-3-small", auth: KEY, expect: { api: "embeddings" } },
  {
    name: "azure-openai-responses/gpt-5.5",
    ref: "azure-openai-responses/gpt-5.5", auth: NONE,
    config: { models: { providers: { "azure-openai-responses": { baseUrl: "https://res.services.ai.azure.com/openai/v1", apiKey: "azure-key-123456" } } } },
    expect: { authKind: "azure_key", endpointClass: "azure", api: "responses", transport: "sse", runtime: "pi" },
  },
];

describe("spec route tables", () => {
  it.each(ROWS)("$name", (row) => {
    const route = resolveRoute({ ref: row.ref, config: row.config, auth: row.auth });
    expect(route).toMatchObject(row.expect);
    expect(route.blockers.map((b) => b.code)).toEqual(row.blockers ?? []);
  });

  it("the Codex harness only takes agent (text) models", () => {
    for (const ref of ["openai/gpt-image-2", "openai/gpt-realtime-1.5", "openai/sora-2"]) {
      expect(resolveRoute({ ref, config: HARNESS, auth: KEY }).runtime).toBe("pi");
    }
    expect(resolveRoute({ ref: "openai/gpt-4.1", config: HARNESS, auth: KEY }).runtime).toBe("codex");
  });
});

describe("readiness", () => {
  it("openai/* without a key but with a Codex sign-in points at openai-codex", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: CODEX });
    expect(route.authKind).toBe("none");
    expect(route.blockers).toEqual([
      expect.objectContaining({ code: "api_key_missing", hint: "use openai-codex/gpt-5.4 or set OPENAI_API_KEY" }),
    ]);
    const error = (() => {
      try {
        assertRouteReady(route);
      } catch (e) {
        return e;
      }
    })() as RouteError;
    expect(error).toBeInstanceOf(RouteError);
    expect(error.code).toBe("api_key_missing");
    expect(error.hint).toBe("use openai-codex/gpt-5.4 or set OPENAI_API_KEY");
    expect(error.ref).toBe("openai/gpt-5.4");
  });

  it("openai/* with nothing at all suggests onboarding", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: NONE });
    expect(route.blockers[0]).toMatchObject({ code: "api_key_missing" });
    expect(route.blockers[0]!.hint).toContain("genesis onboard --auth-choice openai-api-key");
  });

  it("openai-codex/* without a sign-in asks for login", () => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", auth: KEY });
    expect(route.authKind).toBe("none");
    expect(() => assertRouteReady(route)).toThrow(expect.objectContaining({ code: "oauth_missing" }));
  });

  it("a ready route passes through assertRouteReady", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: KEY });
    expect(assertRouteReady(route)).toBe(route);
  });

  it("openai/gpt-5.5 is API-blocked only on the public API host", () => {
    const config: RouteConfig = { models: { providers: { openai: { baseUrl: "http://127.0.0.1:9999/v1" } } } };
    expect(resolveRoute({ ref: "openai/gpt-5.5", auth: KEY, config }).blockers).toEqual([]);
  });

  it("openai/* text models on an Azure base URL point at the dedicated Azure provider", () => {
    const config: RouteConfig = { models: { providers: { openai: { baseUrl: "https://res.openai.azure.com", apiKey: "azure-key-123456" } } } };
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: NONE, config });
    expect(route).toMatchObject({ endpointClass: "azure", authKind: "azure_key" });
    expect(route.blockers.map((b) => b.code)).toEqual(["azure_needs_provider"]);
  });

  it("a local endpoint needs no key", () => {
    const config: RouteConfig = { models: { providers: { openai: { baseUrl: "http://127.0.0.1:9999/v1" } } } };
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: NONE, config });
    expect(route).toMatchObject({ authKind: "none", endpointClass: "local", blockers: [] });
  });

  it("excluded and unknown refs throw typed errors", () => {
    expect(() => resolveRoute({ ref: "openai/gpt-5.3-codex-spark", auth: KEY })).toThrow(expect.objectContaining({ code: "model_excluded" }));
    expect(() => resolveRoute({ ref: "gpt-5.4", auth: KEY })).toThrow(expect.objectContaining({ code: "invalid_model_ref" }));
    expect(() => resolveRoute({ ref: "nope/gpt-5.4", auth: KEY })).toThrow(expect.objectContaining({ code: "unknown_provider" }));
  });
});
