import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { ConfigError, type GenesisConfig } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createImageGenerateTool } from "./create-image-generate-tool.js";
import { generateImages } from "./generate-images.js";
import { apiKeyConfig, codexConfig, makeHome, signInCodex, type TestHome } from "./__fixtures__/image-env.js";

const KEY = "sk-image-switch-key-0123456789";
let emu: Emulator;
let t: TestHome;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  t = await makeHome();
});
afterEach(async () => {
  emu.reset();
  await t.cleanup();
});
afterAll(async () => {
  await emu.close();
});

const off = (config: GenesisConfig, enabled = false): GenesisConfig => ({ ...config, plugins: { entries: { openai: { enabled } } } }) as GenesisConfig;

describe("plugins.entries.openai.enabled for image_generate", () => {
  it("false refuses the API-key and Codex routes before any request or file read", async () => {
    await signInCodex(emu, t.store);
    const configs = [off(apiKeyConfig(emu.apiBase, KEY)), off(codexConfig(emu))];
    for (const config of configs) {
      // A reference image that does not exist: the switch is reported, not the missing file.
      const error = (await generateImages({ prompt: "fox", image: join(t.home, "missing.png") }, { config, env: t.env, authStore: t.store, outputDir: t.outputDir }).catch((e: unknown) => e)) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.openai.enabled" });
      expect(error.message).toBe("image_generate needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).");
      expect(error.hint).toContain("genesis config set plugins.entries.openai.enabled true");
      expect(inspect(error)).not.toContain(KEY);
    }
    expect(emu.requests).toEqual([]);
  });

  it("the tool refuses too, also when the config comes from GENESIS_HOME", async () => {
    await writeFile(join(t.home, "genesis.json5"), JSON.stringify({ plugins: { entries: { openai: { enabled: false } } } }));
    const tool = createImageGenerateTool({ env: { ...t.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: emu.apiBase }, authStore: t.store, outputDir: t.outputDir });
    await expect(tool.execute({ prompt: "fox" }, { sessionId: "s", cwd: t.home, signal: new AbortController().signal })).rejects.toMatchObject({ code: "plugin_disabled" });
    expect(emu.requests).toEqual([]);
  });

  it("true (like an absent key) generates as usual", async () => {
    const result = await generateImages({ prompt: "fox", size: "1024x1024" }, { config: off(apiKeyConfig(emu.apiBase, KEY), true), env: t.env, authStore: t.store, outputDir: t.outputDir });
    expect(result.images).toHaveLength(1);
    expect(emu.requests.map((r) => r.path)).toEqual(["/v1/images/generations"]);
  });
});
