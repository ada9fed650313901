import { ConfigError, resolveRoute } from "@genesis/core";
import { describe, expect, it } from "vitest";
import { codexResponsesUrl, codexSettingsFromConfig, resolveCodexOAuthSettings, revokeTokenUrl } from "./oauth-config.js";

describe("resolveCodexOAuthSettings", () => {
  it("defaults to OpenAI's issuer, the Codex client id, port 1455 and the ChatGPT backend", () => {
    const s = resolveCodexOAuthSettings({}, {});
    expect(s).toMatchObject({
      issuer: "https://auth.openai.com", clientId: "app_EMoamEEZ73f0CkXaXp7hrann", scope: "openid profile email offline_access",
      codexBaseUrl: "https://chatgpt.com/backend-api/codex", callbackPort: 1455, fallbackPorts: [1457, 0], redirectHost: "localhost",
      callbackPath: "/auth/callback", deviceVerificationUrl: "https://auth.openai.com/codex/device",
    });
  });

  it("takes env overrides, and explicit options over env", () => {
    const env = { GENESIS_CODEX_AUTH_ISSUER: "http://127.0.0.1:9/", GENESIS_CODEX_BASE_URL: "http://127.0.0.1:9/backend-api", GENESIS_CODEX_CALLBACK_PORT: "0" };
    expect(resolveCodexOAuthSettings({}, env)).toMatchObject({ issuer: "http://127.0.0.1:9", codexBaseUrl: "http://127.0.0.1:9/backend-api", callbackPort: 0, deviceVerificationUrl: "http://127.0.0.1:9/codex/device" });
    expect(resolveCodexOAuthSettings({ issuer: "https://auth.example.com", codexBaseUrl: undefined }, env).issuer).toBe("https://auth.example.com");
  });

  it("rejects bad values with a ConfigError naming the field", () => {
    const error = (() => {
      try {
        resolveCodexOAuthSettings({ issuer: "ftp://x" }, {});
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.path).toBe("issuer");
    expect(() => resolveCodexOAuthSettings({}, { GENESIS_CODEX_CALLBACK_PORT: "99999" })).toThrow(/callbackPort/);
  });

  it("builds the Responses URL from every base spelling", () => {
    expect(codexResponsesUrl({ codexBaseUrl: "https://chatgpt.com/backend-api" })).toBe("https://chatgpt.com/backend-api/codex/responses");
    expect(codexResponsesUrl({ codexBaseUrl: "https://chatgpt.com/backend-api/codex" })).toBe("https://chatgpt.com/backend-api/codex/responses");
    expect(codexResponsesUrl({ codexBaseUrl: "https://chatgpt.com/backend-api/codex/responses/" })).toBe("https://chatgpt.com/backend-api/codex/responses");
  });

  it("agrees with core's route on every spelling, from config and from env", () => {
    const auth = { oauth: { "openai-codex": { accountId: "a", expiresAt: 2_000_000_000_000 } } };
    for (const base of ["http://127.0.0.1:9/backend-api", "http://127.0.0.1:9/backend-api/codex", "http://127.0.0.1:9/backend-api/codex/responses/"]) {
      const fromConfig = resolveRoute({ ref: "openai-codex/gpt-5.5", config: { auth: { openaiCodex: { codexBaseUrl: base } } }, auth, env: {} });
      const fromEnv = resolveRoute({ ref: "openai-codex/gpt-5.5", auth, env: { GENESIS_CODEX_BASE_URL: base } });
      const ours = codexResponsesUrl(resolveCodexOAuthSettings({ codexBaseUrl: base }, {}));
      expect(ours).toBe("http://127.0.0.1:9/backend-api/codex/responses");
      expect(codexResponsesUrl({ codexBaseUrl: fromConfig.baseUrl })).toBe(ours);
      expect(codexResponsesUrl({ codexBaseUrl: fromEnv.baseUrl })).toBe(ours);
    }
  });
});

describe("codexSettingsFromConfig", () => {
  it("reads auth.openaiCodex.{issuer,codexBaseUrl,clientId} over env", () => {
    const config = { auth: { openaiCodex: { issuer: "http://127.0.0.1:7", codexBaseUrl: "http://127.0.0.1:7/backend-api", clientId: "app_test" } } };
    const s = codexSettingsFromConfig(config, { GENESIS_CODEX_AUTH_ISSUER: "http://127.0.0.1:8", GENESIS_CODEX_CLIENT_ID: "app_env" });
    expect(s).toMatchObject({ issuer: "http://127.0.0.1:7", codexBaseUrl: "http://127.0.0.1:7/backend-api", clientId: "app_test", deviceVerificationUrl: "http://127.0.0.1:7/codex/device" });
    expect(codexSettingsFromConfig(undefined, { GENESIS_CODEX_CLIENT_ID: "app_env" }).clientId).toBe("app_env");
  });
});

describe("revokeTokenUrl", () => {
  it("follows the issuer by default and takes the option over GENESIS_CODEX_REVOKE_URL", () => {
    expect(revokeTokenUrl(resolveCodexOAuthSettings({}, {}))).toBe("https://auth.openai.com/oauth/revoke");
    expect(revokeTokenUrl(resolveCodexOAuthSettings({}, { GENESIS_CODEX_AUTH_ISSUER: "http://127.0.0.1:9/" }))).toBe("http://127.0.0.1:9/oauth/revoke");
    const env = { GENESIS_CODEX_REVOKE_URL: "http://127.0.0.1:7/custom/revoke/" };
    expect(revokeTokenUrl(resolveCodexOAuthSettings({}, env))).toBe("http://127.0.0.1:7/custom/revoke");
    expect(revokeTokenUrl(resolveCodexOAuthSettings({ revokeUrl: "https://auth.example.com/revoke" }, env))).toBe("https://auth.example.com/revoke");
    expect(() => resolveCodexOAuthSettings({}, { GENESIS_CODEX_REVOKE_URL: "file:///etc/passwd" })).toThrow(/revokeUrl/);
  });
});
