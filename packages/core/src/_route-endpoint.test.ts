import { describe, expect, it } from "vitest";
import { classifyEndpoint, isLocalHost } from "./_route-endpoint.js";

describe("classifyEndpoint", () => {
  it.each([
    ["https://api.openai.com/v1", "native-openai"],
    ["https://API.OPENAI.COM/v1", "native-openai"],
    ["https://chatgpt.com/backend-api/codex", "native-codex"],
    ["https://chatgpt.com/backend-api", "native-codex"],
    ["https://chatgpt.com/other", "compat"],
    ["https://res.openai.azure.com", "azure"],
    ["https://res.services.ai.azure.com/openai/v1", "azure"],
    ["https://res.cognitiveservices.azure.com", "azure"],
    ["https://openai.azure.com.evil.example", "compat"],
    ["http://127.0.0.1:4010/v1", "local"],
    ["http://localhost:8080/v1", "local"],
    ["http://[::1]:9000/v1", "local"],
    ["http://10.1.2.3/v1", "local"],
    ["http://192.168.1.20/v1", "local"],
    ["http://172.20.0.5/v1", "local"],
    ["http://172.32.0.5/v1", "compat"],
    ["https://openrouter.ai/api/v1", "compat"],
  ])("%s -> %s", (url, expected) => {
    expect(classifyEndpoint(url)).toBe(expected);
  });

  it("rejects non-http URLs with a typed error", () => {
    expect(() => classifyEndpoint("ftp://api.openai.com")).toThrow(expect.objectContaining({ code: "invalid_base_url" }));
    expect(isLocalHost("fd00::1")).toBe(true);
    expect(isLocalHost("8.8.8.8")).toBe(false);
  });
});
