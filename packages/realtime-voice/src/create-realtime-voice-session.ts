import type { AudioInputOptions } from "./_audio-input.js";
import { EventChannel, type RealtimeSessionBase } from "./_event-channel.js";
import { RealtimeConnection, type ErrorEvent, type ServerEvent } from "./_realtime-connection.js";
import { audioDelta, functionCallDone, read, responseCreated, responseDone, transcriptDelta, transcriptionCompleted, transcriptionDelta, vadEvent, type VadEvent } from "./_server-events.js";
import { openRealtimeSocket, type WebSocketConstructor } from "./_socket.js";
import { resolveClock, type RealtimeClock } from "./_heartbeat.js";
import { checkTools, runTool, wireTools, type RealtimeTool, type ToolRun } from "./_voice-tools.js";
import { ValidationError } from "@genesis/core";
import { listenerFailed, type RealtimeToolError } from "./realtime-errors.js";
import { resolveVoiceSettings, type SettingsSources, type VoiceSettings, type VoiceSettingsInput } from "./realtime-settings.js";

export type { RealtimeTool } from "./_voice-tools.js";

/** Options of {@link createRealtimeVoiceSession}: settings (see the README table), tools and plumbing. */
export interface RealtimeVoiceSessionOptions extends VoiceSettingsInput, SettingsSources {
  /** Functions the model may call; each call is executed and answered automatically. */
  tools?: RealtimeTool[];
  /** WebSocket constructor; default `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Aborting closes the socket; the event iterator then throws `AbortError`. */
  signal?: AbortSignal;
  /** Keep events for the async iterator (default true); false when only `on()` is used. */
  bufferEvents?: boolean;
  /** Time and timers of the heartbeat; default the system clock (`vi.useFakeTimers()` applies). */
  clock?: RealtimeClock;
}

/** The end of one model response. */
export interface ResponseDoneEvent {
  type: "response-done";
  responseId: string;
  status: "completed" | "cancelled" | "failed" | "incomplete" | "in_progress";
  /** Why it was cancelled/incomplete, e.g. `client_cancelled`, `turn_detected`. */
  reason: string | undefined;
  /** The assistant's spoken words (audio transcript deltas joined). */
  transcript: string;
  /** μ-law bytes of audio received for this response. */
  audioBytes: number;
  /** True when it called tools (their outputs and a `response.create` follow automatically). */
  calledTools: boolean;
  usage: { inputTokens?: number; outputTokens?: number; totalTokens?: number } | undefined;
}

/** What a voice session reports. */
export type VoiceEvent =
  | VadEvent
  /** Caller speech to text (only with `inputTranscription`). */
  | { type: "input-transcript-delta"; itemId: string; text: string }
  | { type: "input-transcript"; itemId: string; text: string }
  /** Model audio: G.711 μ-law bytes at 8 kHz (decode with `decodeMulaw`). */
  | { type: "audio"; responseId: string; itemId: string; audio: Uint8Array }
  /** Part of the transcript of the model's audio. */
  | { type: "transcript-delta"; responseId: string; itemId: string; text: string }
  /** A tool call that ran; `output` is what the model receives. */
  | { type: "tool-call"; responseId: string; callId: string; name: string; arguments: string; output: string; error: RealtimeToolError | undefined }
  | ResponseDoneEvent
  | ErrorEvent;

/** A live voice session. Iterate it (once) or subscribe with `on()`. */
export interface RealtimeVoiceSession extends RealtimeSessionBase<VoiceEvent, VoiceSettings> {
  /** Sends caller audio (μ-law bytes, or PCM16 with `sampleRate`). Empty input is ignored. */
  sendAudio(audio: Uint8Array | Int16Array, options?: AudioInputOptions): void;
  /** Ends the caller's turn by hand (server VAD normally does it). */
  commit(): void;
  /** Adds a user text message and (unless `respond: false`) asks for a response. */
  sendText(text: string, options?: { respond?: boolean }): void;
  /** Asks the model to respond now. */
  createResponse(): void;
  /** Cancels the response being generated (`response.cancel`); false when none is active. */
  interrupt(): boolean;
  /** Closes the socket (code 1000), aborts running tools; the iterator then ends. Idempotent. */
  close(): Promise<void>;
}

interface ResponseState {
  transcript: string;
  audioBytes: number;
  runs: Promise<ToolRun>[];
}

/**
 * Opens a GA realtime voice session (OpenAI `wss://api.openai.com/v1/realtime?model=...` or
 * Azure `wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>`), sends
 * `session.update` (type `realtime`, μ-law in and out, voice, instructions, tools, server VAD)
 * and resolves once the server confirmed it. Tool calls are executed and answered
 * (`function_call_output` items, then one `response.create`) without caller involvement.
 * @throws ValidationError / ConfigError / AuthError before connecting; transport errors for a
 *   refused upgrade; RealtimeServerError when the server refuses the session; AbortError.
 *   Once open, the iterator (and `ended`) fail with RealtimeClosedError when the server
 *   closes the socket (RealtimeSessionExpiredError at the maximum session duration) and
 *   RealtimeConnectionLostError when the heartbeat gets no answer; the response in progress
 *   is on `responseId` / `partialTranscript` / `partialAudioBytes`.
 */
export async function createRealtimeVoiceSession(options: RealtimeVoiceSessionOptions = {}): Promise<RealtimeVoiceSession> {
  const { settings, headers, secrets } = resolveVoiceSettings(options, options);
  const clock = resolveClock(options.clock);
  const tools = checkTools(options.tools);
  const ws = await openRealtimeSocket({ url: settings.url, headers, secrets, handshakeTimeoutMs: settings.handshakeTimeoutMs, WebSocket: options.WebSocket, signal: options.signal });
  const toolAbort = new AbortController();
  const responses = new Map<string, ResponseState>();
  let active: string | undefined;
  const stateOf = (id: string): ResponseState => {
    let state = responses.get(id);
    if (!state) responses.set(id, (state = { transcript: "", audioBytes: 0, runs: [] }));
    return state;
  };
  const channel = new EventChannel<VoiceEvent>(options.bufferEvents ?? true, (error, event) => {
    if (event.type !== "error") connection.emitError(listenerFailed(error, event.type, secrets));
  });

  const answerTools = async (responseId: string, state: ResponseState, cancelled: boolean): Promise<void> => {
    const runs = await Promise.all(state.runs);
    if (!connection.open) return;
    for (const run of runs) connection.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: run.callId, output: run.output } });
    // A cancelled turn keeps its outputs (the conversation stays consistent) but is not continued.
    if (!cancelled) connection.send({ type: "response.create" });
    responses.delete(responseId);
  };

  const onEvent = (event: ServerEvent): void => {
    const bad = (detail: string): void => connection.badEvent(event.type, detail);
    switch (event.type) {
      case "input_audio_buffer.speech_started":
      case "input_audio_buffer.speech_stopped": {
        const e = vadEvent(event, bad);
        if (e) channel.push(e);
        return;
      }
      case "conversation.item.input_audio_transcription.delta": {
        const e = read(transcriptionDelta, event, bad);
        if (e && e.delta !== "") channel.push({ type: "input-transcript-delta", itemId: e.item_id, text: e.delta });
        return;
      }
      case "conversation.item.input_audio_transcription.completed": {
        const e = read(transcriptionCompleted, event, bad);
        if (e) channel.push({ type: "input-transcript", itemId: e.item_id, text: e.transcript });
        return;
      }
      case "response.created": {
        const e = read(responseCreated, event, bad);
        if (!e) return;
        active = e.response.id;
        stateOf(e.response.id);
        return;
      }
      case "response.output_audio.delta": {
        const e = read(audioDelta, event, bad);
        if (!e) return;
        const audio = new Uint8Array(Buffer.from(e.delta, "base64"));
        stateOf(e.response_id).audioBytes += audio.length;
        channel.push({ type: "audio", responseId: e.response_id, itemId: e.item_id, audio });
        return;
      }
      case "response.output_audio_transcript.delta": {
        const e = read(transcriptDelta, event, bad);
        if (!e) return;
        stateOf(e.response_id).transcript += e.delta;
        channel.push({ type: "transcript-delta", responseId: e.response_id, itemId: e.item_id, text: e.delta });
        return;
      }
      case "response.function_call_arguments.done": {
        const e = read(functionCallDone, event, bad);
        if (!e) return;
        const run = runTool(tools, { callId: e.call_id, name: e.name, arguments: e.arguments }, toolAbort.signal, secrets).then((r) => {
          channel.push({ type: "tool-call", responseId: e.response_id, ...r });
          return r;
        });
        stateOf(e.response_id).runs.push(run);
        return;
      }
      case "response.done": {
        const e = read(responseDone, event, bad);
        if (!e) return;
        const r = e.response;
        const state = stateOf(r.id);
        if (active === r.id) active = undefined;
        const usage = r.usage ? { inputTokens: r.usage.input_tokens, outputTokens: r.usage.output_tokens, totalTokens: r.usage.total_tokens } : undefined;
        channel.push({ type: "response-done", responseId: r.id, status: r.status, reason: r.status_details?.reason ?? undefined, transcript: state.transcript, audioBytes: state.audioBytes, calledTools: state.runs.length > 0, usage });
        if (state.runs.length > 0) void answerTools(r.id, state, r.status === "cancelled").catch((error: unknown) => connection.emitError(listenerFailed(error, "response.done", secrets)));
        else responses.delete(r.id);
        return;
      }
      default:
        return;
    }
  };

  const connection: RealtimeConnection<VoiceEvent> = new RealtimeConnection(
    ws,
    secrets,
    {
      channel,
      onEvent,
      onEnd: () => toolAbort.abort(),
      partial: () => {
        const state = active === undefined ? undefined : responses.get(active);
        return state ? { responseId: active, transcript: state.transcript, audioBytes: state.audioBytes } : {};
      },
    },
    options.signal,
    { intervalMs: settings.heartbeatMs, timeoutMs: settings.heartbeatTimeoutMs, clock },
  );

  const input: Record<string, unknown> = {
    format: { type: "audio/pcmu" },
    turn_detection: { type: "server_vad", threshold: settings.vadThreshold, silence_duration_ms: settings.silenceDurationMs, prefix_padding_ms: settings.prefixPaddingMs },
  };
  if (settings.inputTranscription) input["transcription"] = settings.inputTranscription;
  const session: Record<string, unknown> = {
    type: "realtime",
    output_modalities: ["audio"],
    audio: { input, output: { format: { type: "audio/pcmu" }, voice: settings.voice } },
  };
  if (settings.instructions !== undefined) session["instructions"] = settings.instructions;
  if (tools.size > 0) {
    session["tools"] = wireTools(tools);
    session["tool_choice"] = "auto";
  }
  await connection.configure(session, settings.handshakeTimeoutMs);

  return {
    settings,
    get open() {
      return connection.open;
    },
    ended: connection.ended,
    sendAudio: (audio, audioOptions) => connection.appendAudio(audio, audioOptions),
    commit: () => connection.send({ type: "input_audio_buffer.commit" }),
    sendText(text, textOptions = {}) {
      if (typeof text !== "string" || text.trim() === "") throw new ValidationError("sendText needs a non-empty string.", { path: "text", hint: "Pass the user's words as a string." });
      connection.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
      if (textOptions.respond !== false) connection.send({ type: "response.create" });
    },
    createResponse: () => connection.send({ type: "response.create" }),
    interrupt() {
      if (active === undefined || !connection.open) return false;
      connection.send({ type: "response.cancel", response_id: active });
      return true;
    },
    on: (type, listener) => channel.on(type, listener),
    close: () => {
      toolAbort.abort();
      return connection.close();
    },
    [Symbol.asyncIterator]: () => channel.iterate(),
  };
}
