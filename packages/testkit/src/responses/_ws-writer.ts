import type { WebSocket } from "ws";
import { pick, type Fault } from "../_faults.js";
import type { Frame } from "./_lifecycle.js";
import { hugeEventJson, sleep } from "./_sse-writer.js";

/**
 * Sends a pre-built Responses stream as WebSocket text frames, applying stream faults
 * (`ws-close`, `error-event`, `stall`, `latency`). `stream_id`, when the client sent one,
 * is echoed on every event like the real server does for lanes.
 */

/** The WebSocket error event (`ResponseWsError`). */
export function wsErrorJson(status: number, code: string | null, message: string, param: string | null = null, type = "invalid_request_error"): string {
  return JSON.stringify({ type: "error", status, error: { type, code, message, param } });
}

function withStreamId(json: string, streamId: string | undefined): string {
  return streamId === undefined ? json : `{"stream_id":${JSON.stringify(streamId)},${json.slice(1)}`;
}

/** Ends the connection the way a `ws-close` fault asks (1006 = drop without a close frame). */
export function closeWith(socket: WebSocket, code: number): void {
  if (code === 1006) socket.terminate();
  // 1005 means "no status received": a close frame without a code.
  else if (code === 1005) socket.close();
  else socket.close(code, code === 1009 ? "Message too big" : code === 1011 ? "Internal error" : "");
}

/** Streams `frames`; resolves when everything was handed to the socket (or it closed). */
export async function writeWs(socket: WebSocket, frames: readonly Frame[], faults: readonly Fault[], signal: AbortSignal, streamId?: string): Promise<void> {
  const close = pick(faults, "ws-close");
  const errorEvent = pick(faults, "error-event");
  const stall = pick(faults, "stall");
  const latency = pick(faults, "latency");
  const huge = pick(faults, "huge-event");
  const open = (): boolean => socket.readyState === socket.OPEN && !signal.aborted;
  for (let i = 0; i <= frames.length; i++) {
    if (!open()) return;
    if (close && i === (close.afterEvents ?? 0)) {
      closeWith(socket, close.code);
      return;
    }
    if (errorEvent && i === (errorEvent.afterEvents ?? 0)) {
      const json = JSON.stringify({ type: "error", sequence_number: i, status: 500, error: { type: "server_error", code: errorEvent.code ?? "server_error", message: errorEvent.message ?? "The server had an error while processing your request.", param: null } });
      socket.send(withStreamId(json, streamId));
      return;
    }
    if (huge && i === (huge.afterEvents ?? 1)) socket.send(withStreamId(hugeEventJson(huge.bytes), streamId));
    if (stall && i === stall.afterEvents) await sleep(stall.ms, signal);
    if (i === frames.length) return;
    if (latency) await sleep(latency.perFrameMs, signal);
    if (!open()) return;
    socket.send(withStreamId(frames[i]!.json, streamId));
  }
}
