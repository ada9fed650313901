import { inspect } from "node:util";
import { AuthError, ConfigError, ValidationError, validateConfig } from "@genesis/core";
import { describe, expect, it } from "vitest";
import { resolveTranscriberSettings, resolveVoiceSettings, TRANSCRIPTION_CONFIG_PATH, VOICE_CONFIG_PATH, type RealtimeConfig } from "./realtime-settings.js";

const KEY = "sk-settings-secret-0123456789";
const env = { OPENAI_API_KEY: KEY };

function voiceConfig(openai: Record<string, unknown>, extra: Record<string, unknown> = {}): RealtimeConfig {
  return validateConfig({ ...extra, plugins: { entries: { "voice-call": { config: { realtime: { providers: { openai } } } } } } }) as RealtimeConfig;
}
function streamingConfig(openai: Record<string, unknown>): RealtimeConfig {
  return validateConfig({ plugins: { entries: { "voice-call": { config: { streaming: { providers: { openai } } } } } } }) as RealtimeConfig;
}

describe("resolveTranscriberSettings", () => {
  it("uses the documented defaults and OPENAI_API_KEY", () => {
    const r = resolveTranscriberSettings({}, { env });
    expect(r.settings).toEqual({
      provider: "openai",
      url: "wss://api.openai.com/v1/realtime?intent=transcription",
      keySource: "env:OPENAI_API_KEY",
      model: "gpt-4o-transcribe",
      language: undefined,
      prompt: undefined,
      vadThreshold: 0.5,
      silenceDurationMs: 800,
      prefixPaddingMs: 300,
      handshakeTimeoutMs: 10000,
      heartbeatMs: 15000,
      heartbeatTimeoutMs: 10000,
    });
    expect(r.headers).toEqual({ authorization: `Bearer ${KEY}` });
    expect(JSON.stringify(r.settings)).not.toContain(KEY);
  });

  it("reads the streaming config section, and per-call options win over it", () => {
    const config = streamingConfig({ model: "gpt-4o-mini-transcribe", language: "fr", prompt: "names", silenceDurationMs: 650, vadThreshold: 0.3, apiKey: "sk-from-config-123456" });
    const fromConfig = resolveTranscriberSettings({}, { config, env });
    expect(fromConfig.settings).toMatchObject({ model: "gpt-4o-mini-transcribe", language: "fr", prompt: "names", silenceDurationMs: 650, vadThreshold: 0.3, keySource: "config" });
    expect(fromConfig.headers.authorization).toBe("Bearer sk-from-config-123456");
    const overridden = resolveTranscriberSettings({ model: "whisper-1", vadThreshold: 0.9, apiKey: "sk-call-1234567", url: "http://127.0.0.1:9/v1/realtime" }, { config, env });
    expect(overridden.settings).toMatchObject({ model: "whisper-1", vadThreshold: 0.9, silenceDurationMs: 650, keySource: "options", url: "ws://127.0.0.1:9/v1/realtime?intent=transcription" });
  });

  it("takes the key from the config env block when the real environment has none", () => {
    const config = validateConfig({ env: { OPENAI_API_KEY: "sk-env-block-123456" } }) as RealtimeConfig;
    expect(resolveTranscriberSettings({}, { config, env: {} }).headers.authorization).toBe("Bearer sk-env-block-123456");
  });

  it("says where to put a key when there is none", () => {
    const error = (() => {
      try {
        resolveTranscriberSettings({}, { env: {} });
      } catch (e) {
        return e;
      }
    })() as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe("no_api_key");
    expect(error.hint).toContain("OPENAI_API_KEY");
    expect(error.hint).toContain(`${TRANSCRIPTION_CONFIG_PATH}.apiKey`);
  });

  it("rejects a bad VAD threshold, naming the option and the value", () => {
    expect(() => resolveTranscriberSettings({ vadThreshold: 1.5 }, { env })).toThrow(ValidationError);
    expect(() => resolveTranscriberSettings({ vadThreshold: 1.5 }, { env })).toThrow("options.vadThreshold: must be between 0 and 1 (got 1.5).");
    expect(() => resolveTranscriberSettings({ silenceDurationMs: -1 }, { env })).toThrow(/options\.silenceDurationMs/);
    expect(() => resolveTranscriberSettings({ url: "ftp://x/realtime" }, { env })).toThrow(/ws\(s\):\/\/ or http\(s\):\/\//);
  });

  it("checks the language hint is ISO-639-1 (normalised to lower case; empty means no hint)", () => {
    expect(() => resolveTranscriberSettings({ language: "English" }, { env })).toThrow('options.language: must be an ISO-639-1 code such as en, de or fr (got "English").');
    expect(() => resolveVoiceSettings({ inputTranscription: { language: "en-US" } }, { env })).toThrow(/options\.inputTranscription\.language: must be an ISO-639-1 code/);
    expect(resolveTranscriberSettings({ language: " DE " }, { env }).settings.language).toBe("de");
    expect(resolveTranscriberSettings({ language: "" }, { env }).settings.language).toBe("");
  });

  it("names the config path when the config holds a bad value (unvalidated config object)", () => {
    const config = { plugins: { entries: { "voice-call": { config: { streaming: { providers: { openai: { vadThreshold: 7 } } } } } } } } as unknown as RealtimeConfig;
    const run = () => resolveTranscriberSettings({}, { config, env });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`${TRANSCRIPTION_CONFIG_PATH}.vadThreshold`);
  });
});

describe("resolveVoiceSettings", () => {
  it("uses the documented defaults (gpt-realtime-1.5, alloy, 0.8, 0.5, 500 ms)", () => {
    const r = resolveVoiceSettings({}, { env });
    expect(r.settings).toMatchObject({
      provider: "openai",
      url: "wss://api.openai.com/v1/realtime?model=gpt-realtime-1.5",
      model: "gpt-realtime-1.5",
      voice: "alloy",
      temperature: 0.8,
      vadThreshold: 0.5,
      silenceDurationMs: 500,
      prefixPaddingMs: 300,
    });
  });

  it("reads the realtime config section", () => {
    const r = resolveVoiceSettings({}, { env, config: voiceConfig({ model: "gpt-realtime", voice: "marin", temperature: 0.6, vadThreshold: 0.7, silenceDurationMs: 900 }) });
    expect(r.settings).toMatchObject({ model: "gpt-realtime", voice: "marin", temperature: 0.6, vadThreshold: 0.7, silenceDurationMs: 900, url: "wss://api.openai.com/v1/realtime?model=gpt-realtime" });
  });

  it("switches to Azure with an api-key header and never sends the OpenAI key there", () => {
    const config = voiceConfig({ azureEndpoint: "https://contoso.openai.azure.com/", azureDeployment: "rt-prod", azureApiVersion: "preview" });
    const r = resolveVoiceSettings({}, { config, env: { ...env, AZURE_OPENAI_API_KEY: "azure-key-0123456789" } });
    expect(r.settings.provider).toBe("azure");
    expect(r.settings.url).toBe("wss://contoso.openai.azure.com/openai/v1/realtime?model=rt-prod&api-version=preview");
    expect(r.headers).toEqual({ "api-key": "azure-key-0123456789" });
    expect(r.settings.keySource).toBe("env:AZURE_OPENAI_API_KEY");
    expect(() => resolveVoiceSettings({}, { config, env })).toThrow(expect.objectContaining({ code: "no_api_key", hint: expect.stringContaining("AZURE_OPENAI_API_KEY") }));
    // A URL that already names the v1 surface is not doubled.
    const again = resolveVoiceSettings({ apiKey: "azure-key-0123456789", azureEndpoint: "https://contoso.openai.azure.com/openai/v1", azureDeployment: "d" }, { env: {} });
    expect(again.settings.url).toBe("wss://contoso.openai.azure.com/openai/v1/realtime?model=d");
  });

  it("refuses an Azure endpoint without a deployment (and the reverse), naming the missing key", () => {
    const run = () => resolveVoiceSettings({}, { env, config: voiceConfig({ azureEndpoint: "https://contoso.openai.azure.com" }) });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/no deployment/);
    try {
      run();
    } catch (e) {
      expect((e as ConfigError).path).toBe(`${VOICE_CONFIG_PATH}.azureDeployment`);
      expect((e as ConfigError).code).toBe("azure_deployment_missing");
    }
    expect(() => resolveVoiceSettings({ azureDeployment: "d" }, { env })).toThrow(expect.objectContaining({ code: "azure_endpoint_missing" }));
  });

  it("rejects bad per-call values and credentials embedded in URLs without echoing them", () => {
    expect(() => resolveVoiceSettings({ temperature: 3 }, { env })).toThrow("options.temperature: must be between 0 and 2 (got 3).");
    expect(() => resolveVoiceSettings({ voice: "" }, { env })).toThrow(/options\.voice: must not be empty/);
    let error: unknown;
    try {
      resolveVoiceSettings({ azureEndpoint: `https://user:${KEY}@contoso.openai.azure.com`, azureDeployment: "d" }, { env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(String((error as Error).message)).toMatch(/must not contain credentials/);
    expect((error as Error).message).not.toContain(KEY);
    expect(inspect(error)).not.toContain(KEY);
  });
});
