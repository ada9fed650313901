import { GenesisError, redactSecrets } from "@genesis/core";
import {
  ServerStreamError, StreamIdleTimeoutError, StreamIncompleteError, StreamInterruptedError, StreamParseError, type TransportErrorFields,
} from "@genesis/transport";

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

/** What a speech stream handed to its consumer before it failed (kept on every stream error). */
export interface SpeechStreamProgress {
  /** Audio bytes delivered so far. */
  readonly bytesDelivered: number;
  /** Audio chunks delivered so far. */
  readonly chunksDelivered: number;
}

/** Fields of the speech stream errors: transport fields plus the progress so far. */
export type SpeechStreamErrorFields = TransportErrorFields & { bytesDelivered: number; chunksDelivered: number };

const RETRY_HINT = "Retry the whole request: a speech stream cannot be resumed. The audio delivered so far is still valid.";

/** The connection dropped mid-stream (never retried: the audio may already be playing or billed). */
export class SpeechStreamInterruptedError extends StreamInterruptedError implements SpeechStreamProgress {
  readonly bytesDelivered: number;
  readonly chunksDelivered: number;
  constructor(message: string, fields: SpeechStreamErrorFields) {
    super(message, { hint: RETRY_HINT, ...fields });
    this.bytesDelivered = fields.bytesDelivered;
    this.chunksDelivered = fields.chunksDelivered;
  }
}

/** An SSE event was not JSON, or not the shape the API documents (`speech.audio.delta` needs `audio`, `.done` needs `usage`). */
export class SpeechStreamParseError extends StreamParseError implements SpeechStreamProgress {
  readonly bytesDelivered: number;
  readonly chunksDelivered: number;
  constructor(eventIndex: number, raw: string, fields: SpeechStreamErrorFields) {
    super(eventIndex, raw, { hint: "Check that the base URL points at an OpenAI-compatible API, or use streamFormat: \"audio\".", ...fields });
    this.bytesDelivered = fields.bytesDelivered;
    this.chunksDelivered = fields.chunksDelivered;
  }
}

/** The SSE stream ended cleanly but without `speech.audio.done`: the audio may be truncated. */
export class SpeechStreamIncompleteError extends StreamIncompleteError implements SpeechStreamProgress {
  readonly bytesDelivered: number;
  readonly chunksDelivered: number;
  constructor(message: string, fields: SpeechStreamErrorFields) {
    super(message, { hint: RETRY_HINT, ...fields });
    this.bytesDelivered = fields.bytesDelivered;
    this.chunksDelivered = fields.chunksDelivered;
  }
}

/** No bytes arrived for `idleMs` while the consumer was waiting; the connection was closed. */
export class SpeechStreamIdleTimeoutError extends StreamIdleTimeoutError implements SpeechStreamProgress {
  readonly bytesDelivered: number;
  readonly chunksDelivered: number;
  constructor(idleMs: number, fields: SpeechStreamErrorFields) {
    super(idleMs, { hint: "Raise idleTimeoutMs, or check the endpoint; then retry the request.", ...fields });
    this.bytesDelivered = fields.bytesDelivered;
    this.chunksDelivered = fields.chunksDelivered;
  }
}

/** The server sent an `error` event inside the SSE stream. */
export class SpeechServerStreamError extends ServerStreamError implements SpeechStreamProgress {
  readonly bytesDelivered: number;
  readonly chunksDelivered: number;
  constructor(serverCode: string | undefined, message: string, fields: SpeechStreamErrorFields) {
    super(serverCode, message, { hint: RETRY_HINT, ...fields });
    this.bytesDelivered = fields.bytesDelivered;
    this.chunksDelivered = fields.chunksDelivered;
  }
}
