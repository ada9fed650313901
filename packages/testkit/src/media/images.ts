import { errorReply, digest, isMultipart, isReply, jsonObject, makeId, multipartBody, roughTokens, slot, unixNow } from "../_endpoint-util.js";
import { fieldValue, filesOf, type MultipartBody } from "../_multipart.js";
import { encodeJpeg } from "../_jpeg.js";
import { encodePng, gradientRgb } from "../_png.js";
import type { EmulatorContext, EmulatorRequest, HttpReply, RouteDef } from "../_types.js";

/**
 * `/v1/images/generations` and `/v1/images/edits`. Images are real PNGs (or baseline JPEGs for
 * `output_format: "jpeg"`) of the requested size: a deterministic gradient seeded by the prompt
 * and inputs. WebP is not encoded: `output_format: "webp"` answers PNG bytes and says so
 * (`output_format: "png"` in the answer), so a client that trusts the field decodes correctly.
 */

/** Normalised image request fields shared by generation and edit (and the Azure paths). */
export interface ImageJob {
  model: string;
  prompt: string;
  n: number;
  size: string | undefined;
  quality: string | undefined;
  background: string | undefined;
  responseFormat: string | undefined;
  stream: boolean;
  partialImages: number;
  /** Extra seed material (input image bytes for edits). */
  seed: string;
  /** Prompt tokens contributed by input images (edits). */
  imageTokens: number;
  /** Requested `output_format` (gpt-image models): png (default), jpeg, webp (answered as png). */
  outputFormat?: string | undefined;
  /** `output_compression` 0-100 for jpeg (default 100). */
  compression?: number | undefined;
}

const FIXED_SIZES: Record<string, string[]> = {
  "dall-e-2": ["256x256", "512x512", "1024x1024"],
  "dall-e-3": ["1024x1024", "1792x1024", "1024x1792"],
  "gpt-image-1": ["1024x1024", "1536x1024", "1024x1536"],
  "gpt-image-1-mini": ["1024x1024", "1536x1024", "1024x1536"],
  "gpt-image-1.5": ["1024x1024", "1536x1024", "1024x1536"],
};

const isGptImage = (model: string): boolean => !model.startsWith("dall-e");

/** Resolves `size` for `model` to pixels, or an error reply naming the allowed values. */
export function resolveImageSize(model: string, size: string | undefined): { width: number; height: number } | HttpReply {
  if (size === undefined || size === "auto") return { width: 1024, height: 1024 };
  const fixed = FIXED_SIZES[model];
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(size);
  if (fixed && !fixed.includes(size)) {
    return errorReply(400, `Invalid value: '${size}'. Supported values are: ${fixed.map((s) => `'${s}'`).join(", ")}${isGptImage(model) ? ", and 'auto'" : ""}.`, "size", "invalid_value");
  }
  if (!m) return errorReply(400, `Invalid value: '${size}'. Expected 'auto' or WIDTHxHEIGHT.`, "size", "invalid_value");
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (!fixed) {
    // gpt-image-2 rules: both sides multiples of 16, aspect at most 3:1, at most 3840x2160.
    const long = Math.max(width, height);
    const short = Math.min(width, height);
    const problem =
      width % 16 || height % 16
        ? "both dimensions must be multiples of 16"
        : long > 3 * short
          ? "the aspect ratio must be between 1:3 and 3:1"
          : long > 3840 || short > 2160
            ? "the maximum size is 3840x2160"
            : short < 16
              ? "the minimum side is 16 pixels"
              : undefined;
    if (problem) return errorReply(400, `Invalid value: '${size}'. For ${model}, ${problem}.`, "size", "invalid_value");
  }
  return { width, height };
}

/** Output tokens the API would bill for one image (scaled from the 1024² token table). */
function outputTokens(width: number, height: number, quality: string | undefined): number {
  const per1k = quality === "low" ? 272 : quality === "high" ? 4160 : 1056;
  return Math.ceil((per1k * width * height) / (1024 * 1024));
}

/** Generated images kept for `response_format: "url"` downloads, keyed by file name. */
function imageStore(ctx: EmulatorContext): Map<string, Buffer> {
  return slot(ctx, "images:files", () => new Map<string, Buffer>());
}

/** Runs an image job and builds the reply: JSON `ImagesResponse`, or SSE when `stream`. */
export function runImageJob(job: ImageJob, ctx: EmulatorContext, eventPrefix: "image_generation" | "image_edit"): HttpReply {
  if (!Number.isInteger(job.n) || job.n < 1 || job.n > 10) return errorReply(400, `Invalid value: ${job.n}. 'n' must be between 1 and 10.`, "n", "invalid_value");
  if (job.model === "dall-e-3" && job.n !== 1) return errorReply(400, "Invalid value: 'n'. dall-e-3 only supports n=1.", "n", "invalid_value");
  if (!job.prompt.trim()) return errorReply(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
  const dims = resolveImageSize(job.model, job.size);
  if (isReply(dims)) return dims;
  const { width, height } = dims;
  const created = unixNow(ctx);
  const asUrl = !isGptImage(job.model) && job.responseFormat !== "b64_json";
  const format = isGptImage(job.model) && job.outputFormat === "jpeg" ? "jpeg" : "png";
  if (format === "jpeg" && job.background === "transparent") {
    return errorReply(400, "Transparent background requires output_format 'png' or 'webp'.", "background", "invalid_value");
  }
  const c = job.compression;
  if (c !== undefined && (!Number.isInteger(c) || c < 0 || c > 100)) return errorReply(400, `Invalid value: ${c}. 'output_compression' must be between 0 and 100.`, "output_compression", "invalid_value");
  const images = Array.from({ length: job.n }, (_, i) => {
    const rgb = gradientRgb(width, height, `${job.prompt}\n${job.seed}\n${i}`);
    // libjpeg's scale has no quality 0; the API's 0 is "smallest file".
    return format === "jpeg" ? encodeJpeg(width, height, rgb, Math.max(1, c ?? 100)) : encodePng(width, height, rgb);
  });
  const perImage = outputTokens(width, height, job.quality);
  const textTokens = roughTokens(job.prompt);
  const usage = {
    total_tokens: textTokens + job.imageTokens + perImage * job.n,
    input_tokens: textTokens + job.imageTokens,
    output_tokens: perImage * job.n,
    input_tokens_details: { text_tokens: textTokens, image_tokens: job.imageTokens },
  };
  const quality = job.quality === "low" || job.quality === "medium" || job.quality === "high" ? job.quality : "high";
  const background = job.background === "transparent" ? "transparent" : "opaque";
  const size = `${width}x${height}`;
  if (job.stream) return streamReply(images, eventPrefix, { created, size, quality, background, format, usage, partials: job.partialImages });
  const data = images.map((img) => {
    if (!asUrl) return { b64_json: img.toString("base64"), ...(job.model === "dall-e-3" ? { revised_prompt: job.prompt } : {}) };
    const name = `${makeId(ctx, "img")}.png`;
    imageStore(ctx).set(name, img);
    return { url: `${ctx.origin}/emulator/images/${name}` };
  });
  const body = isGptImage(job.model) ? { created, background, data, output_format: format, quality, size, usage } : { created, data };
  return { status: 200, body };
}

function streamReply(
  images: Buffer[],
  prefix: string,
  meta: { created: number; size: string; quality: string; background: string; format: string; usage: object; partials: number },
): HttpReply {
  let out = "";
  const send = (type: string, payload: object): void => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  };
  const common = { created_at: meta.created, size: meta.size, quality: meta.quality, background: meta.background, output_format: meta.format };
  for (const img of images) {
    for (let p = 0; p < Math.min(3, Math.max(0, meta.partials)); p++) {
      send(`${prefix}.partial_image`, { b64_json: img.toString("base64"), partial_image_index: p, ...common });
    }
    send(`${prefix}.completed`, { b64_json: img.toString("base64"), ...common, usage: meta.usage });
  }
  return { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" }, body: out };
}

/** Reads an image job from a JSON generation body. */
export function jobFromJson(body: Record<string, unknown>): ImageJob {
  const str = (k: string): string | undefined => (typeof body[k] === "string" ? (body[k] as string) : undefined);
  const gptOnly = ["output_format", "background", "moderation", "output_compression", "partial_images"].some((k) => body[k] != null);
  return {
    model: str("model") ?? (gptOnly ? "gpt-image-1" : "dall-e-2"),
    prompt: str("prompt") ?? "",
    n: typeof body["n"] === "number" ? body["n"] : 1,
    size: str("size"),
    quality: str("quality"),
    background: str("background"),
    responseFormat: str("response_format"),
    stream: body["stream"] === true,
    partialImages: typeof body["partial_images"] === "number" ? body["partial_images"] : 0,
    seed: "",
    imageTokens: 0,
    outputFormat: str("output_format"),
    compression: typeof body["output_compression"] === "number" ? body["output_compression"] : undefined,
  };
}

/** Detects PNG/JPEG/WEBP by magic bytes. */
export function imageKind(data: Buffer): "image/png" | "image/jpeg" | "image/webp" | undefined {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47) return "image/png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.length >= 12 && data.toString("latin1", 0, 4) === "RIFF" && data.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  return undefined;
}

/** Reads an image job from a multipart edit body; validates the image and mask files. */
export function jobFromMultipart(form: MultipartBody): ImageJob | HttpReply {
  const images = filesOf(form, "image", "image[]");
  if (images.length === 0) return errorReply(400, "Missing required parameter: 'image'.", "image", "missing_required_parameter");
  if (images.length > 16) return errorReply(400, `Invalid 'image': too many images (${images.length}); the maximum is 16.`, "image", "invalid_value");
  for (const file of [...images, ...filesOf(form, "mask")]) {
    if (!imageKind(file.data)) {
      return errorReply(400, `Invalid file '${file.field}': unsupported mimetype ('${file.contentType}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`, file.field.replace("[]", ""), "invalid_image_format");
    }
  }
  const num = (k: string): number | undefined => {
    const v = fieldValue(form, k);
    return v === undefined ? undefined : Number(v);
  };
  return {
    model: fieldValue(form, "model") ?? "gpt-image-1",
    prompt: fieldValue(form, "prompt") ?? "",
    n: num("n") ?? 1,
    size: fieldValue(form, "size"),
    quality: fieldValue(form, "quality"),
    background: fieldValue(form, "background"),
    responseFormat: fieldValue(form, "response_format"),
    stream: fieldValue(form, "stream") === "true",
    partialImages: num("partial_images") ?? 0,
    seed: digest(Buffer.concat(images.map((f) => f.data))).toString("hex"),
    imageTokens: 65 * images.length,
    outputFormat: fieldValue(form, "output_format"),
    compression: num("output_compression"),
  };
}

/** Reads an image job from the JSON edit variant (`images: [{image_url}|{file_id}]`). */
function jobFromJsonEdit(body: Record<string, unknown>): ImageJob | HttpReply {
  const refs = body["images"];
  if (!Array.isArray(refs) || refs.length === 0) return errorReply(400, "Missing required parameter: 'images'.", "images", "missing_required_parameter");
  return { ...jobFromJson(body), model: typeof body["model"] === "string" ? body["model"] : "gpt-image-1", seed: JSON.stringify(refs), imageTokens: 65 * refs.length };
}

/** Handles an edit request in either body format. */
export function handleEdit(req: EmulatorRequest, ctx: EmulatorContext): HttpReply {
  let job: ImageJob | HttpReply;
  if (isMultipart(req)) {
    const form = multipartBody(req);
    job = isReply(form) ? form : jobFromMultipart(form);
  } else {
    const body = jsonObject(req);
    job = isReply(body) ? body : jobFromJsonEdit(body);
  }
  return isReply(job) ? job : runImageJob(job, ctx, "image_edit");
}

/** Routes of this module. */
export const imageRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/v1/images/generations",
    operationId: "createImage",
    handler(req, ctx) {
      const body = jsonObject(req);
      return isReply(body) ? body : runImageJob(jobFromJson(body), ctx, "image_generation");
    },
  },
  {
    method: "POST",
    pattern: "/v1/images/edits",
    operationId: "createImageEdit",
    handler(req, ctx) {
      return handleEdit(req, ctx);
    },
  },
  {
    method: "GET",
    pattern: "/emulator/images/:name",
    handler(req, ctx) {
      const png = imageStore(ctx).get(req.params["name"] ?? "");
      return png ? { status: 200, headers: { "content-type": "image/png" }, body: png } : errorReply(404, "No such image.", null, "not_found");
    },
  },
];
