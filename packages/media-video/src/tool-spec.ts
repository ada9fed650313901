/**
 * The `video_generate` tool's name, description and argument schema, without the code that runs
 * it: this entry (`@genesis/media-video/tool-spec`) imports nothing, so an agent can offer the
 * tool on every turn and load the package only when the model calls it.
 */

/** Clip lengths the Videos API accepts, as the strings it expects. */
export const VIDEO_SECONDS = ["4", "8", "12"] as const;

/** Every `WxH` the Videos API knows; the last two need a sora-2-pro model. */
export const VIDEO_SIZES = ["720x1280", "1280x720", "1024x1792", "1792x1024"] as const;

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

/** What a tool registry needs to offer `video_generate` to a model. */
export const VIDEO_GENERATE_TOOL_SPEC = {
  name: "video_generate",
  description:
    "Generate a short video clip (OpenAI Sora) from a text prompt, optionally animating one reference image or editing one earlier generated video (by its video_... id). Saves an MP4 and returns its path.",
  parameters: VIDEO_GENERATE_PARAMETERS,
} as const;
