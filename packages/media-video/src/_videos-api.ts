import { z } from "zod";
import { AbortError, ApiError, joinUrl, sendRequest, type SleepFn } from "@genesis/transport";
import { VideoRejectedError, VideoResponseError, VideosRetiredError } from "./video-errors.js";

/** The fields of a Videos API job Genesis reads (the rest is ignored). */
const jobSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["queued", "in_progress", "completed", "failed"]),
  progress: z.number().nullish(),
  model: z.string().nullish(),
  seconds: z.string().nullish(),
  size: z.string().nullish(),
  remixed_from_video_id: z.string().nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

/** A video job as the server reports it. */
export type VideoJob = z.output<typeof jobSchema>;

/** Connection settings of {@link createVideosApi}. */
export interface VideosApiOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof globalThis.fetch;
  maxRetries?: number;
  sleep?: SleepFn;
}

/** The JSON fields of `POST /videos` (the image, when any, rides along as multipart `input_reference`). */
export interface CreateVideoFields {
  model: string;
  prompt: string;
  seconds?: string;
  size?: string;
  image?: { bytes: Uint8Array; mime: string; filename: string };
}

// What a server code means for the person who has to fix the call.
const HINTS: Record<string, string> = {
  invalid_value: "Check size (720x1280, 1280x720; sora-2-pro adds 1024x1792, 1792x1024) and seconds (4, 8, 12).",
  moderation_blocked: "The prompt or reference was refused by OpenAI's content policy; rephrase it or use another image.",
  video_not_found: "Edits need the id of a video generated with this API key that has not expired or been deleted.",
  video_not_ready: "Wait until the source video is completed before editing it.",
};

/**
 * The four Videos API calls, each through the shared retry policy, with their error answers
 * turned into Genesis errors: a removed endpoint becomes {@link VideosRetiredError}, other 4xx a
 * {@link VideoRejectedError}; 401/403/429 and 5xx keep transport's typed errors.
 */
export function createVideosApi(options: VideosApiOptions) {
  const secrets = [options.apiKey];
  const auth = { authorization: `Bearer ${options.apiKey}` };
  const http = { fetch: options.fetch, maxRetries: options.maxRetries, sleep: options.sleep, secrets };

  async function call(path: string, init: { method: string; headers: Record<string, string>; body?: string | FormData }, signal: AbortSignal | undefined, videoId?: string): Promise<Response> {
    const url = joinUrl(options.baseUrl, path);
    // fetch rejects with the signal's own reason; callers get one typed abort error instead.
    if (signal?.aborted) throw new AbortError({ cause: signal.reason });
    try {
      return await sendRequest(url, init, { ...http, signal });
    } catch (error) {
      if (signal?.aborted && !(error instanceof AbortError)) throw new AbortError({ cause: error });
      if (!(error instanceof ApiError)) throw error;
      const fields = { status: error.status, serverCode: error.serverCode, videoId, secrets, cause: error };
      if (error.status === 410 || (error.status === 404 && (error.serverCode === "unknown_url" || /invalid url/i.test(error.message)))) {
        throw new VideosRetiredError({ ...fields, endpoint: `${init.method} ${path.split("?")[0]}` });
      }
      if (error.status >= 400 && error.status < 500 && ![401, 403, 429].includes(error.status)) {
        const hint = HINTS[error.serverCode ?? ""] ?? "Fix the request as the server's message says, then try again.";
        throw new VideoRejectedError(`The Videos API refused ${init.method} ${path.split("?")[0]}: ${error.message}`, { ...fields, hint });
      }
      throw error;
    }
  }

  async function job(res: Response, endpoint: string): Promise<VideoJob> {
    const parsed = jobSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VideoResponseError(`${endpoint} answered with something that is not a video job (${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}).`, { secrets });
    }
    return parsed.data;
  }

  const json = { ...auth, "content-type": "application/json", accept: "application/json" };
  const id = (videoId: string) => `/videos/${encodeURIComponent(videoId)}`;

  return {
    /** `POST /videos`: JSON, or multipart when a reference image is attached. */
    async create(fields: CreateVideoFields, signal?: AbortSignal): Promise<VideoJob> {
      let res: Response;
      if (fields.image) {
        const form = new FormData();
        form.set("model", fields.model);
        form.set("prompt", fields.prompt);
        if (fields.seconds) form.set("seconds", fields.seconds);
        if (fields.size) form.set("size", fields.size);
        form.set("input_reference", new Blob([fields.image.bytes], { type: fields.image.mime }), fields.image.filename);
        // fetch sets the multipart content-type with its boundary.
        res = await call("/videos", { method: "POST", headers: { ...auth, accept: "application/json" }, body: form }, signal);
      } else {
        const body: Record<string, string> = { model: fields.model, prompt: fields.prompt };
        if (fields.seconds) body.seconds = fields.seconds;
        if (fields.size) body.size = fields.size;
        res = await call("/videos", { method: "POST", headers: json, body: JSON.stringify(body) }, signal);
      }
      return job(res, "POST /videos");
    },
    /** `POST /videos/{id}/remix`: an edit of a completed video. */
    async remix(videoId: string, prompt: string, signal?: AbortSignal): Promise<VideoJob> {
      const res = await call(`${id(videoId)}/remix`, { method: "POST", headers: json, body: JSON.stringify({ prompt }) }, signal, videoId);
      return job(res, "POST /videos/{id}/remix");
    },
    /** `GET /videos/{id}`: the job's status. */
    async retrieve(videoId: string, signal?: AbortSignal): Promise<VideoJob> {
      const res = await call(id(videoId), { method: "GET", headers: { ...auth, accept: "application/json" } }, signal, videoId);
      return job(res, "GET /videos/{id}");
    },
    /** `GET /videos/{id}/content?variant=...`: the rendered bytes. */
    async content(videoId: string, variant: "video" | "thumbnail", signal?: AbortSignal): Promise<Uint8Array> {
      const res = await call(`${id(videoId)}/content?variant=${variant}`, { method: "GET", headers: { ...auth, accept: "application/binary" } }, signal, videoId);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** The client {@link createVideosApi} returns. */
export type VideosApi = ReturnType<typeof createVideosApi>;
