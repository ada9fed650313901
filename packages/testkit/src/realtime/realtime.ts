import type { WebSocket } from "ws";
import { makeId, nextSeq, unixNow } from "../_endpoint-util.js";
import { pick } from "../_faults.js";
import { openaiError } from "../_router.js";
import { closeWith } from "../responses/_ws-writer.js";
import type { EmulatorContext, EmulatorRequest, HttpReply } from "../_types.js";
import type { CoreWsRoute } from "../server.js";
import { buildResponse, type ConversationItem } from "./_response.js";
import { decodeAudio, defaultSession, formatProblem, mergeSession, rateOf, vadSettings, type Session } from "./_session.js";
import { ServerVad } from "./_vad.js";

/**
 * The GA Realtime WebSocket (`/v1/realtime?model=...` or `?intent=transcription`).
 * Audio in is decoded per `audio.input.format` (pcm16 24 kHz, G.711 μ-law/A-law 8 kHz) and
 * run through a server VAD; committed turns are "transcribed" as a sentence stating their
 * length (`Heard N milliseconds of audio.`), and realtime sessions answer with audio.
 */

/** Upgrade check: `model` or `intent=transcription` is required. */
export function realtimePrecheck(req: EmulatorRequest): HttpReply | undefined {
  if (req.query.get("model") || req.query.get("intent") === "transcription" || req.query.get("call_id")) return undefined;
  return { status: 400, body: openaiError("Missing required parameter: 'model'.", "invalid_request_error", "missing_required_parameter", "model") };
}

interface Conn {
  socket: WebSocket;
  ctx: EmulatorContext;
  session: Session;
  vad: ServerVad;
  conversation: ConversationItem[];
  /** Samples (session format decoded) of the uncommitted input buffer. */
  bufferMs: number;
  speechItemId: string | undefined;
  /** Request path, for matching stream faults. */
  path: string;
}

function send(conn: Conn, event: Record<string, unknown>): void {
  if (conn.socket.readyState !== conn.socket.OPEN) return;
  conn.socket.send(JSON.stringify({ event_id: `event_${nextSeq(conn.ctx, "rt-event")}`, ...event }));
}

function error(conn: Conn, message: string, code: string, param: string | null = null, clientEventId: unknown = null): void {
  send(conn, { type: "error", error: { type: "invalid_request_error", code, message, param, event_id: clientEventId ?? null } });
}

function transcriptFor(ms: number): string {
  return `Heard ${Math.round(ms)} milliseconds of audio.`;
}

/**
 * Commits the buffer: a user audio item, its transcription when enabled, then a response when
 * asked. In transcription sessions (which have no responses) armed stream faults act on these
 * events instead, counted from `input_audio_buffer.committed`.
 */
function commit(conn: Conn, autoRespond: boolean): void {
  const emit = conn.session.type === "transcription" ? faultedEmitter(conn) : (e: Record<string, unknown>) => send(conn, e);
  const itemId = conn.speechItemId ?? makeId(conn.ctx, "item");
  const ms = conn.bufferMs;
  const previous = conn.conversation.at(-1)?.id ?? null;
  conn.bufferMs = 0;
  conn.speechItemId = undefined;
  conn.vad.reset();
  emit({ type: "input_audio_buffer.committed", previous_item_id: previous, item_id: itemId });
  const transcription = conn.session.audio.input.transcription;
  const transcript = transcriptFor(ms);
  const item: ConversationItem = { id: itemId, type: "message", object: "realtime.item", status: "completed", role: "user", content: [{ type: "input_audio", transcript: transcription ? transcript : null }] };
  emit({ type: "conversation.item.added", previous_item_id: previous, item: { ...item, content: [{ type: "input_audio", transcript: null }] } });
  emit({ type: "conversation.item.done", previous_item_id: previous, item });
  conn.conversation.push(item);
  if (transcription) {
    const model = String(transcription["model"] ?? "gpt-4o-mini-transcribe");
    // whisper-1 delivers the transcript in one piece; the gpt-4o transcribers stream deltas.
    if (!model.startsWith("whisper")) {
      for (const delta of transcript.match(/\S+\s*/g) ?? []) emit({ type: "conversation.item.input_audio_transcription.delta", item_id: itemId, content_index: 0, delta });
    }
    const audioTokens = Math.ceil(ms / 100);
    const outTokens = Math.ceil(transcript.length / 4);
    emit({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: itemId,
      content_index: 0,
      transcript,
      usage: { type: "tokens", total_tokens: audioTokens + outTokens, input_tokens: audioTokens, input_token_details: { text_tokens: 0, audio_tokens: audioTokens }, output_tokens: outTokens },
    });
  }
  if (autoRespond && conn.session.type === "realtime") respond(conn, {});
}

/** What the GA API says when a session reaches its maximum duration (then it closes the socket). */
const SESSION_EXPIRED_MESSAGE = "Your session hit the maximum duration of 60 minutes.";

/**
 * The event sink of one response, applying armed stream faults: `ws-close` ends the socket
 * after `afterEvents` response events (1006 drops it), `error-event` sends a `server_error`
 * instead of the rest of the response, `stall` holds the events after `afterEvents` for `ms`
 * (global timers, so fake timers drive it; cleared when the socket closes). `error-event` with
 * `code: "session_expired"` plays the end of a session at its maximum duration: an
 * `invalid_request_error` event, then close 1000.
 */
function faultedEmitter(conn: Conn): (event: Record<string, unknown>) => void {
  const faults = conn.ctx.takeStreamFaults?.(conn.path) ?? [];
  const close = pick(faults, "ws-close");
  const errorEvent = pick(faults, "error-event");
  const stall = pick(faults, "stall");
  if (!close && !errorEvent && !stall) return (e) => send(conn, e);
  let sent = 0;
  let stopped = false;
  const deliver = (e: Record<string, unknown>): void => {
    if (stopped) return;
    if (close && sent === (close.afterEvents ?? 0)) {
      stopped = true;
      return closeWith(conn.socket, close.code);
    }
    if (errorEvent && sent === (errorEvent.afterEvents ?? 0)) {
      stopped = true;
      if (errorEvent.code === "session_expired") {
        send(conn, { type: "error", error: { type: "invalid_request_error", code: "session_expired", message: errorEvent.message ?? SESSION_EXPIRED_MESSAGE, param: null, event_id: null } });
        return closeWith(conn.socket, 1000);
      }
      return send(conn, { type: "error", error: { type: "server_error", code: errorEvent.code ?? "server_error", message: errorEvent.message ?? "The server had an error while processing your request.", param: null, event_id: null } });
    }
    sent++;
    send(conn, e);
  };
  let held: Record<string, unknown>[] | undefined;
  let stalled = false;
  return (e) => {
    if (held) return void held.push(e);
    if (stall && !stalled && sent === stall.afterEvents) {
      stalled = true;
      held = [e];
      const timer = setTimeout(() => {
        const queue = held ?? [];
        held = undefined;
        for (const event of queue) deliver(event);
      }, stall.ms);
      conn.socket.once("close", () => clearTimeout(timer));
      return;
    }
    deliver(e);
  };
}

function respond(conn: Conn, overrides: Record<string, unknown>): void {
  const s = conn.session;
  const output = s.audio.output!;
  const items = buildResponse(
    {
      responseId: makeId(conn.ctx, "resp"),
      itemId: makeId(conn.ctx, "item"),
      callId: makeId(conn.ctx, "call"),
      conversation: overrides["conversation"] === "none" ? [] : conn.conversation,
      tools: (overrides["tools"] ?? s["tools"] ?? []) as { name?: string }[],
      toolChoice: overrides["tool_choice"] ?? s["tool_choice"],
      modalities: (overrides["output_modalities"] ?? s["output_modalities"] ?? ["audio"]) as string[],
      outputFormat: output.format,
      voice: output.voice,
      metadata: overrides["metadata"],
    },
    faultedEmitter(conn),
  );
  if (overrides["conversation"] !== "none") conn.conversation.push(...items);
}

function onAppend(conn: Conn, audio: unknown, eventId: unknown): void {
  if (typeof audio !== "string") return error(conn, "Missing required parameter: 'audio'.", "missing_required_parameter", "audio", eventId);
  const format = conn.session.audio.input.format;
  const samples = decodeAudio(format, Buffer.from(audio, "base64"));
  conn.bufferMs += (samples.length * 1000) / rateOf(format);
  const vad = vadSettings(conn.session);
  if (!vad) {
    conn.vad.positionMs += (samples.length * 1000) / rateOf(format);
    return;
  }
  for (const ev of conn.vad.push(samples)) {
    if (ev.kind === "start") {
      conn.speechItemId = makeId(conn.ctx, "item");
      send(conn, { type: "input_audio_buffer.speech_started", audio_start_ms: ev.audioStartMs, item_id: conn.speechItemId });
    } else {
      send(conn, { type: "input_audio_buffer.speech_stopped", audio_end_ms: ev.audioEndMs, item_id: conn.speechItemId });
      commit(conn, vad.createResponse);
    }
  }
}

function onSessionUpdate(conn: Conn, patch: unknown, eventId: unknown): void {
  if (typeof patch !== "object" || patch === null) return error(conn, "Missing required parameter: 'session'.", "missing_required_parameter", "session", eventId);
  const p = patch as Record<string, unknown>;
  if (p["type"] !== undefined && p["type"] !== conn.session.type) {
    return error(conn, `Invalid value: '${String(p["type"])}'. The session type cannot change from '${conn.session.type}'.`, "invalid_value", "session.type", eventId);
  }
  const audio = (p["audio"] ?? {}) as { input?: { format?: unknown }; output?: { format?: unknown } };
  for (const [where, f] of [["session.audio.input.format", audio.input?.format], ["session.audio.output.format", audio.output?.format]] as const) {
    const problem = f === undefined ? undefined : formatProblem(f);
    if (problem) return error(conn, problem, "invalid_value", where, eventId);
  }
  mergeSession(conn.session, p);
  const vad = vadSettings(conn.session);
  if (vad) conn.vad.configure(vad, rateOf(conn.session.audio.input.format));
  send(conn, { type: "session.updated", session: conn.session });
}

function onEvent(conn: Conn, raw: string): void {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return error(conn, "The client event is not valid JSON.", "invalid_json");
  }
  const id = event["event_id"];
  switch (event["type"]) {
    case "session.update":
      return onSessionUpdate(conn, event["session"], id);
    case "input_audio_buffer.append":
      return onAppend(conn, event["audio"], id);
    case "input_audio_buffer.commit":
      if (conn.bufferMs < 100) {
        return error(conn, `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${conn.bufferMs.toFixed(2)}ms of audio.`, "input_audio_buffer_commit_empty", null, id);
      }
      return commit(conn, false);
    case "input_audio_buffer.clear":
      conn.bufferMs = 0;
      conn.speechItemId = undefined;
      conn.vad.reset();
      return send(conn, { type: "input_audio_buffer.cleared" });
    case "conversation.item.create": {
      const item = event["item"] as Record<string, unknown> | undefined;
      if (!item || typeof item["type"] !== "string") return error(conn, "Missing required parameter: 'item'.", "missing_required_parameter", "item", id);
      const stored: ConversationItem = { ...item, type: item["type"], id: typeof item["id"] === "string" ? item["id"] : makeId(conn.ctx, "item"), object: "realtime.item", status: "completed" };
      const previous = conn.conversation.at(-1)?.id ?? null;
      conn.conversation.push(stored);
      send(conn, { type: "conversation.item.added", previous_item_id: previous, item: stored });
      return send(conn, { type: "conversation.item.done", previous_item_id: previous, item: stored });
    }
    case "response.create":
      if (conn.session.type === "transcription") return error(conn, "Transcription sessions do not create responses.", "invalid_request_error", null, id);
      return respond(conn, (event["response"] as Record<string, unknown> | undefined) ?? {});
    case "response.cancel":
      return error(conn, "Cancellation failed: no active response found.", "response_cancel_not_active", null, id);
    case "output_audio_buffer.clear":
      return send(conn, { type: "output_audio_buffer.cleared", response_id: null });
    default:
      return error(conn, `Invalid value: '${String(event["type"])}'. Unknown client event type.`, "invalid_value", "type", id);
  }
}

/** Starts a realtime session on an accepted socket. */
export function onRealtimeConnection(socket: WebSocket, req: EmulatorRequest, ctx: EmulatorContext): void {
  const type = req.query.get("intent") === "transcription" ? "transcription" : "realtime";
  const session = defaultSession(makeId(ctx, "sess"), type, req.query.get("model") ?? undefined, unixNow(ctx) + 30 * 60);
  const vad = vadSettings(session)!;
  const conn: Conn = { socket, ctx, session, vad: new ServerVad(vad, rateOf(session.audio.input.format)), conversation: [], bufferMs: 0, speechItemId: undefined, path: req.path };
  socket.on("message", (data, isBinary) => {
    if (isBinary) return error(conn, "Binary frames are not supported; send JSON text events.", "invalid_json");
    onEvent(conn, data.toString());
  });
  send(conn, { type: "session.created", session });
}

/** WebSocket routes of this module. */
export const realtimeWsRoutes: CoreWsRoute[] = [{ pattern: "/v1/realtime", precheck: realtimePrecheck, onConnection: onRealtimeConnection }];
