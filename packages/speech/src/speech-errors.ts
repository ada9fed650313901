import { GenesisError, redactSecrets } from "@genesis/core";

/** Why an audio file was refused before upload. */
export type AudioFileProblem =
  | "audio_file_not_found"
  | "audio_file_unreadable"
  | "audio_file_empty"
  | "audio_file_too_large"
  | "audio_format_unsupported";

/**
 * An audio file for transcription was refused locally, before any request: missing, not a
 * regular file, empty, over the 25 MB upload limit, or in a container the API does not take.
 */
export class AudioFileError extends GenesisError {
  /** The file name or path as given (paths are not secrets; still passed through redaction). */
  readonly file: string;
  /** Size in bytes, when known. */
  readonly size: number | undefined;
  /** The byte limit, for `audio_file_too_large`. */
  readonly limit: number | undefined;
  constructor(code: AudioFileProblem, message: string, fields: { file: string; size?: number; limit?: number; hint: string; cause?: unknown }) {
    super(code, redactSecrets(message), { hint: fields.hint, cause: fields.cause });
    this.file = redactSecrets(fields.file);
    this.size = fields.size;
    this.limit = fields.limit;
  }
}

/** The server answered 2xx with a body that is not what the endpoint documents. */
export class SpeechResponseError extends GenesisError {
  /** The endpoint path, e.g. `/audio/speech`. */
  readonly endpoint: string;
  constructor(message: string, fields: { endpoint: string }) {
    super("bad_server_response", redactSecrets(message), { hint: "Check that the base URL points at an OpenAI-compatible API." });
    this.endpoint = fields.endpoint;
  }
}
