import { assertPluginEnabled } from "@genesis/core";
import { IMAGE_GENERATE_TOOL_SPEC } from "@genesis/media-image/tool-spec";
import { VIDEO_GENERATE_TOOL_SPEC } from "@genesis/media-video/tool-spec";
import type { AgentSnapshot } from "./_agent-env.js";
import type { ToolDefinition } from "./tool-registry.js";

/** What the media tools need from the agent: the current config/auth and the injected fetch. */
export interface MediaToolSource {
  snapshot(): Promise<AgentSnapshot>;
  fetch?: typeof globalThis.fetch;
}

/**
 * `image_generate` and `video_generate`. Offering them costs only their specs (zod-free entries);
 * the packages that run them load on the first call. Config and credentials are read at call
 * time, like a turn does, so a `config set` or a new sign-in applies without a restart; with
 * `plugins.entries.openai.enabled: false` a call fails (`plugin_disabled`) before the package loads.
 */
export function mediaTools(source: MediaToolSource): ToolDefinition[] {
  const injected = source.fetch ? { fetch: source.fetch } : {};
  const image: ToolDefinition = {
    ...IMAGE_GENERATE_TOOL_SPEC,
    async execute(args, ctx) {
      const snap = await source.snapshot();
      assertPluginEnabled(snap.config, "openai", "image_generate");
      const { createImageGenerateTool } = await import("@genesis/media-image");
      return createImageGenerateTool({ config: snap.config, env: snap.env, authStore: snap.authStore, ...injected }).execute(args, ctx);
    },
  };
  const video: ToolDefinition = {
    ...VIDEO_GENERATE_TOOL_SPEC,
    async execute(args, ctx) {
      const snap = await source.snapshot();
      assertPluginEnabled(snap.config, "openai", "video_generate");
      const { createVideoGenerateTool } = await import("@genesis/media-video");
      const authFile = await snap.authStore.read();
      return createVideoGenerateTool({ config: snap.config, env: snap.env, authFile, ...injected }).execute(args, ctx);
    },
  };
  return [image, video];
}
