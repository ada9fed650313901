import { generateImages, type GenerateImagesOptions } from "./generate-images.js";
import { MAX_IMAGE_COUNT, MAX_REFERENCE_IMAGES, type ImageRequestInput } from "./image-request.js";

/** Per-call context the runtime passes (structurally the runtime's `ToolContext`). */
export interface ImageToolContext {
  sessionId: string;
  /** Relative reference-image paths resolve against it. */
  cwd: string;
  signal: AbortSignal;
}

/** The `image_generate` tool, structurally the runtime's `ToolDefinition`. */
export interface ImageGenerateTool {
  readonly name: "image_generate";
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  /** Generates the images and answers JSON text: written files, sizes, model, route, warnings. */
  execute(args: Record<string, unknown>, ctx: ImageToolContext): Promise<string>;
}

/** Options of {@link createImageGenerateTool}: those of `generateImages` minus per-call ones. */
export type ImageGenerateToolOptions = Omit<GenerateImagesOptions, "signal" | "cwd">;

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

/**
 * Create the `image_generate` tool for an agent's tool registry. `execute` validates the
 * arguments (typed `ImageRequestError` naming the field), generates through the route the
 * config and sign-in select, writes the files (default `$GENESIS_HOME/media/images`) and
 * answers JSON: `{ model, route, mode, images: [{path, width, height, format, bytes}], warnings }`.
 */
export function createImageGenerateTool(options: ImageGenerateToolOptions = {}): ImageGenerateTool {
  return {
    name: "image_generate",
    description:
      "Generate images with OpenAI GPT Image models (default gpt-image-2), or edit up to 5 reference images. Saves the files and returns their paths.",
    parameters: IMAGE_GENERATE_PARAMETERS,
    async execute(args, ctx) {
      // Strict function calling makes optional parameters nullable, so a model sends `null` for
      // "not given"; drop those. The rest is validated by generateImages (zod) before any I/O.
      const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null));
      const result = await generateImages(given as ImageRequestInput, { ...options, signal: ctx.signal, cwd: ctx.cwd });
      return JSON.stringify(result);
    },
  };
}
