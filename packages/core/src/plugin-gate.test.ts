import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { validateConfig } from "./validate-config.js";
import { ConfigError } from "./errors.js";
import { assertOpenAIProviderSelected } from "./plugin-gate.js";

const thrown = (run: () => void): ConfigError => {
  try {
    run();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error("expected a failure");
};

describe("assertOpenAIProviderSelected", () => {
  it("accepts unset, blank and openai in any case", () => {
    for (const value of [undefined, null, "", "  ", "openai", " OpenAI "]) {
      expect(() => assertOpenAIProviderSelected(value, "messages.tts.provider", "text-to-speech"), String(value)).not.toThrow();
    }
  });

  it("refuses anything else with the key, the value and both fixes", () => {
    const error = thrown(() => assertOpenAIProviderSelected("elevenlabs", "messages.tts.provider", "text-to-speech"));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "provider_unavailable", path: "messages.tts.provider" });
    expect(error.message).toBe('messages.tts.provider is "elevenlabs", but Genesis ships only the openai text-to-speech provider.');
    expect(error.hint).toBe("Only 'openai' is available; remove the key ('genesis config unset messages.tts.provider') or set it to openai ('genesis config set messages.tts.provider openai').");
    expect(thrown(() => assertOpenAIProviderSelected(3, "x.provider", "y")).message).toBe("x.provider is number, but Genesis ships only the openai y provider.");
  });

  it("never echoes a secret or a flood of text", () => {
    const key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    const error = thrown(() => assertOpenAIProviderSelected(key, "messages.tts.provider", "text-to-speech"));
    expect(error.message).not.toContain(key);
    expect(inspect(error)).not.toContain(key);
    expect(thrown(() => assertOpenAIProviderSelected("x".repeat(500), "p", "q")).message.length).toBeLessThan(200);
  });
});

describe("tools.media.audio shared hints", () => {
  it("language and prompt sit next to models[]; typos are refused", () => {
    const config = validateConfig({ tools: { media: { audio: { language: "en", prompt: "Genesis", models: [{ provider: "openai" }] } } } });
    expect(config.tools?.media?.audio).toEqual({ language: "en", prompt: "Genesis", models: [{ provider: "openai" }] });
    expect(() => validateConfig({ tools: { media: { audio: { langauge: "en" } } } })).toThrow(/tools\.media\.audio\.langauge/);
  });
});
