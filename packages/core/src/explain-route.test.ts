import { describe, expect, it } from "vitest";
import { explainRoute, routeToJson } from "./explain-route.js";
import { resolveRoute } from "./route.js";

describe("explainRoute", () => {
  it("renders every decision, the status and the reasons", () => {
    const route = resolveRoute({ ref: "openai-codex/gpt-5.5", auth: { oauth: { "openai-codex": { accountId: "a", expiresAt: 1 } } } });
    const text = explainRoute(route);
    expect(text).toContain("Route for openai-codex/gpt-5.5");
    expect(text).toMatch(/runtime\s+pi \(Genesis Pi Default\)/);
    expect(text).toMatch(/auth\s+codex_oauth/);
    expect(text).toMatch(/endpoint\s+native-codex {2}https:\/\/chatgpt\.com\/backend-api\/codex/);
    expect(text).toMatch(/context\s+window 1,000,000, tokens 272,000/);
    expect(text).toContain("Status: ready");
    expect(text).toContain("runtime = pi: openai-codex/* always runs on the Pi runner");
  });

  it("shows blockers with hints and the legacy rewrite", () => {
    const text = explainRoute(resolveRoute({ ref: "openai/gpt-5.4", auth: { oauth: { "openai-codex": { accountId: "a", expiresAt: 1 } } } }));
    expect(text).toContain("Status: not ready");
    expect(text).toContain("hint: use openai-codex/gpt-5.4 or set OPENAI_API_KEY");
    expect(explainRoute(resolveRoute({ ref: "codex/gpt-5.5" }))).toContain("Route for codex/gpt-5.5 (as openai/gpt-5.5)");
  });

  it("routeToJson is plain data with a ready flag", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", auth: { apiKeys: { openai: { source: "store" } } } });
    const json = JSON.parse(JSON.stringify(routeToJson(route)));
    expect(json).toMatchObject({ ref: "openai/gpt-5.4", ready: true, authKind: "api_key", authSource: "store", endpointClass: "native-openai" });
    expect(json.reasons.length).toBeGreaterThan(5);
  });

  it("redacts credentials that reach a route through the environment", () => {
    const route = resolveRoute({ ref: "openai/gpt-5.4", env: { OPENAI_BASE_URL: "https://user:hunter2pass@proxy.example.com/v1?api_key=abcdef123456", OPENAI_API_KEY: "sk-env-0123456789" } });
    for (const text of [explainRoute(route), JSON.stringify(routeToJson(route))]) {
      expect(text).not.toContain("hunter2pass");
      expect(text).not.toContain("abcdef123456");
      expect(text).not.toContain("sk-env-0123456789");
      expect(text).toContain("proxy.example.com");
    }
  });
});
