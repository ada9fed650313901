import { GenesisError, ValidationError, describeFailoverAttempts, type GenesisErrorOptions } from "@genesis/core";
import type { ImageFailoverAttempt } from "./_image-failover.js";

/**
 * A tool argument or per-call option is wrong (`count: 5`, `size: "4000x4000"`, a missing or
 * non-image reference file...). `path` names the field; `hint` says what is accepted.
 * Code: `image_invalid_request`.
 */
export class ImageRequestError extends ValidationError {
  constructor(field: string, message: string, hint: string, options: GenesisErrorOptions = {}) {
    super(`image_generate: ${field}: ${message}`, { path: field, code: "image_invalid_request", hint, ...options });
  }
}

/** Stable codes of {@link ImageGenerationError}. */
export type ImageGenerationErrorCode =
  | "image_bad_response"
  | "image_generation_failed"
  | "image_provider_unsupported"
  | "image_no_credentials"
  | "image_write_failed"
  | "image_failover_exhausted";

/**
 * Image generation could not complete for a reason other than an HTTP error status (those
 * stay `@genesis/transport`'s typed `ApiError`s): an answer without decodable image bytes,
 * a failed `image_generation_call`, no usable credentials, or an unwritable output folder.
 * `route` is `openai`, `azure` or `codex` when known.
 */
export class ImageGenerationError extends GenesisError {
  readonly route: string | undefined;
  constructor(code: ImageGenerationErrorCode, message: string, fields: { route?: string } & GenesisErrorOptions = {}) {
    super(code, message, fields);
    this.route = fields.route;
  }
}

/**
 * The configured image model and its fallbacks (`agents.defaults.imageGenerationModel`) all
 * failed, or a fallback failed in a way no other model can fix. `attempts` lists each model with
 * its code and a redacted reason, in order; `cause` is the last failure.
 * Code: `image_failover_exhausted`.
 */
export class ImageFailoverError extends ImageGenerationError {
  readonly attempts: readonly ImageFailoverAttempt[];
  constructor(attempts: readonly ImageFailoverAttempt[], fields: { route?: string } & GenesisErrorOptions = {}) {
    super("image_failover_exhausted", `image_generate: no image model could produce the images: ${describeFailoverAttempts(attempts)}.`, {
      hint: "Fix the first model's problem (see its reason), or change agents.defaults.imageGenerationModel.primary / fallbacks.",
      ...fields,
    });
    this.attempts = attempts.map((a) => ({ ...a }));
  }
}
