import { describe, expect, it } from "vitest";
import { codexHeaders, isVerifiedCodexHost } from "./codex-headers.js";

describe("isVerifiedCodexHost", () => {
  it.each([
    "https://chatgpt.com/backend-api/codex",
    "https://chatgpt.com/backend-api",
    "https://CHATGPT.com:443/backend-api/codex/responses",
    "https://chatgpt.com./backend-api/codex",
    "http://127.0.0.1:4010/backend-api/codex",
    "http://localhost:4010/anything",
    "http://[::1]:4010/backend-api/codex",
  ])("verifies %s", (url) => {
    expect(isVerifiedCodexHost(url)).toBe(true);
  });

  it.each([
    "https://codex-gateway.example.com/backend-api/codex",
    "http://chatgpt.com/backend-api/codex",
    "https://chatgpt.com:8443/backend-api/codex",
    "https://chatgpt.com/api/codex",
    "https://chatgpt.com.evil.example/backend-api/codex",
    "https://user:pass@chatgpt.com/backend-api/codex",
    "https://api.openai.com/v1",
    "http://192.168.1.10:4010/backend-api/codex",
    "http://127.0.0.1.nip.io/backend-api/codex",
    "not a url",
    "",
  ])("does not verify %s", (url) => {
    expect(isVerifiedCodexHost(url)).toBe(false);
  });
});

describe("codexHeaders", () => {
  const creds = { access: "at-secret-value", accountId: "acct_1" };

  it("adds originator and the genesis User-Agent on a verified host", () => {
    expect(codexHeaders(creds, { baseUrl: "https://chatgpt.com/backend-api/codex", originator: "genesis" })).toEqual({
      authorization: "Bearer at-secret-value", "chatgpt-account-id": "acct_1", originator: "genesis", "user-agent": expect.stringMatching(/^genesis\/\S+ \(/),
    });
  });

  it("keeps only what the backend needs on any other host, plus a caller-chosen User-Agent", () => {
    const proxy = { baseUrl: "https://codex-gateway.example.com/backend-api/codex", originator: "genesis" };
    expect(codexHeaders(creds, proxy)).toEqual({ authorization: "Bearer at-secret-value", "chatgpt-account-id": "acct_1" });
    expect(codexHeaders(creds, { ...proxy, userAgent: "my-tool/1.0" })).toEqual({
      authorization: "Bearer at-secret-value", "chatgpt-account-id": "acct_1", "user-agent": "my-tool/1.0",
    });
  });
});
