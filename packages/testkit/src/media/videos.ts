import { errorReply, isMultipart, isReply, jsonObject, makeId, multipartBody, slot, unixNow } from "../_endpoint-util.js";
import type { Fault } from "../_faults.js";
import { fieldValue, filesOf } from "../_multipart.js";
import { renderMp4 } from "../_mp4.js";
import { pngSize, renderPng } from "../_png.js";
import type { EmulatorContext, EmulatorRequest, HttpReply, RouteDef } from "../_types.js";

/**
 * The (deprecated) Sora `/v1/videos` API as an async job. Each `GET /v1/videos/{id}` moves a
 * job forward by {@link PROGRESS_PER_POLL} percent: queued(0) → in_progress(50) → completed(100),
 * so tests control progress by polling, not by waiting. Content is a real H.264 MP4.
 */

/** Progress added by every status poll. */
export const PROGRESS_PER_POLL = 50;

const SIZES: Record<string, string[]> = {
  "sora-2": ["720x1280", "1280x720"],
  "sora-2-pro": ["720x1280", "1280x720", "1024x1792", "1792x1024"],
};
const SECONDS = ["4", "8", "12"];

interface VideoJob {
  id: string;
  model: string;
  prompt: string;
  size: string;
  seconds: string;
  createdAt: number;
  completedAt: number | null;
  progress: number;
  remixedFrom: string | null;
  mp4?: Buffer;
}

function jobs(ctx: EmulatorContext): Map<string, VideoJob> {
  return slot(ctx, "videos:jobs", () => new Map<string, VideoJob>());
}

function resource(job: VideoJob): Record<string, unknown> {
  const status = job.progress >= 100 ? "completed" : job.progress > 0 ? "in_progress" : "queued";
  return {
    id: job.id,
    object: "video",
    model: job.model,
    status,
    progress: Math.min(100, job.progress),
    created_at: job.createdAt,
    completed_at: job.completedAt,
    expires_at: job.completedAt === null ? null : job.completedAt + 3600,
    prompt: job.prompt,
    size: job.size,
    seconds: job.seconds,
    remixed_from_video_id: job.remixedFrom,
    error: null,
  };
}

function notFound(id: string): HttpReply {
  return errorReply(404, `Video with id '${id}' not found.`, "video_id", "video_not_found");
}

/** Reads create parameters from JSON or multipart; checks model/size/seconds and the reference image. */
function readCreate(req: EmulatorRequest): { model: string; prompt: string; size: string; seconds: string } | HttpReply {
  let get: (k: string) => unknown;
  let reference: Buffer | undefined;
  if (isMultipart(req)) {
    const form = multipartBody(req);
    if (isReply(form)) return form;
    get = (k) => fieldValue(form, k);
    reference = filesOf(form, "input_reference")[0]?.data;
  } else {
    const body = jsonObject(req);
    if (isReply(body)) return body;
    get = (k) => body[k];
  }
  const prompt = get("prompt");
  if (typeof prompt !== "string" || !prompt.trim()) return errorReply(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
  const model = typeof get("model") === "string" ? (get("model") as string) : "sora-2";
  const family = model.startsWith("sora-2-pro") ? "sora-2-pro" : "sora-2";
  const size = typeof get("size") === "string" ? (get("size") as string) : "720x1280";
  const seconds = get("seconds") === undefined ? "4" : String(get("seconds"));
  const sizes = SIZES[family]!;
  if (!sizes.includes(size)) return errorReply(400, `Invalid value: '${size}'. Supported values are: ${sizes.map((s) => `'${s}'`).join(", ")}.`, "size", "invalid_value");
  if (!SECONDS.includes(seconds)) return errorReply(400, `Invalid value: '${seconds}'. Supported values are: '4', '8', and '12'.`, "seconds", "invalid_value");
  if (reference) {
    const dims = pngSize(reference);
    if (dims && `${dims.width}x${dims.height}` !== size) {
      return errorReply(400, `Inpaint image must match the requested width and height (${size}), got ${dims.width}x${dims.height}.`, "input_reference", "invalid_value");
    }
  }
  return { model, prompt, size, seconds };
}

function createJob(ctx: EmulatorContext, fields: { model: string; prompt: string; size: string; seconds: string }, remixedFrom: string | null): VideoJob {
  const job: VideoJob = { id: makeId(ctx, "video"), ...fields, createdAt: unixNow(ctx), completedAt: null, progress: 0, remixedFrom };
  jobs(ctx).set(job.id, job);
  return job;
}

/** A fault that makes every `/v1/videos*` request answer like a removed endpoint (404, OpenAI's "Invalid URL" shape). */
export function videosRetiredFault(times = Number.MAX_SAFE_INTEGER): Fault {
  return {
    kind: "http-status",
    status: 404,
    match: { path: /^\/v1\/videos(\/|$)/, transport: "http" },
    times,
    body: { error: { message: "Invalid URL: the Videos API has been retired.", type: "invalid_request_error", param: null, code: "unknown_url" } },
  };
}

/** Routes of this module. */
export const videoRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/v1/videos",
    operationId: "createVideo",
    handler(req, ctx) {
      const fields = readCreate(req);
      return isReply(fields) ? fields : { status: 200, body: resource(createJob(ctx, fields, null)) };
    },
  },
  {
    method: "GET",
    pattern: "/v1/videos",
    handler(req, ctx) {
      const limit = Math.min(100, Math.max(1, Number(req.query.get("limit") ?? 20) || 20));
      // The map keeps creation order; the API lists newest first unless order=asc.
      const all = [...jobs(ctx).values()];
      if (req.query.get("order") !== "asc") all.reverse();
      const after = req.query.get("after");
      const start = after ? all.findIndex((j) => j.id === after) + 1 : 0;
      const page = all.slice(start, start + limit);
      return { status: 200, body: { object: "list", data: page.map(resource), first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: start + limit < all.length } };
    },
  },
  {
    method: "GET",
    pattern: "/v1/videos/:id",
    handler(req, ctx) {
      const job = jobs(ctx).get(req.params["id"]!);
      if (!job) return notFound(req.params["id"]!);
      if (job.progress < 100) {
        job.progress = Math.min(100, job.progress + PROGRESS_PER_POLL);
        if (job.progress >= 100) job.completedAt = unixNow(ctx);
      }
      return { status: 200, body: resource(job) };
    },
  },
  {
    method: "GET",
    pattern: "/v1/videos/:id/content",
    handler(req, ctx) {
      const job = jobs(ctx).get(req.params["id"]!);
      if (!job) return notFound(req.params["id"]!);
      if (job.progress < 100) return errorReply(400, `Video '${job.id}' is not ready yet (status ${String(resource(job)["status"])}); poll GET /v1/videos/${job.id} until it is completed.`, null, "video_not_ready");
      const [w, h] = job.size.split("x").map(Number) as [number, number];
      const variant = req.query.get("variant") ?? "video";
      if (variant === "thumbnail" || variant === "spritesheet") {
        // Thumbnails are WebP upstream; the emulator has no WebP encoder and sends PNG instead.
        const png = renderPng(Math.round(w / 4), Math.round(h / 4), `${job.prompt}:${variant}`);
        return { status: 200, headers: { "content-type": "image/png" }, body: png };
      }
      if (variant !== "video") return errorReply(400, `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.`, "variant", "invalid_value");
      job.mp4 ??= renderMp4({ width: w, height: h, seconds: Number(job.seconds), seed: job.prompt });
      return { status: 200, headers: { "content-type": "video/mp4" }, body: job.mp4 };
    },
  },
  {
    method: "POST",
    pattern: "/v1/videos/:id/remix",
    operationId: "CreateVideoRemix",
    handler(req, ctx) {
      const source = jobs(ctx).get(req.params["id"]!);
      if (!source) return notFound(req.params["id"]!);
      if (source.progress < 100) return errorReply(400, `Video '${source.id}' must be completed before it can be remixed.`, null, "video_not_ready");
      let prompt: unknown;
      if (isMultipart(req)) {
        const form = multipartBody(req);
        if (isReply(form)) return form;
        prompt = fieldValue(form, "prompt");
      } else {
        const body = jsonObject(req);
        if (isReply(body)) return body;
        prompt = body["prompt"];
      }
      if (typeof prompt !== "string" || !prompt.trim()) return errorReply(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
      const job = createJob(ctx, { model: source.model, prompt, size: source.size, seconds: source.seconds }, source.id);
      return { status: 200, body: resource(job) };
    },
  },
  {
    method: "DELETE",
    pattern: "/v1/videos/:id",
    handler(req, ctx) {
      const id = req.params["id"]!;
      if (!jobs(ctx).delete(id)) return notFound(id);
      return { status: 200, body: { id, object: "video.deleted", deleted: true } };
    },
  },
];
