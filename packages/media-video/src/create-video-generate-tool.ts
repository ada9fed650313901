import { generateVideo, type GenerateVideoOptions } from "./generate-video.js";
import { VIDEO_SECONDS, VIDEO_SIZES, type VideoRequest } from "./video-options.js";

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
  /** Runs one generation; answers JSON text with `path`, `videoId`, `model`, `seconds`, `size`, `mode`, `warnings`. */
  execute(args: Record<string, unknown>, ctx: VideoToolContext): Promise<string>;
}

/** Options of {@link createVideoGenerateTool}: those of `generateVideo` except the per-call `cwd` and `signal`, which come from the tool context. */
export type VideoGenerateToolOptions = Omit<GenerateVideoOptions, "cwd" | "signal">;

const reference = (what: string) => ({ type: "string", description: what });

/** JSON Schema of the tool's arguments. Optional fields may arrive as `null` on strict routes. */
export const VIDEO_GENERATE_PARAMETERS: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  required: ["prompt"],
  properties: {
    prompt: { type: "string", description: "What the video shows: subject, action, camera, style." },
    model: { type: "string", description: "Video model ref, e.g. openai/sora-2 (default) or openai/sora-2-pro." },
    seconds: { type: "string", enum: [...VIDEO_SECONDS], description: "Clip length in seconds (default 4)." },
    size: { type: "string", enum: [...VIDEO_SIZES], description: "Output WIDTHxHEIGHT. 1024x1792 and 1792x1024 need openai/sora-2-pro. Default 720x1280, or the reference image's size." },
    image: reference("Path of one reference image (PNG/JPEG/WebP) to animate; it must have exactly the output size."),
    images: { type: "array", items: { type: "string" }, description: "Reference images as a list (at most one reference in total)." },
    video: reference("Id (video_...) of a video generated earlier, to edit it with the prompt."),
    videos: { type: "array", items: { type: "string" }, description: "Videos to edit as a list (at most one reference in total)." },
    thumbnail: { type: "boolean", description: "Also save the video's thumbnail image." },
    aspectRatio: { type: "string", description: "Not supported by this provider (ignored with a warning); use size." },
    resolution: { type: "string", description: "Not supported by this provider (ignored with a warning); use size." },
    audio: { type: "boolean", description: "Not supported by this provider (ignored with a warning)." },
    watermark: { type: "boolean", description: "Not supported by this provider (ignored with a warning)." },
  },
};

function withoutNulls(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args ?? {}).filter(([, value]) => value !== null));
}

/**
 * Create the `video_generate` tool for an agent's tool registry. Each call generates one clip
 * with {@link generateVideo} (text-to-video, image-to-video from one image, or an edit of one
 * earlier video) and answers JSON text the model can quote: the written file's path, the video
 * id (for a later edit), model, seconds, size and any warnings. Errors are thrown as typed
 * Genesis errors; the runtime hands their message back to the model.
 *
 * Defaults come from `options.config` (`agents.defaults.videoGenerationModel.primary`,
 * `models.providers.openai`) and `OPENAI_API_KEY`; videos go to `$GENESIS_HOME/media/videos`.
 */
export function createVideoGenerateTool(options: VideoGenerateToolOptions = {}): VideoGenerateTool {
  return {
    name: "video_generate",
    description:
      "Generate a short video clip (OpenAI Sora) from a text prompt, optionally animating one reference image or editing one earlier generated video (by its video_... id). Saves an MP4 and returns its path.",
    parameters: VIDEO_GENERATE_PARAMETERS,
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
      });
    },
  };
}
