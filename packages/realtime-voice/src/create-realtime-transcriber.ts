import type { AudioInputOptions } from "./_audio-input.js";
import { EventChannel, type RealtimeSessionBase } from "./_event-channel.js";
import { RealtimeConnection, type ErrorEvent, type ServerEvent } from "./_realtime-connection.js";
import { read, transcriptionCompleted, transcriptionDelta, transcriptionFailed, vadEvent, type VadEvent } from "./_server-events.js";
import { openRealtimeSocket, type WebSocketConstructor } from "./_socket.js";
import { resolveClock, type RealtimeClock } from "./_heartbeat.js";
import { RealtimeServerError, listenerFailed } from "./realtime-errors.js";
import { resolveTranscriberSettings, type SettingsSources, type TranscriberSettings, type TranscriberSettingsInput } from "./realtime-settings.js";

/** Options of {@link createRealtimeTranscriber}: settings (see the README table) plus plumbing. */
export interface RealtimeTranscriberOptions extends TranscriberSettingsInput, SettingsSources {
  /** WebSocket constructor; default `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Aborting closes the socket; the event iterator then throws `AbortError`. */
  signal?: AbortSignal;
  /** Keep events for the async iterator (default true); false when only `on()` is used. */
  bufferEvents?: boolean;
  /** Time and timers of the heartbeat; default the system clock (`vi.useFakeTimers()` applies). */
  clock?: RealtimeClock;
}

/** What a realtime transcription session reports. */
export type TranscriptionEvent =
  | VadEvent
  /** Part of the transcript of one utterance (`itemId`). */
  | { type: "delta"; itemId: string; text: string }
  /** The final transcript of one utterance. */
  | { type: "completed"; itemId: string; text: string }
  | ErrorEvent;

/** A live transcription session. Iterate it (once) or subscribe with `on()`. */
export interface RealtimeTranscriber extends RealtimeSessionBase<TranscriptionEvent, TranscriberSettings> {
  /**
   * Sends audio: μ-law bytes (Uint8Array/Buffer, 8 kHz) as they are, or PCM16 samples
   * (Int16Array, resampled from `sampleRate` to 8 kHz and encoded). Empty input is ignored.
   * @throws RealtimeStateError after close; ValidationError for other input types.
   */
  append(audio: Uint8Array | Int16Array, options?: AudioInputOptions): void;
  /** Ends the current utterance by hand (server VAD normally does it). */
  commit(): void;
  /** Drops audio sent since the last commit. */
  clear(): void;
}

/**
 * Opens a GA realtime transcription session (`wss://.../v1/realtime?intent=transcription`):
 * sends `session.update` with `type: "transcription"`, G.711 μ-law input and server VAD, and
 * resolves once the server confirmed it with `session.updated`.
 * @throws ValidationError / ConfigError / AuthError before connecting; transport errors for a
 *   refused upgrade (AuthenticationError on 401...); RealtimeServerError when the server
 *   refuses the session settings; AbortError. Once open, the iterator (and `ended`) fail
 *   with RealtimeClosedError when the server closes the socket (RealtimeSessionExpiredError
 *   at the maximum session duration) and RealtimeConnectionLostError when the heartbeat
 *   gets no answer; the utterance in progress is on `responseId` / `partialTranscript`.
 */
export async function createRealtimeTranscriber(options: RealtimeTranscriberOptions = {}): Promise<RealtimeTranscriber> {
  const { settings, headers, secrets } = resolveTranscriberSettings(options, options);
  const clock = resolveClock(options.clock);
  const ws = await openRealtimeSocket({ url: settings.url, headers, secrets, handshakeTimeoutMs: settings.handshakeTimeoutMs, WebSocket: options.WebSocket, signal: options.signal });
  const pending = new Map<string, string>();
  let current: string | undefined;
  // An utterance the server heard start but has not transcribed yet: lost too if the session ends.
  let speaking: string | undefined;
  const settle = (itemId: string): void => {
    pending.delete(itemId);
    if (current === itemId) current = undefined;
    if (speaking === itemId) speaking = undefined;
  };
  const channel = new EventChannel<TranscriptionEvent>(options.bufferEvents ?? true, (error, event) => {
    if (event.type !== "error") connection.emitError(listenerFailed(error, event.type, secrets));
  });
  const onEvent = (event: ServerEvent): void => {
    const bad = (detail: string): void => connection.badEvent(event.type, detail);
    switch (event.type) {
      case "input_audio_buffer.speech_started":
      case "input_audio_buffer.speech_stopped": {
        const e = vadEvent(event, bad);
        if (e?.type === "speech-started") speaking = e.itemId;
        if (e) channel.push(e);
        return;
      }
      case "input_audio_buffer.cleared":
        if (speaking !== undefined && !pending.has(speaking)) speaking = undefined;
        return;
      case "conversation.item.input_audio_transcription.delta": {
        const e = read(transcriptionDelta, event, bad);
        if (!e || e.delta === "") return;
        current = e.item_id;
        pending.set(e.item_id, (pending.get(e.item_id) ?? "") + e.delta);
        channel.push({ type: "delta", itemId: e.item_id, text: e.delta });
        return;
      }
      case "conversation.item.input_audio_transcription.completed": {
        const e = read(transcriptionCompleted, event, bad);
        if (!e) return;
        settle(e.item_id);
        channel.push({ type: "completed", itemId: e.item_id, text: e.transcript });
        return;
      }
      case "conversation.item.input_audio_transcription.failed": {
        const e = read(transcriptionFailed, event, bad);
        if (!e) return;
        settle(e.item_id);
        connection.emitError(new RealtimeServerError({ serverCode: e.error?.code ?? "transcription_failed", serverType: e.error?.type ?? undefined, message: e.error?.message ?? `transcription of ${e.item_id} failed`, secrets }));
        return;
      }
      default:
        return;
    }
  };
  const connection: RealtimeConnection<TranscriptionEvent> = new RealtimeConnection(
    ws,
    secrets,
    { channel, onEvent, partial: () => {
        const item = current ?? speaking;
        return item === undefined ? {} : { responseId: item, transcript: pending.get(item) ?? "" };
      },
    },
    options.signal,
    { intervalMs: settings.heartbeatMs, timeoutMs: settings.heartbeatTimeoutMs, clock },
  );
  const transcription: Record<string, string> = { model: settings.model };
  if (settings.language) transcription["language"] = settings.language;
  if (settings.prompt) transcription["prompt"] = settings.prompt;
  await connection.configure(
    {
      type: "transcription",
      audio: {
        input: {
          format: { type: "audio/pcmu" },
          transcription,
          turn_detection: { type: "server_vad", threshold: settings.vadThreshold, silence_duration_ms: settings.silenceDurationMs, prefix_padding_ms: settings.prefixPaddingMs },
        },
      },
    },
    settings.handshakeTimeoutMs,
  );
  return {
    settings,
    get open() {
      return connection.open;
    },
    ended: connection.ended,
    append: (audio, audioOptions) => connection.appendAudio(audio, audioOptions),
    commit: () => connection.send({ type: "input_audio_buffer.commit" }),
    clear: () => connection.send({ type: "input_audio_buffer.clear" }),
    on: (type, listener) => channel.on(type, listener),
    close: () => connection.close(),
    [Symbol.asyncIterator]: () => channel.iterate(),
  };
}
