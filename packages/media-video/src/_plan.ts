import { readFile } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import { readImageInfo, type ImageInfo } from "./_image-info.js";
import { VideoArgumentError } from "./video-errors.js";
import { IGNORED_OVERRIDES, sizesForModel, type ParsedVideoRequest, type VideoMode, type VideoSize } from "./video-options.js";

/** A reference image loaded and checked. */
export interface LoadedImage extends ImageInfo {
  bytes: Uint8Array;
  filename: string;
}

/** Everything decided before the first request. */
export interface VideoPlan {
  mode: VideoMode;
  model: string;
  prompt: string;
  seconds: string | undefined;
  size: VideoSize | undefined;
  image: LoadedImage | undefined;
  /** Source video of an edit. */
  videoId: string | undefined;
  warnings: string[];
}

const VIDEO_ID = /^video_[A-Za-z0-9_-]{1,200}$/;

function ratioDistance(size: string, width: number, height: number): number {
  const [w, h] = size.split("x").map(Number) as [number, number];
  return Math.abs(Math.log(w / h) - Math.log(width / height));
}

/** The supported size whose aspect ratio is closest to the image's: what to resize it to. */
function closestSize(sizes: readonly VideoSize[], width: number, height: number): VideoSize {
  return [...sizes].sort((a, b) => ratioDistance(a, width, height) - ratioDistance(b, width, height))[0]!;
}

async function loadImage(path: string, cwd: string): Promise<LoadedImage> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(full));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be read";
    throw new VideoArgumentError(`The reference image ${full} ${why}.`, {
      path: "image",
      code: "video_reference_invalid",
      hint: "Pass the path of a PNG, JPEG or WebP file (relative paths start at the session's working directory).",
    });
  }
  const info = readImageInfo(bytes);
  if (!info) {
    throw new VideoArgumentError(`The reference image ${full} is not a PNG, JPEG or WebP file.`, {
      path: "image",
      code: "video_reference_invalid",
      hint: "Convert it to PNG, JPEG or WebP; Sora accepts no other image types.",
    });
  }
  return { ...info, bytes, filename: basename(full) };
}

/** The output size for an image reference: it must equal the image's own size, since Genesis does not resize. */
function sizeForImage(image: LoadedImage, requested: VideoSize | undefined, model: string): VideoSize {
  const sizes = sizesForModel(model);
  const own = `${image.width}x${image.height}`;
  const usable = (sizes as readonly string[]).includes(own);
  if (requested === own || (requested === undefined && usable)) return own as VideoSize;
  const target = requested ?? closestSize(sizes, image.width, image.height);
  const message = requested
    ? `The reference image ${image.filename} is ${own} but size is ${requested}; Sora needs the image to have exactly the output size.`
    : `The reference image ${image.filename} is ${own}, which is not a size ${model} can render (${sizes.join(", ")}).`;
  const hint = usable
    ? `Pass size="${own}" to match the image, or resize the image to ${target} pixels.`
    : `Resize or crop the image to ${target} pixels (Genesis does not resize images), then pass size="${target}".`;
  throw new VideoArgumentError(message, { path: "size", code: "video_reference_size", hint });
}

function ignoredWarnings(request: ParsedVideoRequest): string[] {
  return IGNORED_OVERRIDES.filter((key) => request[key] !== undefined && request[key] !== null).map(
    (key) => `${key} is not supported by the OpenAI Videos API and was ignored${key === "aspectRatio" || key === "resolution" ? "; use size instead" : ""}.`,
  );
}

/**
 * Decide the mode and check every argument that can be checked locally, so that a bad call
 * fails before it costs a request: at most one reference, a video reference must be a
 * `video_...` id, an image must be readable and match the output size, and the size must be one
 * the model renders.
 */
export async function planVideo(request: ParsedVideoRequest, model: string, cwd: string): Promise<VideoPlan> {
  const images = [...(request.image ? [request.image] : []), ...(request.images ?? [])];
  const videos = [...(request.video ? [request.video] : []), ...(request.videos ?? [])];
  if (images.length + videos.length > 1) {
    throw new VideoArgumentError(`video_generate takes at most one reference, got ${images.length} image(s) and ${videos.length} video(s).`, {
      path: images.length > 0 ? "images" : "videos",
      code: "video_too_many_references",
      hint: "Pass a single image (image-to-video) or a single earlier video id (edit), or none (text-to-video).",
    });
  }
  const warnings = ignoredWarnings(request);
  const sizes = sizesForModel(model);
  if (request.size && !sizes.includes(request.size)) {
    throw new VideoArgumentError(`size ${request.size} is not available for ${model} (it renders ${sizes.join(", ")}).`, {
      path: "size",
      hint: `Use one of ${sizes.join(", ")}, or model openai/sora-2-pro for 1024x1792 and 1792x1024.`,
    });
  }
  const base = { model, prompt: request.prompt, seconds: request.seconds, warnings };
  const videoId = videos[0];
  if (videoId !== undefined) {
    if (!VIDEO_ID.test(videoId)) {
      throw new VideoArgumentError(`The video reference '${videoId.slice(0, 120)}' is not a video id.`, {
        path: "video",
        code: "video_reference_invalid",
        hint: "Edits take the id of an earlier generated video (video_...) from a previous video_generate result; video files cannot be uploaded.",
      });
    }
    // A remix keeps the source's duration and size: the API has no fields for them.
    if (request.seconds) warnings.push("seconds was ignored: an edit keeps the duration of the source video.");
    if (request.size) warnings.push("size was ignored: an edit keeps the size of the source video.");
    if (request.model) warnings.push("model was ignored: an edit uses the model of the source video.");
    return { ...base, mode: "video-edit", seconds: undefined, size: undefined, image: undefined, videoId };
  }
  const path = images[0];
  if (path !== undefined) {
    const image = await loadImage(path, cwd);
    return { ...base, mode: "image-to-video", size: sizeForImage(image, request.size, model), image, videoId: undefined };
  }
  return { ...base, mode: "text-to-video", size: request.size, image: undefined, videoId: undefined };
}
