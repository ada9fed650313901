import { generateVideo, type GenerateVideoOptions } from "./generate-video.js";
import type { VideoRequest } from "./video-options.js";
import { VIDEO_GENERATE_TOOL_SPEC } from "./tool-spec.js";

/** What the runtime passes to `execute` besides the arguments (structurally runtime's `ToolContext`). */
export interface VideoToolContext {
  sessionId: string;
  /** Relative reference image paths resolve against it. */
  cwd: string;
  /** Cancels polling and downloads. */
  signal: AbortSignal;
}

/** The `video_generate` tool: structurally a `@genesis/runtime` `ToolDefinition`. */
export interface VideoGenerateTool {
  name: "video_generate";
  description: string;
  parameters: Record<string, unknown>;
  /** Runs one generation; answers JSON text with `path`, `videoId`, `model`, `seconds`, `size`, `mode`, `warnings` (and `failover`). */
  execute(args: Record<string, unknown>, ctx: VideoToolContext): Promise<string>;
}

/** Options of {@link createVideoGenerateTool}: those of `generateVideo` except the per-call `cwd` and `signal`, which come from the tool context. */
export type VideoGenerateToolOptions = Omit<GenerateVideoOptions, "cwd" | "signal">;

function withoutNulls(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args ?? {}).filter(([, value]) => value !== null));
}

/**
 * Create the `video_generate` tool for an agent's tool registry. Each call generates one clip
 * with {@link generateVideo} (text-to-video, image-to-video from one image, or an edit of one
 * earlier video) and answers JSON text the model can quote: the written file's path, the video
 * id (for a later edit), model, seconds, size, any warnings and, when a fallback model took the
 * job, `failover: [{ model, code, reason }]`. Errors are thrown as typed
 * Genesis errors; the runtime hands their message back to the model.
 *
 * Defaults come from `options.config` (`agents.defaults.videoGenerationModel.primary`,
 * `models.providers.openai`) and `OPENAI_API_KEY`; videos go to `$GENESIS_HOME/media/videos`.
 */
export function createVideoGenerateTool(options: VideoGenerateToolOptions = {}): VideoGenerateTool {
  return {
    ...VIDEO_GENERATE_TOOL_SPEC,
    async execute(args, ctx) {
      const result = await generateVideo(withoutNulls(args) as VideoRequest, { ...options, cwd: ctx.cwd, signal: ctx.signal });
      return JSON.stringify({
        status: "completed",
        path: result.path,
        videoId: result.videoId,
        model: result.model,
        seconds: result.seconds,
        size: result.size,
        mode: result.mode,
        ...(result.remixedFrom ? { remixedFrom: result.remixedFrom } : {}),
        ...(result.thumbnailPath ? { thumbnailPath: result.thumbnailPath } : {}),
        warnings: result.warnings,
        ...(result.failover ? { failover: result.failover } : {}),
      });
    },
  };
}
