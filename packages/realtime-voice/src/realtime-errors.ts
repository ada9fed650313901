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
  /** The server's own message (redacted), without the code prefix of `message`. */
  readonly serverMessage: string;
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
    this.serverMessage = redactSecrets(fields.message, fields.secrets);
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

/** What {@link RealtimeClosedError} and its subclasses record about the end of a session. */
export interface RealtimeClosedFields extends SecretFields {
  closeCode: number;
  reason: string;
  responseId?: string;
  partialTranscript?: string;
  partialAudioBytes?: number;
  /** The server's `error` event when it was the last frame before the close. */
  serverError?: RealtimeServerError;
}

function closedWording(fields: RealtimeClosedFields): { code: string; message: string } {
  const mid = fields.responseId !== undefined;
  const reason = fields.reason ? `: ${fields.reason}` : "";
  const last = fields.serverError ? ` The server's last event was an error: ${fields.serverError.message}` : "";
  return mid
    ? { code: "realtime_interrupted", message: `The realtime connection closed (${fields.closeCode}${reason}) in the middle of response ${fields.responseId}.${last}` }
    : { code: "realtime_closed", message: `The realtime connection closed unexpectedly (${fields.closeCode}${reason}).${last}` };
}

/**
 * The socket closed without `close()` being called. Code `realtime_interrupted` when it
 * happened mid-response (what arrived so far is on `partialTranscript`); `realtime_closed`
 * otherwise. Never replayed automatically: a started response may already be billed.
 * Subclasses: {@link RealtimeSessionExpiredError} (the server ended the session at its
 * maximum duration) and {@link RealtimeConnectionLostError} (the heartbeat gave up).
 */
export class RealtimeClosedError extends RealtimeError {
  readonly closeCode: number;
  readonly reason: string;
  /** The response (voice) or utterance item (transcription) in progress, if any. */
  readonly responseId: string | undefined;
  /** Assistant transcript (voice) or utterance transcript (transcription) received before the close; empty when none. */
  readonly partialTranscript: string;
  /** μ-law audio bytes received for that response before the close. */
  readonly partialAudioBytes: number;
  /** The server's `error` event that immediately preceded the close (e.g. `session_expired`), if any. */
  readonly serverError: RealtimeServerError | undefined;
  /**
   * @param wording code and message chosen by a subclass (default: interrupted/closed as above).
   */
  constructor(fields: RealtimeClosedFields, wording: { code: string; message: string; hint?: string } = closedWording(fields)) {
    super(wording.code, wording.message, { hint: wording.hint ?? "Open a new session to continue; nothing is replayed automatically.", ...fields, cause: fields.cause ?? fields.serverError });
    this.closeCode = fields.closeCode;
    this.reason = redactSecrets(fields.reason, fields.secrets);
    this.responseId = fields.responseId;
    this.partialTranscript = redactSecrets(fields.partialTranscript ?? "", fields.secrets);
    this.partialAudioBytes = fields.partialAudioBytes ?? 0;
    this.serverError = fields.serverError;
  }
}

/**
 * The server ended the session after an `error` event with code `session_expired` (Realtime
 * sessions have a fixed maximum duration, currently 60 minutes). Code
 * `realtime_session_expired`; a response or utterance in progress is on `responseId` /
 * `partialTranscript` / `partialAudioBytes` like any {@link RealtimeClosedError}.
 */
export class RealtimeSessionExpiredError extends RealtimeClosedError {
  constructor(fields: RealtimeClosedFields & { serverError: RealtimeServerError }) {
    const detail = fields.serverError.serverMessage;
    const mid = fields.responseId !== undefined ? ` in the middle of response ${fields.responseId}; what arrived is on partialTranscript / partialAudioBytes` : "";
    super(fields, {
      code: "realtime_session_expired",
      message: `The realtime server ended the session at its maximum duration (${detail}) and closed the connection (${fields.closeCode})${mid}.`,
      hint: "Sessions cannot be extended: open a new session before the limit (see session.expires_at) and re-send instructions and any context you need. Nothing is replayed automatically.",
    });
  }
}

/**
 * No frame and no pong arrived within `heartbeatTimeoutMs` of a ping (sent after
 * `heartbeatMs` of silence): the peer or the network path is gone (half-open TCP, a NAT or
 * proxy that dropped the connection). The socket was terminated (`closeCode` 1006). Code
 * `realtime_connection_lost`; partial output as on {@link RealtimeClosedError}.
 */
export class RealtimeConnectionLostError extends RealtimeClosedError {
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  /** How long nothing had arrived from the server when the connection was given up. */
  readonly silentMs: number;
  constructor(fields: Omit<RealtimeClosedFields, "closeCode" | "reason"> & { heartbeatMs: number; heartbeatTimeoutMs: number; silentMs: number }) {
    const mid = fields.responseId !== undefined ? ` in the middle of response ${fields.responseId}` : "";
    super(
      { ...fields, closeCode: 1006, reason: "" },
      {
        code: "realtime_connection_lost",
        message: `Nothing arrived from the realtime server for ${fields.silentMs} ms, not even a pong to a ping sent after ${fields.heartbeatMs} ms of silence; the connection was treated as lost and closed${mid}.`,
        hint: `Check the network and any proxy or NAT that drops idle connections. On a slow link raise heartbeatTimeoutMs (now ${fields.heartbeatTimeoutMs}); heartbeatMs: 0 turns the check off. Open a new session to continue; nothing is replayed automatically.`,
      },
    );
    this.heartbeatMs = fields.heartbeatMs;
    this.heartbeatTimeoutMs = fields.heartbeatTimeoutMs;
    this.silentMs = fields.silentMs;
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
