import { describe, expect, it } from "vitest";
import type { RouteAuth, RouteConfig } from "./_route-config.js";
import { RouteError } from "./errors.js";
import { explainRoute, routeToJson } from "./explain-route.js";
import { resolveRoute } from "./route.js";

const AUTH: RouteAuth = {
  apiKeys: { openai: { source: "env" }, "azure-openai-responses": { source: "env" }, local: { source: "config" } },
  oauth: { "openai-codex": { accountId: "acct_1", expiresAt: 4102444800000 } },
};

function withSearch(search: Record<string, unknown>, extra: RouteConfig = {}): RouteConfig {
  return { ...extra, tools: { web: { search } } };
}

const reasonOf = (route: ReturnType<typeof resolveRoute>) => route.reasons.find((r) => r.field === "webSearch");

describe("route web search", () => {
  it("is off by default, with a reason", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: AUTH });
    expect(route.webSearch).toEqual({ status: "off" });
    expect(reasonOf(route)?.why).toBe("tools.web.search.enabled is not set (default off)");
    expect(explainRoute(route)).toMatch(/web search\s+off\n/);
  });

  it("is native on api.openai.com, the Codex backend and Azure, with the configured settings", () => {
    const config = withSearch({ enabled: true, contextSize: "low", allowedDomains: [" nodejs.org "] }, {
      models: { providers: { "azure-openai-responses": { baseUrl: "https://res.openai.azure.com", models: [{ id: "gpt-5-4-prod" }] } } },
    });
    const openai = resolveRoute({ ref: "openai/gpt-5.4", config, auth: AUTH });
    expect(openai.webSearch).toEqual({ status: "native", mode: "live", contextSize: "low", allowedDomains: ["nodejs.org"] });
    expect(explainRoute(openai)).toMatch(/web search\s+native \(tools\.web\.search\.enabled\)\n/);

    const codex = resolveRoute({ ref: "openai-codex/gpt-5.5", config: withSearch({ enabled: true, mode: "cached" }), auth: AUTH });
    expect(codex.endpointClass).toBe("native-codex");
    expect(codex.webSearch).toEqual({ status: "native", mode: "cached" });
    expect(explainRoute(codex)).toContain("native (tools.web.search.enabled, mode cached)");

    const azure = resolveRoute({ ref: "azure-openai-responses/gpt-5-4-prod", config, auth: AUTH });
    expect([azure.endpointClass, azure.webSearch.status]).toEqual(["azure", "native"]);
  });

  it("treats an explicit openai provider like no provider", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", config: withSearch({ enabled: true, provider: "OpenAI" }), auth: AUTH });
    expect(route.webSearch.status).toBe("native");
  });

  it("is pinned when another provider is configured, and explains it", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", config: withSearch({ enabled: true, provider: "brave" }), auth: AUTH });
    expect(route.webSearch).toEqual({ status: "pinned", provider: "brave" });
    expect(explainRoute(route)).toMatch(/web search\s+pinned to brave\n/);
    expect(reasonOf(route)?.why).toContain('tools.web.search.provider is "brave"');
  });

  it("never goes to compatible proxies, local servers, the Codex harness or media routes", () => {
    const on = withSearch({ enabled: true });
    const proxy = resolveRoute({
      ref: "local/llama",
      config: { ...on, models: { providers: { local: { baseUrl: "http://127.0.0.1:8080/v1", models: [{ id: "llama" }] } } } },
      auth: AUTH,
    });
    expect([proxy.endpointClass, proxy.webSearch.status]).toEqual(["local", "off"]);
    expect(reasonOf(proxy)?.why).toBe("web_search is a Responses tool; this route speaks chat-completions");

    const responsesProxy = resolveRoute({
      ref: "proxy/gpt-5.4",
      config: { ...on, models: { providers: { proxy: { baseUrl: "https://llm.example.com/v1", api: "openai-responses", models: [{ id: "gpt-5.4" }] } } } },
      auth: { apiKeys: { proxy: { source: "config" } } },
    });
    expect([responsesProxy.endpointClass, responsesProxy.api, responsesProxy.webSearch.status]).toEqual(["compat", "responses", "off"]);
    expect(reasonOf(responsesProxy)?.why).toContain("compat endpoints never get the native tool");

    const harness = resolveRoute({ ref: "openai/gpt-5.5", config: { ...on, agents: { defaults: { embeddedHarness: { runtime: "codex" } } } }, auth: AUTH });
    expect([harness.runtime, harness.webSearch.status]).toEqual(["codex", "off"]);

    const images = resolveRoute({ ref: "openai/gpt-image-2", config: { ...on, models: { providers: { openai: { apiKey: "sk-x" } } } }, auth: AUTH });
    expect([images.api, images.webSearch.status]).toEqual(["images", "off"]);
  });

  it("a forced native endpoint class (how the emulator is reached) gets the tool", () => {
    const config = withSearch({ enabled: true }, { models: { providers: { openai: { baseUrl: "http://127.0.0.1:9/v1", endpointClass: "native-openai" } } } });
    expect(resolveRoute({ ref: "openai/gpt-5.4", config, auth: AUTH }).webSearch.status).toBe("native");
  });

  it.each([
    ["enabled", { enabled: "on" }, 'expected true or false, got "on"'],
    ["mode", { enabled: true, mode: "fresh" }, 'unknown mode "fresh"'],
    ["contextSize", { enabled: true, contextSize: 3 }, "unknown size 3"],
    ["allowedDomains", { enabled: true, allowedDomains: [""] }, "expected a list of domain names"],
    ["allowedDomains", { enabled: true, allowedDomains: ["nodejs.org", "https://docs.python.org/3"] }, '"https://docs.python.org/3" is not a bare domain'],
    ["provider", { enabled: true, provider: 7 }, "expected a provider id, got 7"],
  ])("rejects a bad %s with invalid_param naming the path and a hint", (field, search, message) => {
    let caught: unknown;
    try {
      resolveRoute({ ref: "openai/gpt-5.4", config: withSearch(search), auth: AUTH });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RouteError);
    const e = caught as RouteError;
    expect(e.code).toBe("invalid_param");
    expect(e.message).toBe(`tools.web.search.${field}: ${message}`);
    expect(e.hint).toBeTruthy();
  });

  it("is plain data in the JSON form", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", config: withSearch({ enabled: true, allowedDomains: ["nodejs.org"] }), auth: AUTH });
    expect(routeToJson(route).webSearch).toEqual({ status: "native", mode: "live", allowedDomains: ["nodejs.org"] });
  });
});
