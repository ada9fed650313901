import { createImageGenerateTool, IMAGE_GENERATE_PARAMETERS } from "@genesis/media-image";
import { createVideoGenerateTool, VIDEO_GENERATE_PARAMETERS } from "@genesis/media-video";
import type { AgentSnapshot } from "./_agent-env.js";
import type { ToolDefinition } from "./tool-registry.js";

/** What the media tools need from the agent: the current config/auth and the injected fetch. */
export interface MediaToolSource {
  snapshot(): Promise<AgentSnapshot>;
  fetch?: typeof globalThis.fetch;
}

/**
 * `image_generate` and `video_generate`, reading config and credentials at call time (like a
 * turn does), so a `config set` or a new sign-in applies to the next call without a restart.
 * The heavy work lives in @genesis/media-image and @genesis/media-video; this only binds them
 * to the agent's environment.
 */
export function mediaTools(source: MediaToolSource): ToolDefinition[] {
  const image: ToolDefinition = {
    name: "image_generate",
    description:
      "Generate images from a text prompt, or edit up to 5 reference images (paths under the working directory). " +
      "Default model openai/gpt-image-2; returns the written file paths as JSON.",
    parameters: IMAGE_GENERATE_PARAMETERS,
    async execute(args, ctx) {
      const snap = await source.snapshot();
      const tool = createImageGenerateTool({ config: snap.config, env: snap.env, authStore: snap.authStore, ...(source.fetch ? { fetch: source.fetch } : {}) });
      return tool.execute(args, ctx);
    },
  };
  const video: ToolDefinition = {
    name: "video_generate",
    description:
      "Generate a short video (openai/sora-2 by default) from a prompt, animate one reference image, or edit one earlier video by id. " +
      "Waits for the job and returns the written MP4 path as JSON.",
    parameters: VIDEO_GENERATE_PARAMETERS,
    async execute(args, ctx) {
      const snap = await source.snapshot();
      const authFile = await snap.authStore.read();
      const tool = createVideoGenerateTool({ config: snap.config, env: snap.env, authFile, ...(source.fetch ? { fetch: source.fetch } : {}) });
      return tool.execute(args, ctx);
    },
  };
  return [image, video];
}
