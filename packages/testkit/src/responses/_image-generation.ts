import { isReply } from "../_endpoint-util.js";
import { encodeJpeg } from "../_jpeg.js";
import { encodePng, gradientRgb } from "../_png.js";
import { openaiError } from "../_router.js";
import type { HttpReply } from "../_types.js";
import { resolveImageSize } from "../media/images.js";
import { lastUserText } from "./_turn.js";

/**
 * The Responses `image_generation` hosted tool (spec `ImageGenTool` / `ImageGenToolCall`):
 * when a request offers the tool and `tool_choice` forces it (or the scripted turn asks for
 * it), the output gets one `image_generation_call` item whose `result` is a real base64 PNG
 * (or JPEG) of the requested size, preceded by `response.image_generation_call.*` progress
 * events. Sizes follow the Images API rules of the tool's `model` (default gpt-image-2 here).
 */

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

/** The request's image_generation tool and its index, if any. */
export function imageTool(body: Dict): { tool: Dict; index: number } | undefined {
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  const index = tools.findIndex((t) => isDict(t) && t["type"] === "image_generation");
  return index === -1 ? undefined : { tool: tools[index] as Dict, index };
}

/** True when the tool is offered and `tool_choice` forces it (or is `required`). */
export function imageToolForced(body: Dict): boolean {
  if (!imageTool(body)) return false;
  const choice = body["tool_choice"];
  return choice === "required" || (isDict(choice) && choice["type"] === "image_generation");
}

const modelOf = (tool: Dict): string => (typeof tool["model"] === "string" ? tool["model"] : "gpt-image-2");

/** Request-time checks the real API makes on the tool (size for the tool's model, jpeg + transparent). */
export function checkImageTool(body: Dict): HttpReply | undefined {
  const found = imageTool(body);
  if (!found) return undefined;
  const { tool, index } = found;
  const size = typeof tool["size"] === "string" ? tool["size"] : undefined;
  const dims = resolveImageSize(modelOf(tool), size);
  if (isReply(dims)) {
    const err = (dims.body as { error: { message: string } }).error;
    return { status: 400, body: openaiError(err.message, "invalid_request_error", "invalid_value", `tools[${index}].size`) };
  }
  if (tool["output_format"] === "jpeg" && tool["background"] === "transparent") {
    return { status: 400, body: openaiError("Transparent background requires output_format 'png' or 'webp'.", "invalid_request_error", "invalid_value", `tools[${index}].background`) };
  }
  return undefined;
}

/** Input images (data URLs or URLs) of the last user message, used as extra seed (edits). */
function inputImages(input: unknown): string[] {
  if (!Array.isArray(input)) return [];
  const out: string[] = [];
  for (const item of input) {
    if (!isDict(item) || item["role"] !== "user" || !Array.isArray(item["content"])) continue;
    for (const part of item["content"] as unknown[]) {
      if (isDict(part) && part["type"] === "input_image" && typeof part["image_url"] === "string") out.push(part["image_url"]);
    }
  }
  return out;
}

/**
 * The finished `image_generation_call` item for `body`. The tool, when present, was checked by
 * {@link checkImageTool}; a scripted `imageGeneration: true` without one uses the defaults.
 */
export function renderImageCall(body: Dict, id: string): Dict {
  const tool = imageTool(body)?.tool ?? {};
  const size = typeof tool["size"] === "string" ? tool["size"] : undefined;
  const dims = resolveImageSize(modelOf(tool), size) as { width: number; height: number };
  const prompt = lastUserText(body["input"]) ?? "";
  const refs = inputImages(body["input"]);
  const rgb = gradientRgb(dims.width, dims.height, `${prompt}\n${refs.join("\n")}`);
  // Like the Images endpoints: webp is answered (and labelled) as png.
  const format = tool["output_format"] === "jpeg" ? "jpeg" : "png";
  const compression = typeof tool["output_compression"] === "number" ? tool["output_compression"] : 100;
  const bytes = format === "jpeg" ? encodeJpeg(dims.width, dims.height, rgb, Math.max(1, compression)) : encodePng(dims.width, dims.height, rgb);
  return {
    type: "image_generation_call",
    id,
    status: "completed",
    result: bytes.toString("base64"),
    action: refs.length > 0 ? "edit" : "generate",
    background: tool["background"] === "transparent" ? "transparent" : "opaque",
    output_format: format,
    quality: typeof tool["quality"] === "string" && tool["quality"] !== "auto" ? tool["quality"] : "high",
    size: `${dims.width}x${dims.height}`,
    revised_prompt: prompt,
  };
}
