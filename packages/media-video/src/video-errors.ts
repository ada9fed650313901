import { inspect } from "node:util";
import { GenesisError, ValidationError, describeFailoverAttempts, redactSecrets, type GenesisErrorOptions } from "@genesis/core";
import type { VideoFailoverAttempt } from "./_video-failover.js";

/** Fields shared by errors about a video job or a Videos API answer. */
export interface VideoErrorFields extends GenesisErrorOptions {
  /** The job the error is about, when one exists. */
  videoId?: string;
  /** HTTP status of the answer, when the error came from one. */
  status?: number;
  /** The server's own error code (`invalid_value`, `moderation_blocked`, ...). */
  serverCode?: string;
  /** Exact secret values to scrub from the message (not stored). */
  secrets?: Iterable<string | undefined>;
}

/**
 * Base class of the errors `@genesis/media-video` raises about a job or an answer.
 * Messages are redacted at construction, and `inspect` never prints the cause (which may hold
 * a raw server body).
 */
export class VideoGenerationError extends GenesisError {
  readonly videoId: string | undefined;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  constructor(code: string, message: string, fields: VideoErrorFields = {}) {
    super(code, redactSecrets(message, fields.secrets), { cause: fields.cause, hint: fields.hint && redactSecrets(fields.hint, fields.secrets) });
    this.videoId = fields.videoId;
    this.status = fields.status;
    this.serverCode = fields.serverCode;
  }

  [inspect.custom](): string {
    return redactSecrets(`${this.name} [${this.code}]: ${this.message}${this.hint ? ` (hint: ${this.hint})` : ""}`);
  }
}

/**
 * A `video_generate` argument is wrong; raised before any request is sent.
 * Codes: `video_invalid_argument`, `video_too_many_references`, `video_reference_invalid`,
 * `video_reference_size`, `video_unsupported_model`.
 */
export class VideoArgumentError extends ValidationError {
  constructor(message: string, fields: { path: string; code?: string; hint: string }) {
    super(redactSecrets(message), { code: fields.code ?? "video_invalid_argument", path: fields.path, hint: fields.hint });
  }
}

/** OpenAI answered a Videos API path like a removed endpoint (404 `unknown_url`, or 410). */
export class VideosRetiredError extends VideoGenerationError {
  constructor(fields: VideoErrorFields & { endpoint: string }) {
    super(
      "videos_api_retired",
      `The OpenAI Videos API (sora-2) is no longer served at ${fields.endpoint}: OpenAI deprecated it and announced its retirement for 2026-09-24.`,
      {
        hint:
          "Pick another video model in agents.defaults.videoGenerationModel.primary, or point models.providers.openai.baseUrl at an endpoint that still serves /videos.",
        ...fields,
      },
    );
  }
}

/** The server refused the request (400/404/409/422...): the message carries its reason. */
export class VideoRejectedError extends VideoGenerationError {
  constructor(message: string, fields: VideoErrorFields) {
    super("video_rejected", message, fields);
  }
}

/** The job ended with status `failed`; `serverCode` and the message come from the job's `error`. */
export class VideoFailedError extends VideoGenerationError {
  constructor(message: string, fields: VideoErrorFields) {
    super("video_failed", message, fields);
  }
}

/** The job was still running when the configured wait ran out. The job may still finish server-side. */
export class VideoTimeoutError extends VideoGenerationError {
  /** How long Genesis waited, in ms. */
  readonly waitedMs: number;
  constructor(fields: VideoErrorFields & { waitedMs: number; videoId: string }) {
    super("video_timeout", `Video ${fields.videoId} was not ready after ${Math.round(fields.waitedMs / 1000)} s.`, {
      hint: "Raise timeoutMs (sora-2-pro and 12 s clips take longer), or try again later.",
      ...fields,
    });
    this.waitedMs = fields.waitedMs;
  }
}

/** The server answered 2xx with something that is not the documented shape (a bad job object, or content that is not an MP4). */
export class VideoResponseError extends VideoGenerationError {
  constructor(message: string, fields: VideoErrorFields) {
    super("video_bad_response", message, { hint: "Check that models.providers.openai.baseUrl points at the OpenAI API (or a faithful proxy).", ...fields });
  }
}

/** The clip was generated and downloaded but could not be written to `outputDir` (disk full, permissions). */
export class VideoOutputError extends VideoGenerationError {
  constructor(message: string, fields: VideoErrorFields & { videoId: string }) {
    super("video_write_failed", message, {
      hint: `Free space or fix permissions in outputDir; the clip stays downloadable from GET /videos/${fields.videoId}/content until it expires.`,
      ...fields,
    });
  }
}

/**
 * The configured video model and its fallbacks (`agents.defaults.videoGenerationModel`) could not
 * start a job, or a fallback failed in a way no other model can fix. No job was created.
 * `attempts` lists each model with its code and a redacted reason, in order; `cause` is the last
 * failure. Code: `video_failover_exhausted`.
 */
export class VideoFailoverError extends VideoGenerationError {
  readonly attempts: readonly VideoFailoverAttempt[];
  constructor(attempts: readonly VideoFailoverAttempt[], fields: VideoErrorFields = {}) {
    super("video_failover_exhausted", `video_generate: no video model could start the job: ${describeFailoverAttempts(attempts)}.`, {
      hint: "Fix the first model's problem (see its reason), or change agents.defaults.videoGenerationModel.primary / fallbacks.",
      ...fields,
    });
    this.attempts = attempts.map((a) => ({ ...a }));
  }
}
