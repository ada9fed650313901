import { z } from "zod";
import { parseModelRef, redactSecrets } from "@genesis/core";
import { ImageRequestError } from "./image-errors.js";
import { MAX_IMAGE_COUNT, MAX_REFERENCE_IMAGES } from "./tool-spec.js";

export { MAX_IMAGE_COUNT, MAX_REFERENCE_IMAGES };

/** Default image model when neither the call nor `agents.defaults.imageGenerationModel.primary` names one. */
export const DEFAULT_IMAGE_MODEL = "openai/gpt-image-2";
/** Largest output: 3840x2160 in either orientation (this is the long side). */
export const MAX_LONG_SIDE = 3840;
/** Largest output's short side (3840x2160). */
export const MAX_SHORT_SIDE = 2160;

const SIZE = /^(\d{1,5})x(\d{1,5})$/;
const RATIO = /^(\d{1,3}):(\d{1,3})$/;

const sizeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine((value, ctx) => {
    if (value === "auto") return;
    const m = SIZE.exec(value);
    if (!m) return void ctx.addIssue({ code: "custom", message: `"${value.slice(0, 40)}" is not WIDTHxHEIGHT or auto` });
    const [w, h] = [Number(m[1]), Number(m[2])];
    if (w < 16 || h < 16) return void ctx.addIssue({ code: "custom", message: `${value} is too small (each side at least 16)` });
    if (Math.max(w, h) > MAX_LONG_SIDE || Math.min(w, h) > MAX_SHORT_SIDE) {
      ctx.addIssue({ code: "custom", message: `${value} is larger than ${MAX_LONG_SIDE}x${MAX_SHORT_SIDE}` });
    }
  });

/** The per-call request, as the tool receives it (camelCase). */
export const imageRequestSchema = z.strictObject({
  /** Model ref `openai/<id>`; on Azure the id is the deployment name. */
  model: z.string().trim().min(1).optional(),
  prompt: z.string().refine((p) => p.trim() !== "", "must not be empty"),
  /** `WIDTHxHEIGHT` up to 3840x2160, or `auto`. */
  size: sizeSchema.optional(),
  /** 1-4 images. */
  count: z.number().int("must be a whole number").min(1, `must be 1-${MAX_IMAGE_COUNT}`).max(MAX_IMAGE_COUNT, `must be 1-${MAX_IMAGE_COUNT}`).optional(),
  /** One path or up to 5: switches to edit mode. */
  image: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(MAX_REFERENCE_IMAGES, `at most ${MAX_REFERENCE_IMAGES} reference images`)]).optional(),
  quality: z.enum(["low", "medium", "high", "auto"]).optional(),
  background: z.enum(["transparent", "opaque", "auto"]).optional(),
  outputFormat: z.enum(["png", "jpeg", "webp"]).optional(),
  /** `W:H`, e.g. `16:9`. API-key route: not forwarded; Codex route: mapped to a size when safe. */
  aspectRatio: z.string().trim().regex(RATIO, "expected W:H such as 16:9").optional(),
  /** `1K`, `2K` or `4K`. Same forwarding rules as `aspectRatio`. */
  resolution: z.string().trim().toUpperCase().pipe(z.enum(["1K", "2K", "4K"])).optional(),
});

/** Input of {@link parseImageRequest} (what a caller or the model passes). */
export type ImageRequestInput = z.input<typeof imageRequestSchema>;
/** A validated request: `images` is always an array, `count` defaults to 1. */
export type ImageRequest = Omit<z.output<typeof imageRequestSchema>, "image" | "count"> & { count: number; images: string[] };

const HINTS: Record<string, string> = {
  model: "Use a ref like openai/gpt-image-2 (on Azure: openai/<deployment-name>).",
  prompt: "Describe the image to generate in prompt.",
  size: `Use WIDTHxHEIGHT up to ${MAX_LONG_SIDE}x${MAX_SHORT_SIDE} (e.g. 1024x1024, 1536x1024, 3840x2160) or auto.`,
  count: `Ask for 1 to ${MAX_IMAGE_COUNT} images per call.`,
  image: `Pass one path or an array of up to ${MAX_REFERENCE_IMAGES} PNG/JPEG/WebP paths.`,
  quality: "Use low, medium, high or auto.",
  background: "Use transparent, opaque or auto.",
  outputFormat: "Use png, jpeg or webp.",
  aspectRatio: "Use W:H such as 1:1, 3:2, 16:9 or 9:16.",
  resolution: "Use 1K, 2K or 4K.",
};

/**
 * Validate a request and check the model ref (provider must be `openai`).
 * @throws ImageRequestError naming the first bad field and how to fix it.
 */
export function parseImageRequest(input: unknown): ImageRequest {
  const parsed = imageRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === "unrecognized_keys" ? String(issue.keys[0]) : String(issue.path[0] ?? "request");
    const message = issue.code === "unrecognized_keys" ? "unknown parameter" : issue.message;
    const hint = HINTS[field] ?? `Known parameters: ${Object.keys(HINTS).join(", ")}.`;
    throw new ImageRequestError(field, redactSecrets(message), hint);
  }
  const { image, count, ...rest } = parsed.data;
  if (rest.model !== undefined) assertImageModel(rest.model);
  if (rest.background === "transparent" && rest.outputFormat === "jpeg") {
    throw new ImageRequestError("background", "transparent needs png or webp output", "Set outputFormat to png or webp, or background to opaque.");
  }
  return { ...rest, count: count ?? 1, images: image === undefined ? [] : Array.isArray(image) ? image : [image] };
}

/** Check that `ref` is an `openai/<id>` ref; returns the id. */
export function assertImageModel(ref: string): string {
  let parsed;
  try {
    parsed = parseModelRef(ref);
  } catch {
    throw new ImageRequestError("model", `"${redactSecrets(ref).slice(0, 80)}" is not a model ref`, HINTS.model!);
  }
  if (parsed.provider !== "openai") {
    throw new ImageRequestError("model", `${parsed.provider}/* cannot generate images here`, HINTS.model!);
  }
  return parsed.model;
}

// gpt-image-2's smallest output in pixels (1024x640); a mapped size below it is scaled up.
const MIN_PIXELS = 655_360;

/**
 * Map `aspectRatio`/`resolution` to a `WIDTHxHEIGHT` the gpt-image-2 size rules accept (sides
 * multiples of 16, ratio within 3:1, inside 3840x2160, at least 655,360 pixels), or undefined
 * when that is not safe. Common ratios without a resolution map to the standard 1024-based sizes.
 */
export function mapAspectToSize(aspectRatio: string | undefined, resolution: string | undefined): string | undefined {
  const m = aspectRatio ? RATIO.exec(aspectRatio) : ["1:1", "1", "1"];
  if (!m) return undefined;
  const [rw, rh] = [Number(m[1]), Number(m[2])];
  if (rw === 0 || rh === 0 || Math.max(rw, rh) > 3 * Math.min(rw, rh)) return undefined;
  if (!resolution) {
    const standard: Record<string, string> = { "1:1": "1024x1024", "3:2": "1536x1024", "2:3": "1024x1536" };
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    const g = gcd(rw, rh);
    const key = `${rw / g}:${rh / g}`;
    if (standard[key]) return standard[key];
  }
  const long = resolution === "4K" ? MAX_LONG_SIDE : resolution === "2K" ? 2048 : 1024;
  const landscape = rw >= rh;
  const ratio = Math.max(rw, rh) / Math.min(rw, rh);
  let l = long;
  let s = long / ratio;
  // Fit inside the 3840x2160 box, keeping the ratio.
  if (s > MAX_SHORT_SIDE) {
    s = MAX_SHORT_SIDE;
    l = s * ratio;
  }
  if (l * s < MIN_PIXELS) {
    const grow = Math.sqrt(MIN_PIXELS / (l * s));
    l *= grow;
    s *= grow;
  }
  // Nearest multiples of 16 around each side; keep the valid pair closest to the ratio.
  const sides = (v: number): number[] => [Math.floor(v / 16) * 16, Math.ceil(v / 16) * 16];
  let best: { L: number; S: number; err: number } | undefined;
  for (const L of sides(l)) {
    for (const S of sides(s)) {
      if (S < 16 || S > L || L > MAX_LONG_SIDE || S > MAX_SHORT_SIDE || L > 3 * S || L * S < MIN_PIXELS) continue;
      const err = Math.abs(L / S - ratio) / ratio;
      if (!best || err < best.err) best = { L, S, err };
    }
  }
  // Rounding must not distort the ratio noticeably.
  if (!best || best.err > 0.02) return undefined;
  return landscape ? `${best.L}x${best.S}` : `${best.S}x${best.L}`;
}
