import { generateImages, type GenerateImagesOptions } from "./generate-images.js";
import type { ImageRequestInput } from "./image-request.js";
import { IMAGE_GENERATE_TOOL_SPEC } from "./tool-spec.js";

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

/**
 * Create the `image_generate` tool for an agent's tool registry. `execute` validates the
 * arguments (typed `ImageRequestError` naming the field), generates through the route the
 * config and sign-in select, writes the files (default `$GENESIS_HOME/media/images`) and
 * answers JSON: `{ model, route, mode, images: [{path, width, height, format, bytes}], warnings }`,
 * plus `failover: [{ model, code, reason }]` when a fallback model produced the images.
 */
export function createImageGenerateTool(options: ImageGenerateToolOptions = {}): ImageGenerateTool {
  return {
    ...IMAGE_GENERATE_TOOL_SPEC,
    async execute(args, ctx) {
      // Strict function calling makes optional parameters nullable, so a model sends `null` for
      // "not given"; drop those. The rest is validated by generateImages (zod) before any I/O.
      const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null));
      const result = await generateImages(given as ImageRequestInput, { ...options, signal: ctx.signal, cwd: ctx.cwd });
      return JSON.stringify(result);
    },
  };
}
