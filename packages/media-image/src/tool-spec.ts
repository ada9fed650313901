/**
 * The `image_generate` tool's name, description and argument schema, without the code that runs
 * it: this entry (`@genesis/media-image/tool-spec`) imports nothing, so an agent can offer the
 * tool on every turn and load the package only when the model calls it.
 */

/** Images per call (`count`). */
export const MAX_IMAGE_COUNT = 4;
/** Reference images per edit (`image`). */
export const MAX_REFERENCE_IMAGES = 5;

/** JSON Schema of the tool's arguments (validated again with zod on every call). */
export const IMAGE_GENERATE_PARAMETERS: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  required: ["prompt"],
  properties: {
    prompt: { type: "string", description: "What to draw (or, with image, how to change the reference)." },
    model: { type: "string", description: "Model ref, default openai/gpt-image-2 (on Azure: openai/<deployment>)." },
    size: { type: "string", description: "WIDTHxHEIGHT up to 3840x2160 (e.g. 1024x1024, 1536x1024, 3840x2160) or auto." },
    count: { type: "integer", minimum: 1, maximum: MAX_IMAGE_COUNT, description: "How many images (default 1)." },
    image: {
      description: `Reference image path(s) for edit mode, up to ${MAX_REFERENCE_IMAGES}.`,
      anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 1, maxItems: MAX_REFERENCE_IMAGES }],
    },
    quality: { type: "string", enum: ["low", "medium", "high", "auto"] },
    background: { type: "string", enum: ["transparent", "opaque", "auto"] },
    outputFormat: { type: "string", enum: ["png", "jpeg", "webp"] },
    aspectRatio: { type: "string", description: "W:H such as 16:9; only used on the Codex route (mapped to a size)." },
    resolution: { type: "string", enum: ["1K", "2K", "4K"], description: "Only used on the Codex route (mapped to a size)." },
  },
};

/** What a tool registry needs to offer `image_generate` to a model. */
export const IMAGE_GENERATE_TOOL_SPEC = {
  name: "image_generate",
  description:
    "Generate images with OpenAI GPT Image models (default gpt-image-2), or edit up to 5 reference images. Saves the files and returns their paths.",
  parameters: IMAGE_GENERATE_PARAMETERS,
} as const;
