import { z } from "zod";
import { VIDEO_SECONDS, VIDEO_SIZES } from "./tool-spec.js";
import type { VideoFailoverAttempt } from "./_video-failover.js";

/** The model used when neither the request nor `agents.defaults.videoGenerationModel.primary` names one. */
export const DEFAULT_VIDEO_MODEL = "openai/sora-2";

export { VIDEO_SECONDS, VIDEO_SIZES };

/** Sizes a plain sora-2 model renders. */
export const SORA_2_SIZES = ["720x1280", "1280x720"] as const;

/** Overrides other video tools take that the Sora API has no field for: accepted, ignored, reported as a warning. */
export const IGNORED_OVERRIDES = ["aspectRatio", "resolution", "audio", "watermark"] as const;

/** Clip length in seconds. */
export type VideoSeconds = (typeof VIDEO_SECONDS)[number];
/** Output resolution as `WxH`. */
export type VideoSize = (typeof VIDEO_SIZES)[number];

/** Sizes `model` can render: sora-2-pro* gets all four, sora-2* the two 720p ones, unknown models all four (the server decides). */
export function sizesForModel(model: string): readonly VideoSize[] {
  if (model.startsWith("sora-2-pro")) return VIDEO_SIZES;
  if (model.startsWith("sora-2")) return SORA_2_SIZES;
  return VIDEO_SIZES;
}

const seconds = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.enum(VIDEO_SECONDS, { error: 'seconds must be "4", "8" or "12"' }));

const size = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(VIDEO_SIZES, { error: `size must be one of ${VIDEO_SIZES.join(", ")}` }));

const text = z.string().trim().min(1, { error: "must not be empty" });

/**
 * One `video_generate` call. Exactly zero or one reference may be given across
 * `image`/`images`/`video`/`videos`: an image makes it image-to-video, a video id
 * (`video_...`, from an earlier generation) makes it an edit (remix).
 */
export const videoRequestSchema = z.object({
  /** What the clip should show (1–32000 characters). */
  prompt: text.max(32_000, { error: "must be at most 32000 characters" }),
  /** `openai/sora-2`, `openai/sora-2-pro` or a bare model id. Default: config, then {@link DEFAULT_VIDEO_MODEL}. */
  model: text.optional(),
  /** Clip length: "4" (API default), "8" or "12". */
  seconds: seconds.optional(),
  /** Output size. API default 720x1280; image-to-video defaults to the image's size. */
  size: size.optional(),
  /** Path of one reference image (PNG, JPEG or WebP) whose size equals the output size. */
  image: text.optional(),
  /** Same as `image`, as a list (at most one entry in total). */
  images: z.array(text).optional(),
  /** Id of an earlier generated video (`video_...`) to edit. */
  video: text.optional(),
  /** Same as `video`, as a list (at most one entry in total). */
  videos: z.array(text).optional(),
  /** Also download the thumbnail next to the video. Default false. */
  thumbnail: z.boolean().optional(),
  /** Ignored by Sora (size fixes the aspect ratio); reported as a warning. */
  aspectRatio: z.unknown().optional(),
  /** Ignored by Sora (use size); reported as a warning. */
  resolution: z.unknown().optional(),
  /** Ignored by Sora (it always renders audio); reported as a warning. */
  audio: z.unknown().optional(),
  /** Ignored by Sora (it always watermarks); reported as a warning. */
  watermark: z.unknown().optional(),
});

/** What callers pass to `generateVideo` (before defaults). */
export type VideoRequest = z.input<typeof videoRequestSchema>;
/** A validated request. */
export type ParsedVideoRequest = z.output<typeof videoRequestSchema>;

/** How the clip is made. */
export type VideoMode = "text-to-video" | "image-to-video" | "video-edit";

/** A progress report while the job runs. */
export interface VideoProgress {
  videoId: string;
  status: "queued" | "in_progress" | "completed" | "failed";
  /** 0–100, as the server reports it. */
  progress: number;
  /** Milliseconds since the job was created (by the injected clock). */
  elapsedMs: number;
}

/** The outcome of a finished generation. */
export interface GeneratedVideo {
  /** Absolute path of the MP4 written to `outputDir`. */
  path: string;
  /** The server's video id (`video_...`); pass it as `video` to edit this clip. */
  videoId: string;
  /** The model id the server reports. */
  model: string;
  seconds: string;
  size: string;
  mode: VideoMode;
  /** Size of the MP4 in bytes. */
  bytes: number;
  /** The source video of an edit. */
  remixedFrom: string | undefined;
  /** Path of the downloaded thumbnail when `thumbnail: true`. */
  thumbnailPath: string | undefined;
  /** Things that were ignored or adjusted, in words a user understands; the first one names a failover. */
  warnings: string[];
  /**
   * Models whose job could not be created before this one's was (`agents.defaults.videoGenerationModel.fallbacks`),
   * in order, each with its code and reason. Absent when the first model took the job.
   */
  failover?: VideoFailoverAttempt[];
}
