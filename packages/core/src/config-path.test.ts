import { describe, expect, it } from "vitest";
import { getConfigValue, parseConfigPath, parseConfigValue, setConfigValue, unsetConfigValue } from "./config-path.js";
import { formatConfigPath } from "./_config-issues.js";
import { ValidationError } from "./errors.js";

describe("parseConfigPath", () => {
  it.each([
    ["agents.defaults.model.primary", ["agents", "defaults", "model", "primary"]],
    ['agents.defaults.models["openai/gpt-5.4"].params.fastMode', ["agents", "defaults", "models", "openai/gpt-5.4", "params", "fastMode"]],
    ["agents.defaults.models['openai/gpt-5.4'].params", ["agents", "defaults", "models", "openai/gpt-5.4", "params"]],
    ["plugins.entries.voice-call.config", ["plugins", "entries", "voice-call", "config"]],
    ["tools.media.audio.models[0].model", ["tools", "media", "audio", "models", 0, "model"]],
    ['["env"].OPENAI_API_KEY', ["env", "OPENAI_API_KEY"]],
    ['a["x\\"y"]', ["a", 'x"y']],
  ])("parses %s", (path, segments) => {
    expect(parseConfigPath(path)).toEqual(segments);
  });

  it("round-trips through formatConfigPath", () => {
    const path = 'agents.defaults.models["openai/gpt-5.4"].params.fastMode';
    expect(formatConfigPath(parseConfigPath(path))).toBe(path);
  });

  it.each(["", "a..b", "a.", ".a", "a[", 'a["x', "a[x]", 'a["x"', "a b", "agents.__proto__.x", 'a["constructor"]', "a.prototype"])(
    "rejects %j",
    (path) => {
      expect(() => parseConfigPath(path)).toThrow(ValidationError);
      try {
        parseConfigPath(path);
      } catch (error) {
        expect((error as ValidationError).code).toBe("config_path_invalid");
        expect((error as ValidationError).hint).toBeTruthy();
      }
    },
  );
});

describe("get/set/unset", () => {
  const doc = { agents: { defaults: { model: { primary: "openai/gpt-5.4" } } }, tools: { media: { audio: { models: [{ provider: "openai" }] } } } };

  it("gets nested values, including through arrays", () => {
    expect(getConfigValue(doc, ["agents", "defaults", "model", "primary"])).toBe("openai/gpt-5.4");
    expect(getConfigValue(doc, ["tools", "media", "audio", "models", 0, "provider"])).toBe("openai");
    expect(getConfigValue(doc, ["agents", "missing", "x"])).toBeUndefined();
    expect(getConfigValue(doc, ["agents", "defaults", "model", "primary", "length"])).toBeUndefined();
  });

  it("sets without mutating the input and keeps other values", () => {
    const next = setConfigValue(doc, ["agents", "defaults", "models", "openai/gpt-5.4", "params", "fastMode"], true);
    expect(next).toEqual({
      agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { fastMode: true } } } } },
      tools: doc.tools,
    });
    expect(doc.agents.defaults).not.toHaveProperty("models");
  });

  it("sets array items up to the end of the list", () => {
    const next = setConfigValue(doc, ["tools", "media", "audio", "models", 1], { provider: "openai", model: "whisper-1" });
    expect(getConfigValue(next, ["tools", "media", "audio", "models"])).toHaveLength(2);
    expect(() => setConfigValue(doc, ["tools", "media", "audio", "models", 5], {})).toThrow(/index up to 1/);
    expect(() => setConfigValue(doc, ["agents", 0], {})).toThrow(/not a list/);
  });

  it("refuses to descend through a scalar", () => {
    expect(() => setConfigValue(doc, ["agents", "defaults", "model", "primary", "x"], 1)).toThrow(/holds a string/);
  });

  it("unsets and prunes the objects it emptied", () => {
    const withParams = setConfigValue(doc, ["agents", "defaults", "models", "openai/gpt-5.4", "params", "fastMode"], true);
    const { document, removed } = unsetConfigValue(withParams, ["agents", "defaults", "models", "openai/gpt-5.4", "params", "fastMode"]);
    expect(removed).toBe(true);
    expect(document).toEqual(doc);
    expect(unsetConfigValue(doc, ["nope", "x"]).removed).toBe(false);
  });

  it("unsets array items", () => {
    expect(unsetConfigValue(doc, ["tools", "media", "audio", "models", 0]).document).toEqual({ agents: doc.agents, tools: { media: { audio: { models: [] } } } });
  });
});

describe("parseConfigValue", () => {
  it.each([
    ["true", true],
    ["120000", 120000],
    ['"off"', "off"],
    ["'x'", "x"],
    ["{fastMode: true}", { fastMode: true }],
    ["[1, 2]", [1, 2]],
    ["off", "off"],
    ["openai-codex/gpt-5.5", "openai-codex/gpt-5.5"],
    ["gpt-5.4", "gpt-5.4"],
  ])("parses %s", (text, value) => {
    expect(parseConfigValue(text)).toEqual(value);
  });

  it("keeps NaN/Infinity as numbers so validation rejects them", () => {
    expect(parseConfigValue("NaN")).toBeNaN();
    expect(parseConfigValue("Infinity")).toBe(Number.POSITIVE_INFINITY);
  });
});
