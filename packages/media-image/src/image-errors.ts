import { GenesisError, ValidationError, type GenesisErrorOptions } from "@genesis/core";

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
  | "image_write_failed";

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
