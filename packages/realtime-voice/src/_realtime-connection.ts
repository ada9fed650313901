import type { GenesisError } from "@genesis/core";
import { AbortError, ConnectTimeoutError } from "@genesis/transport";
import type WebSocket from "ws";
import { toBase64, toMulaw, type AudioInputOptions } from "./_audio-input.js";
import { EventChannel } from "./_event-channel.js";
import { Heartbeat, type HeartbeatOptions } from "./_heartbeat.js";
import {
  RealtimeClosedError,
  RealtimeConnectionLostError,
  RealtimeError,
  RealtimeProtocolError,
  RealtimeServerError,
  RealtimeSessionExpiredError,
  RealtimeStateError,
} from "./realtime-errors.js";

/** A server event after JSON parsing: only `type` is known at this point. */
export type ServerEvent = Record<string, unknown> & { type: string };

/** An `error` delivered as an event (the session stays usable). */
export interface ErrorEvent {
  type: "error";
  error: RealtimeError;
}

/** What the owner of a connection supplies. */
export interface ConnectionHooks<E extends { type: string }> {
  /** Handles one server event (after `error` events were turned into {@link ErrorEvent}s). */
  onEvent(event: ServerEvent): void;
  /** The response in flight when the socket dropped (for {@link RealtimeClosedError}). */
  partial(): { responseId?: string; transcript?: string; audioBytes?: number };
  /** Called once when the connection ends for any reason. */
  onEnd?(): void;
  channel: EventChannel<E>;
}

const CLOSE_GRACE_MS = 2_000;
/**
 * How soon after an `error` event a close still counts as caused by it. The server closes
 * right after the event it means (1011 after a fatal error); a drop minutes later is unrelated,
 * and pinning an old harmless error on it would make the message misleading.
 */
const ERROR_EXPLAINS_CLOSE_MS = 2_000;
/** The server code announcing the end of a session at its maximum duration. */
const SESSION_EXPIRED = "session_expired";

/**
 * One open realtime socket: JSON framing, server `error` events, unexpected closes (typed
 * error with the partial response, never replayed; the server's last `error` event explains
 * the close when it is `session_expired` or came within 2 s of it), a heartbeat that gives up
 * on a silent peer, abort, and a graceful `close()`.
 *
 * The heartbeat starts once `configure()` succeeded, not when the socket opens: until then
 * `handshakeTimeoutMs` bounds the wait for `session.updated`, and starting the silence clock
 * at a known point means a slow set-up frame can never pass for the answer to a ping.
 */
export class RealtimeConnection<E extends { type: string }> {
  #closing: Promise<void> | undefined;
  #ended = false;
  #setupWaiter: ((error: GenesisError | undefined) => void) | undefined;
  #settleEnded!: (error: GenesisError | undefined) => void;
  #heartbeat: Heartbeat | undefined;
  /** The server's `error` event while it is the last frame received (cleared by any other frame), and when it came. */
  #lastServerError: { error: RealtimeServerError; at: number } | undefined;
  /** Settles once the session is over: resolves after `close()`, rejects with the drop/abort error. */
  readonly ended: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly secrets: string[],
    private readonly hooks: ConnectionHooks<E>,
    private readonly signal: AbortSignal | undefined,
    private readonly heartbeat: HeartbeatOptions,
  ) {
    this.ended = new Promise<void>((resolve, reject) => {
      this.#settleEnded = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Nobody has to watch `ended`; an unobserved drop must not crash the process.
    this.ended.catch(() => undefined);
    ws.on("message", (data, isBinary) => this.#onMessage(isBinary ? undefined : data.toString()));
    ws.on("error", () => undefined);
    ws.once("close", (code: number, reason: Buffer) => this.#onClose(code, reason.toString()));
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** True until the socket closed or `close()` was called. */
  get open(): boolean {
    return !this.#ended && this.#closing === undefined && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one client event. @throws RealtimeStateError when the session is not open. */
  send(event: Record<string, unknown> & { type: string }): void {
    if (!this.open) throw new RealtimeStateError(`Cannot send ${event.type}: the realtime session is closed.`);
    this.ws.send(JSON.stringify(event));
  }

  /**
   * Resolves on the first `session.updated`; rejects with the server's error when the update is
   * refused, with RealtimeClosedError when the socket drops, or with ConnectTimeoutError after `timeoutMs`.
   */
  private waitForSessionUpdated(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new ConnectTimeoutError(timeoutMs, { transport: "websocket", hint: "No session.updated arrived: raise handshakeTimeoutMs, or check the endpoint speaks the GA Realtime protocol." })),
        timeoutMs,
      );
      const finish = (error: GenesisError | undefined): void => {
        clearTimeout(timer);
        this.#setupWaiter = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.#setupWaiter = finish;
    });
  }

  /**
   * Sends `session.update` and waits for the server to confirm it; on any failure (refusal,
   * drop, timeout, abort) the socket is closed before the error is thrown.
   */
  async configure(session: Record<string, unknown>, timeoutMs: number): Promise<void> {
    const ready = this.waitForSessionUpdated(timeoutMs);
    this.send({ type: "session.update", session });
    try {
      await ready;
    } catch (error) {
      await this.close();
      throw error;
    }
    if (!this.#ended && this.#closing === undefined && this.#heartbeat === undefined) {
      this.#heartbeat = new Heartbeat(this.ws, this.heartbeat, (silentMs) => this.#onLost(silentMs));
    }
  }

  /** Appends caller audio (μ-law bytes, or PCM16 resampled and encoded); empty input sends nothing. */
  appendAudio(audio: Uint8Array | Int16Array, options?: AudioInputOptions): void {
    const bytes = toMulaw(audio, options);
    if (bytes.length > 0) this.send({ type: "input_audio_buffer.append", audio: toBase64(bytes) });
  }

  /** Closes with 1000 and waits for the peer (terminates after a short grace). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.signal?.removeEventListener("abort", this.#onAbort);
      this.#heartbeat?.stop();
      if (this.ws.readyState === this.ws.CLOSED) return resolve();
      const timer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
      this.ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, "client closed");
      else this.ws.terminate();
    });
    return this.#closing;
  }

  #onAbort = (): void => {
    if (this.#ended) return;
    this.#end(new AbortError({ transport: "websocket", cause: this.signal?.reason }));
    this.ws.terminate();
  };

  #end(error: GenesisError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.signal?.removeEventListener("abort", this.#onAbort);
    this.#heartbeat?.stop();
    // Set-up still waiting for session.updated fails with the real cause (abort, drop).
    this.#setupWaiter?.(error ?? new RealtimeStateError("The realtime session closed before the server confirmed session.update."));
    this.hooks.onEnd?.();
    if (error === undefined) this.hooks.channel.end();
    else this.hooks.channel.fail(error);
    this.#settleEnded(error);
  }

  #partialFields(): { responseId?: string; partialTranscript?: string; partialAudioBytes?: number; secrets: string[] } {
    const partial = this.hooks.partial();
    return { responseId: partial.responseId, partialTranscript: partial.transcript, partialAudioBytes: partial.audioBytes, secrets: this.secrets };
  }

  #onClose(code: number, reason: string): void {
    if (this.#closing || this.#ended) return this.#end(undefined);
    const serverError = this.#closeCause();
    const fields = { ...this.#partialFields(), closeCode: code, reason, serverError };
    this.#end(serverError?.serverCode === SESSION_EXPIRED ? new RealtimeSessionExpiredError({ ...fields, serverError }) : new RealtimeClosedError(fields));
  }

  /** The last `error` event, when it explains this close: `session_expired` always, any other only if recent. */
  #closeCause(): RealtimeServerError | undefined {
    const last = this.#lastServerError;
    if (last === undefined) return undefined;
    if (last.error.serverCode === SESSION_EXPIRED) return last.error;
    return this.heartbeat.clock.now() - last.at <= ERROR_EXPLAINS_CLOSE_MS ? last.error : undefined;
  }

  /** The heartbeat gave up: fail with the partial output, then drop the socket without a close handshake. */
  #onLost(silentMs: number): void {
    if (this.#ended || this.#closing) return;
    const { intervalMs, timeoutMs } = this.heartbeat;
    this.#end(new RealtimeConnectionLostError({ ...this.#partialFields(), heartbeatMs: intervalMs, heartbeatTimeoutMs: timeoutMs, silentMs }));
    this.ws.terminate();
  }

  #onMessage(raw: string | undefined): void {
    if (this.#ended) return;
    this.#lastServerError = undefined;
    let event: unknown;
    try {
      event = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      event = undefined;
    }
    if (typeof event !== "object" || event === null || typeof (event as { type?: unknown }).type !== "string") {
      const what = raw === undefined ? "a binary frame" : `a frame that is not a JSON event (${raw.length} characters)`;
      return this.emitError(new RealtimeProtocolError(`The realtime server sent ${what}; it was skipped.`, { secrets: this.secrets }));
    }
    const typed = event as ServerEvent;
    if (typed.type === "error") {
      const body = (typed["error"] ?? {}) as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
      const serverCode = str(body["code"]);
      const error = new RealtimeServerError({
        serverCode,
        serverType: str(body["type"]),
        message: str(body["message"]) ?? "unknown error",
        param: str(body["param"]),
        eventId: str(body["event_id"]),
        secrets: this.secrets,
        ...(serverCode === SESSION_EXPIRED ? { hint: "The session reached its maximum duration and the server is closing it; open a new session to continue." } : {}),
      });
      this.#lastServerError = { error, at: this.heartbeat.clock.now() };
      if (this.#setupWaiter) return this.#setupWaiter(error);
      return this.emitError(error);
    }
    if (typed.type === "session.updated") this.#setupWaiter?.(undefined);
    this.hooks.onEvent(typed);
  }

  /** Delivers a non-fatal error as an `{type: "error"}` event. */
  emitError(error: RealtimeError): void {
    this.hooks.channel.push({ type: "error", error } as ErrorEvent as unknown as E);
  }

  /** A typed protocol complaint about a known event whose fields are missing or wrong. */
  badEvent(type: string, detail: string): void {
    this.emitError(new RealtimeProtocolError(`The realtime server sent ${type} ${detail}; it was skipped.`, { eventType: type, secrets: this.secrets }));
  }
}
