import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { ConfigError } from "@genesis/core";
import { CANARY_KEY, requestLines, videoHarness, type VideoHarness } from "./__fixtures__/video-harness.js";
import { createVideoGenerateTool } from "./create-video-generate-tool.js";
import { generateVideo } from "./generate-video.js";

let h: VideoHarness;
beforeEach(async () => {
  h = await videoHarness();
});
afterEach(() => h.close());

const plugins = (enabled: boolean) => ({ plugins: { entries: { openai: { enabled } } } });

describe("plugins.entries.openai.enabled for video_generate", () => {
  it("false refuses generateVideo and the tool before any argument check or request", async () => {
    const error = (await generateVideo({ prompt: "waves", seconds: "5" as never }, h.options({ config: plugins(false) })).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "plugin_disabled", path: "plugins.entries.openai.enabled" });
    expect(error.message).toBe("video_generate needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).");
    expect(error.hint).toContain("genesis config set plugins.entries.openai.enabled true");
    expect(inspect(error)).not.toContain(CANARY_KEY);
    const tool = createVideoGenerateTool(h.options({ config: plugins(false) }));
    await expect(tool.execute({ prompt: "waves" }, { sessionId: "s", cwd: h.dir, signal: new AbortController().signal })).rejects.toMatchObject({ code: "plugin_disabled" });
    expect(h.emu.requests).toEqual([]);
  });

  it("true (like an absent key or no config) creates the job as usual", async () => {
    const result = await generateVideo({ prompt: "waves" }, h.options({ config: plugins(true) }));
    expect(result.mode).toBe("text-to-video");
    expect(requestLines(h.emu)[0]).toBe("POST /v1/videos");
  });
});
