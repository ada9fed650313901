import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { AuthError, DEFAULT_OPENAI_BASE_URL, assertPluginEnabled, redactSecrets, resolveApiKey, resolveGenesisHome, summarizeFailover, type AuthFile, type GenesisConfig } from "@genesis/core";
import { AbortError, abortableSleep, validateMaxRetries, type SleepFn } from "@genesis/transport";
import { imageExtension, isMp4 } from "./_image-info.js";
import { planVideo } from "./_plan.js";
import { waitForVideo } from "./_poll.js";
import { createVideosApi, type VideoJob } from "./_videos-api.js";
import { canFailOverVideo, videoAttemptOf, videoModelChain, type VideoFailoverAttempt } from "./_video-failover.js";
import { writeFileAtomic } from "./_write-file.js";
import { VideoArgumentError, VideoFailoverError, VideoOutputError, VideoResponseError } from "./video-errors.js";
import { DEFAULT_VIDEO_MODEL, videoRequestSchema, type GeneratedVideo, type VideoProgress, type VideoRequest } from "./video-options.js";

/** Default first wait between status checks. */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** Default longest wait between status checks. */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 15_000;
/** Default bound on the whole wait for a job (20 minutes: sora-2-pro 12 s clips can take many minutes). */
export const DEFAULT_VIDEO_TIMEOUT_MS = 20 * 60_000;

/** Options of {@link generateVideo} (and the tool). Everything is injectable for tests. */
export interface GenerateVideoOptions {
  /** API key. Default: `models.providers.openai.apiKey`, then `OPENAI_API_KEY` (env, then config `env`), then a stored `openai` api-key profile in `authFile`. */
  apiKey?: string;
  /** API base URL. Default: `models.providers.openai.baseUrl`, then `https://api.openai.com/v1`. */
  baseUrl?: string;
  /**
   * The validated Genesis config: `agents.defaults.videoGenerationModel.primary` (default `openai/sora-2`),
   * `models.providers.openai.{baseUrl,apiKey}`, `env`, and `plugins.entries.openai.enabled` (false refuses every call).
   */
  config?: Partial<Pick<GenesisConfig, "agents" | "models" | "env" | "plugins">>;
  /** The auth store's content, for a stored `openai` API-key profile. */
  authFile?: AuthFile;
  /** Environment for `OPENAI_API_KEY` and `GENESIS_HOME`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where videos are written, created if missing and checked before the job starts. Default `$GENESIS_HOME/media/videos` (`~/.genesis/media/videos`). */
  outputDir?: string;
  /** Base for relative reference image paths. Default `process.cwd()`. */
  cwd?: string;
  /** Injected `fetch`. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** HTTP retries per request for 408/409/429/5xx and connection failures. Default 2. */
  maxRetries?: number;
  /** Sleep for retries and polling. Default an abortable `setTimeout`. */
  sleep?: SleepFn;
  /** Clock in ms for the total wait. Default `Date.now`. */
  now?: () => number;
  /** Cancels the job wait and any request in flight (the server-side job is not deleted). */
  signal?: AbortSignal;
  /** Called with every status seen (creation, each poll). */
  onProgress?: (progress: VideoProgress) => void;
  /** First wait between status checks in ms. Default 2000. */
  pollIntervalMs?: number;
  /** Longest wait between status checks in ms. Default 15000. */
  maxPollIntervalMs?: number;
  /** Bound on the whole wait in ms. Default 1200000 (20 min). */
  timeoutMs?: number;
}

const timingSchema = z.object({
  pollIntervalMs: z.number().int().min(1).default(DEFAULT_POLL_INTERVAL_MS),
  maxPollIntervalMs: z.number().int().min(1).default(DEFAULT_MAX_POLL_INTERVAL_MS),
  timeoutMs: z.number().int().min(1).default(DEFAULT_VIDEO_TIMEOUT_MS),
});

/** Validate the request; the first problem becomes a {@link VideoArgumentError} naming the argument. */
export function parseVideoRequest(request: unknown): z.output<typeof videoRequestSchema> {
  const parsed = videoRequestSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join(".") || "request";
  throw new VideoArgumentError(`video_generate: ${path}: ${issue.message}.`, {
    path,
    hint: 'Pass { prompt, model?, seconds?: "4"|"8"|"12", size?: "720x1280"|"1280x720"|"1024x1792"|"1792x1024", image? | video? }.',
  });
}

function parseTiming(options: GenerateVideoOptions) {
  const parsed = timingSchema.safeParse({ pollIntervalMs: options.pollIntervalMs, maxPollIntervalMs: options.maxPollIntervalMs, timeoutMs: options.timeoutMs });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new VideoArgumentError(`${issue.path.join(".")}: ${issue.message}.`, { path: issue.path.join("."), hint: "Use a whole, positive number of milliseconds." });
}

/** The model id to send: the request's, else the config's primary, else openai/sora-2. Only `openai/*` refs (or bare ids) are served here. */
export function resolveVideoModel(requested: string | undefined, config?: GenerateVideoOptions["config"]): string {
  const ref = requested ?? config?.agents?.defaults?.videoGenerationModel?.primary ?? DEFAULT_VIDEO_MODEL;
  const slash = ref.indexOf("/");
  if (slash === -1) return ref;
  const provider = ref.slice(0, slash).toLowerCase();
  const model = ref.slice(slash + 1);
  if (provider !== "openai" || model === "") {
    throw new VideoArgumentError(`The video model ${ref} is not an OpenAI model; this video_generate handles openai/* only.`, {
      path: "model",
      code: "video_unsupported_model",
      hint: "Use openai/sora-2 or openai/sora-2-pro (agents.defaults.videoGenerationModel.primary).",
    });
  }
  return model;
}

function resolveConnection(options: GenerateVideoOptions, env: NodeJS.ProcessEnv): { apiKey: string; baseUrl: string } {
  const configured = options.config?.models?.providers?.["openai"];
  const baseUrl = options.baseUrl ?? configured?.baseUrl ?? DEFAULT_OPENAI_BASE_URL;
  // A malformed URL would otherwise surface as fetch's bare TypeError.
  if (!/^https?:\/\//i.test(baseUrl) || !URL.canParse(baseUrl)) {
    const path = options.baseUrl !== undefined ? "baseUrl" : "models.providers.openai.baseUrl";
    throw new VideoArgumentError(`${path} is not an http(s) URL: '${baseUrl.slice(0, 200)}'.`, { path, hint: "Use a URL such as https://api.openai.com/v1." });
  }
  const apiKey = options.apiKey?.trim() || resolveApiKey("openai", { file: options.authFile ?? { version: 1, profiles: {} }, env, config: options.config })?.key;
  if (!apiKey) {
    throw new AuthError("video_missing_api_key", "No OpenAI API key for video generation.", {
      provider: "openai",
      hint: "Set OPENAI_API_KEY, or models.providers.openai.apiKey in the Genesis config.",
    });
  }
  return { apiKey, baseUrl };
}

async function ensureOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new VideoArgumentError(`The output directory ${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? "error"}).`, {
      path: "outputDir",
      hint: "Pass a writable outputDir, or set GENESIS_HOME to a writable directory.",
    });
  }
}

async function save(dir: string, name: string, bytes: Uint8Array, videoId: string): Promise<string> {
  try {
    return await writeFileAtomic(dir, name, bytes);
  } catch (error) {
    throw new VideoOutputError(`Video ${videoId} was generated but ${join(dir, name)} could not be written (${(error as NodeJS.ErrnoException).code ?? "error"}).`, {
      videoId,
      cause: error,
    });
  }
}

/**
 * Generate one video with the OpenAI Videos API (sora-2) and write it to disk.
 *
 * Text-to-video sends `POST /videos` as JSON; one reference image switches it to multipart with
 * `input_reference` (the image must already have the output size); one earlier video id edits it
 * through `POST /videos/{id}/remix`. The job is polled (`GET /videos/{id}`) with a growing
 * interval until it completes, fails or `timeoutMs` passes; the MP4 from
 * `GET /videos/{id}/content?variant=video` is checked (ISO-BMFF `ftyp` box) and written
 * atomically as `<outputDir>/<video id>.mp4`.
 *
 * Arguments are checked before any request ({@link VideoArgumentError}); a retired endpoint is a
 * `VideosRetiredError`, other refusals `VideoRejectedError`, a failed job `VideoFailedError`, an
 * unwritable download `VideoOutputError` (the output directory itself is checked before the job
 * starts). A thumbnail that cannot be fetched or saved only adds a warning.
 *
 * A new job on the configured primary whose creation fails in a way another model can fix (404 /
 * `model_not_found`, 403, rate limits, 5xx or connection failures after the retries) is created
 * with `agents.defaults.videoGenerationModel.fallbacks` instead, in order; the result's
 * `failover` lists what failed. When none can start it: `VideoFailoverError`.
 *
 * A config with `plugins.entries.openai.enabled: false` refuses the call first (ConfigError
 * `plugin_disabled`, `path` = that key), before any argument check or request.
 */
export async function generateVideo(request: VideoRequest, options: GenerateVideoOptions = {}): Promise<GeneratedVideo> {
  assertPluginEnabled(options.config, "openai", "video_generate");
  const parsed = parseVideoRequest(request);
  const timing = parseTiming(options);
  const maxRetries = validateMaxRetries(options.maxRetries);
  const env = options.env ?? process.env;
  // An edit keeps its source's model, so only new jobs walk the fallback chain.
  const edit = [...(parsed.video ? [parsed.video] : []), ...(parsed.videos ?? [])].length > 0;
  const chain = edit ? [parsed.model ?? DEFAULT_VIDEO_MODEL] : videoModelChain(parsed.model, options.config);
  const cwd = options.cwd ?? process.cwd();
  let plan = await planVideo(parsed, resolveVideoModel(edit ? parsed.model : chain[0], options.config), cwd);
  // zod drops unknown keys; a model that sent `duration` should learn it had no effect.
  const ignored = Object.keys(request ?? {}).filter((key) => !(key in videoRequestSchema.shape)).map((key) => `${key.slice(0, 60)} is not a video_generate argument and was ignored.`);
  const { apiKey, baseUrl } = resolveConnection(options, env);
  const outputDir = options.outputDir ?? join(resolveGenesisHome(env), "media", "videos");
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  // A clip that cannot be saved is paid for and lost: check the directory before the job starts.
  await ensureOutputDir(outputDir);
  const api = createVideosApi({ baseUrl, apiKey, fetch: options.fetch, maxRetries, sleep });
  const signal = options.signal;

  // Job creation is the paid step: a failure there may move to the next model, anything later may not.
  const attempts: VideoFailoverAttempt[] = [];
  let created: VideoJob | undefined;
  for (const [index, ref] of chain.entries()) {
    try {
      if (index > 0) plan = await planVideo(parsed, resolveVideoModel(ref, options.config), cwd);
      created = plan.videoId
        ? await api.remix(plan.videoId, plan.prompt, signal)
        : await api.create({ model: plan.model, prompt: plan.prompt, seconds: plan.seconds, size: plan.size, image: plan.image }, signal);
      break;
    } catch (error) {
      // A fallback that cannot take these arguments (e.g. a size only the primary renders) is skipped.
      const next = index < chain.length - 1 && !signal?.aborted && (canFailOverVideo(error) || (index > 0 && error instanceof VideoArgumentError));
      if (!next && attempts.length === 0) throw error;
      attempts.push(videoAttemptOf(ref, error, [apiKey]));
      if (!next) throw new VideoFailoverError(attempts, { cause: error, secrets: [apiKey] });
    }
  }
  plan.warnings.push(...ignored);
  if (attempts.length > 0) plan.warnings.unshift(`${summarizeFailover(attempts)}; the video comes from the fallback ${chain[attempts.length]}.`);
  const job = await waitForVideo(created!, { ...timing, intervalMs: timing.pollIntervalMs, maxIntervalMs: timing.maxPollIntervalMs, api, sleep, now, signal, onProgress: options.onProgress, secrets: [apiKey] });

  const bytes = await api.content(job.id, "video", signal);
  if (!isMp4(bytes)) {
    throw new VideoResponseError(`The content of video ${job.id} is not an MP4 (no ftyp box; ${bytes.length} bytes).`, { videoId: job.id, secrets: [apiKey] });
  }
  const path = await save(outputDir, `${job.id}.mp4`, bytes, job.id);
  let thumbnailPath: string | undefined;
  if (parsed.thumbnail) {
    // The video is already saved: a missing thumbnail must not hide its path from the caller.
    try {
      const thumb = await api.content(job.id, "thumbnail", signal);
      thumbnailPath = await save(outputDir, `${job.id}.thumbnail${imageExtension(thumb)}`, thumb, job.id);
    } catch (error) {
      if (error instanceof AbortError) throw error;
      plan.warnings.push(`The thumbnail could not be saved: ${redactSecrets((error as Error).message, [apiKey])}`);
    }
  }
  return {
    path,
    videoId: job.id,
    model: job.model ?? created!.model ?? plan.model,
    seconds: job.seconds ?? created!.seconds ?? plan.seconds ?? "4",
    size: job.size ?? created!.size ?? plan.size ?? "720x1280",
    mode: plan.mode,
    bytes: bytes.length,
    remixedFrom: job.remixed_from_video_id ?? plan.videoId,
    thumbnailPath,
    warnings: plan.warnings,
    ...(attempts.length > 0 ? { failover: attempts } : {}),
  };
}
