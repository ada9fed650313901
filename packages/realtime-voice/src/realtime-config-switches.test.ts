import { inspect } from "node:util";
import { ConfigError, validateConfig } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRealtimeTranscriber } from "./create-realtime-transcriber.js";
import { createRealtimeVoiceSession } from "./create-realtime-voice-session.js";
import { resolveTranscriberSettings, resolveVoiceSettings, VOICE_CONFIG_PATH, type RealtimeConfig } from "./realtime-settings.js";

const KEY = "sk-switch-secret-0123456789abcdef";
const env = { OPENAI_API_KEY: KEY };
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const config = (doc: Record<string, unknown>): RealtimeConfig => validateConfig(doc) as RealtimeConfig;
const voiceCall = (voice: Record<string, unknown>) => config({ plugins: { entries: { "voice-call": voice } } });
const url = () => `${emu.apiBase}/realtime`;

/** The error a call throws (synchronously or as a rejection). */
async function failure(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error("expected a failure");
}

describe("plugins.entries.<id>.enabled for realtime", () => {
  it("voice-call: false stops transcription and voice before connecting, naming the key and the fix", async () => {
    const off = voiceCall({ enabled: false, config: { realtime: { providers: { openai: { voice: "marin" } } } } });
    const transcriber = await failure(() => createRealtimeTranscriber({ url: url(), config: off, env }));
    const voice = await failure(() => createRealtimeVoiceSession({ url: url(), config: off, env }));
    for (const [error, surface] of [[transcriber, "Realtime transcription"], [voice, "Realtime voice"]] as const) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.voice-call.enabled" });
      expect(error.message).toContain(surface);
      expect(error.message).toContain("plugins.entries.voice-call.enabled is false");
      expect(error.hint).toBe("Run 'genesis config set plugins.entries.voice-call.enabled true' (or remove the key) to turn it back on.");
      expect(inspect(error)).not.toContain(KEY);
    }
    expect(emu.requests).toEqual([]);
  });

  it("openai: false also stops them (the openai plugin provides the Voice Call providers)", async () => {
    const off = config({ plugins: { entries: { openai: { enabled: false } } } });
    expect(await failure(() => createRealtimeTranscriber({ url: url(), config: off, env }))).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.openai.enabled" });
    expect(await failure(() => createRealtimeVoiceSession({ url: url(), config: off, env }))).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.openai.enabled" });
    expect(emu.requests).toEqual([]);
  });

  it("absent or true means enabled; without a config nothing is checked", async () => {
    for (const cfg of [voiceCall({}), voiceCall({ enabled: true }), config({ plugins: { entries: { openai: { enabled: true } } } }), undefined]) {
      const t = await createRealtimeTranscriber({ url: url(), config: cfg, env });
      await t.close();
      const v = await createRealtimeVoiceSession({ url: url(), config: cfg, env });
      await v.close();
    }
    expect(emu.requests.filter((r) => r.transport === "websocket")).toHaveLength(8);
  });
});

describe("Voice Call provider selectors", () => {
  it.each([
    ["streaming", "streaming transcription", () => resolveTranscriberSettings({}, { env, config: voiceCall({ config: { streaming: { provider: "deepgram" } } }) })],
    ["realtime", "realtime voice", () => resolveVoiceSettings({}, { env, config: voiceCall({ config: { realtime: { provider: "deepgram" } } }) })],
  ] as const)("%s.provider other than openai is a typed error naming key, value and fix", async (kind, what, run) => {
    const path = `plugins.entries.voice-call.config.${kind}.provider`;
    const error = await failure(run);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "provider_unavailable", path });
    expect(error.message).toBe(`${path} is "deepgram", but Genesis ships only the openai ${what} provider.`);
    expect(error.hint).toBe(`Only 'openai' is available; remove the key ('genesis config unset ${path}') or set it to openai ('genesis config set ${path} openai').`);
  });

  it("openai (any case) is accepted; the refusal happens before any connection", async () => {
    const ok = voiceCall({ config: { streaming: { provider: "OpenAI" }, realtime: { provider: "openai" } } });
    expect(resolveTranscriberSettings({}, { env, config: ok }).settings.provider).toBe("openai");
    expect(resolveVoiceSettings({}, { env, config: ok }).settings.provider).toBe("openai");
    const bad = voiceCall({ config: { realtime: { provider: "elevenlabs" } } });
    expect(await failure(() => createRealtimeVoiceSession({ url: url(), config: bad, env }))).toMatchObject({ code: "provider_unavailable" });
    expect(emu.requests).toEqual([]);
  });

  it("a secret pasted as the provider is not echoed", async () => {
    const error = await failure(() => resolveVoiceSettings({}, { env, config: voiceCall({ config: { realtime: { provider: KEY } } }) }));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).not.toContain(KEY);
    expect(inspect(error)).not.toContain(KEY);
  });
});

describe("realtime voice temperature", () => {
  it("the default 0.8 gives no warning", () => {
    expect(resolveVoiceSettings({}, { env }).settings.warnings).toEqual([]);
  });

  it("an explicit temperature (config or option) is kept, not sent, and warned about", async () => {
    const fromConfig = resolveVoiceSettings({}, { env, config: voiceCall({ config: { realtime: { providers: { openai: { temperature: 0.6 } } } } }) });
    expect(fromConfig.settings.temperature).toBe(0.6);
    expect(fromConfig.settings.warnings).toEqual([
      `${VOICE_CONFIG_PATH}.temperature (0.6) is not sent: GA realtime sessions have no temperature setting, so the model uses its own. Remove it to silence this warning.`,
    ]);
    const session = await createRealtimeVoiceSession({ url: url(), env, temperature: 1.1 });
    try {
      expect(session.settings.warnings).toHaveLength(1);
      expect(session.settings.warnings[0]).toMatch(/^options\.temperature \(1\.1\) is not sent/);
      const socket = emu.requests.find((r) => r.transport === "websocket")!;
      expect(JSON.stringify(socket.frames)).not.toContain("temperature");
    } finally {
      await session.close();
    }
  });
});
