import { inspect } from "node:util";
import { GenesisError, redactSecrets } from "@genesis/core";

/** Fields shared by the realtime errors: exact secrets to scrub from the message (never stored). */
interface SecretFields {
  secrets?: Iterable<string | undefined>;
  hint?: string;
  cause?: unknown;
}

/**
 * Base class of the errors this package throws about a live session. Messages are redacted at
 * construction and `util.inspect` prints only name, code, message and hint (never the cause,
 * which may hold a raw server frame).
 */
export class RealtimeError extends GenesisError {
  constructor(code: string, message: string, fields: SecretFields = {}) {
    super(code, redactSecrets(message, fields.secrets), { hint: fields.hint, cause: fields.cause });
  }

  [inspect.custom](): string {
    return redactSecrets(`${this.name} [${this.code}]: ${this.message}${this.hint ? ` (hint: ${this.hint})` : ""}`);
  }
}

/**
 * The server sent an `error` event (or a transcription failed). The session usually stays
 * open: these arrive as `{type: "error"}` events, and only reject the set-up call when they
 * answer the initial `session.update`.
 */
export class RealtimeServerError extends RealtimeError {
  /** The server's code, e.g. `invalid_value` or `input_audio_buffer_commit_empty`. */
  readonly serverCode: string | undefined;
  /** The server's error type, e.g. `invalid_request_error`. */
  readonly serverType: string | undefined;
  /** The offending field, e.g. `session.audio.input.format`. */
  readonly param: string | undefined;
  /** The client event that caused it, when the server says. */
  readonly eventId: string | undefined;
  constructor(fields: { serverCode?: string; serverType?: string; message: string; param?: string; eventId?: string } & SecretFields) {
    const where = fields.param ? ` (${fields.param})` : "";
    super("realtime_server_error", `Realtime server error${fields.serverCode ? ` ${fields.serverCode}` : ""}${where}: ${fields.message}`, {
      hint: fields.hint ?? "Check the session options named in the message; the session itself is still open.",
      ...fields,
    });
    this.serverCode = fields.serverCode;
    this.serverType = fields.serverType;
    this.param = fields.param;
    this.eventId = fields.eventId;
  }
}

/** A server frame that is not JSON or not shaped like its documented event. Reported, then skipped. */
export class RealtimeProtocolError extends RealtimeError {
  /** The event type, when the frame had one. */
  readonly eventType: string | undefined;
  constructor(message: string, fields: { eventType?: string } & SecretFields = {}) {
    super("realtime_bad_event", message, { hint: "Check that the URL points at an OpenAI GA Realtime endpoint.", ...fields });
    this.eventType = fields.eventType;
  }
}

/**
 * The socket closed without `close()` being called. Code `realtime_interrupted` when it
 * happened mid-response (what arrived so far is on `partialTranscript`); `realtime_closed`
 * otherwise. Never replayed automatically: a started response may already be billed.
 */
export class RealtimeClosedError extends RealtimeError {
  readonly closeCode: number;
  readonly reason: string;
  /** The response that was being generated, if any. */
  readonly responseId: string | undefined;
  /** Assistant transcript received before the close (empty when none). */
  readonly partialTranscript: string;
  /** μ-law audio bytes received for that response before the close. */
  readonly partialAudioBytes: number;
  constructor(fields: { closeCode: number; reason: string; responseId?: string; partialTranscript?: string; partialAudioBytes?: number } & SecretFields) {
    const mid = fields.responseId !== undefined;
    const reason = fields.reason ? `: ${fields.reason}` : "";
    super(
      mid ? "realtime_interrupted" : "realtime_closed",
      mid
        ? `The realtime connection closed (${fields.closeCode}${reason}) in the middle of response ${fields.responseId}.`
        : `The realtime connection closed unexpectedly (${fields.closeCode}${reason}).`,
      { hint: "Open a new session to continue; nothing is replayed automatically.", ...fields },
    );
    this.closeCode = fields.closeCode;
    this.reason = redactSecrets(fields.reason, fields.secrets);
    this.responseId = fields.responseId;
    this.partialTranscript = redactSecrets(fields.partialTranscript ?? "", fields.secrets);
    this.partialAudioBytes = fields.partialAudioBytes ?? 0;
  }
}

/** A call that needs an open session was made after it closed (or before it opened). */
export class RealtimeStateError extends RealtimeError {
  constructor(message: string) {
    super("realtime_not_open", message, { hint: "Create a new session; a closed one cannot be reused." });
  }
}

/** A tool's `execute` threw; its message is sent to the model as the tool output. */
export class RealtimeToolError extends RealtimeError {
  readonly toolName: string;
  readonly callId: string;
  constructor(fields: { toolName: string; callId: string; message: string } & SecretFields) {
    super("realtime_tool_failed", `Tool ${fields.toolName} (call ${fields.callId}) failed: ${fields.message}`, {
      hint: "The model was told about the failure; fix the tool or its arguments schema.",
      ...fields,
    });
    this.toolName = fields.toolName;
    this.callId = fields.callId;
  }
}

/** A listener passed to `on()` threw; reported as an error event so the socket keeps running. */
export function listenerFailed(error: unknown, eventType: string, secrets: Iterable<string | undefined>): RealtimeError {
  const detail = error instanceof Error ? error.message : String(error);
  return new RealtimeError("listener_failed", `A listener for ${eventType} threw: ${detail}`, { secrets, cause: error, hint: "Catch errors inside on() listeners." });
}

/**
 * Audio handed to {@link wavToMulaw} is not something it can turn into 8 kHz μ-law: not a
 * WAV file, or a WAV encoding other than 16-bit PCM / μ-law. `format` names what was found;
 * the hint shows how to convert it with SoX or ffmpeg.
 */
export class RealtimeAudioFormatError extends RealtimeError {
  /** What the input turned out to be, e.g. `MP3` or `WAV IEEE float, 32-bit, 2 channels, 44100 Hz`. */
  readonly format: string;
  constructor(fields: { message: string; format: string; hint?: string }) {
    super("audio_format_unsupported", fields.message, {
      hint:
        fields.hint ??
        "Convert it to 16-bit PCM WAV, e.g. `sox in.xxx -b 16 -e signed-integer out.wav` or `ffmpeg -i in.xxx -c:a pcm_s16le out.wav`.",
    });
    this.format = fields.format;
  }
}
