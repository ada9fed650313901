import type { Socket } from "node:net";
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

const FLUSH_BYTES = 64 * 1024;

/**
 * Streams `frames`; resolves when everything was handed to the socket (or it closed). Frames are
 * corked into ~64 KiB writes like the SSE writer's chunks, so a 100,000-event bench stream is
 * not limited by one syscall per frame (which would measure the emulator, not the client).
 */
export async function writeWs(socket: WebSocket, frames: readonly Frame[], faults: readonly Fault[], signal: AbortSignal, streamId?: string): Promise<void> {
  // `ws` keeps its net.Socket private; corking it only batches writes, it changes no bytes.
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  const paced = pick(faults, "latency") !== undefined || pick(faults, "stall") !== undefined;
  if (!raw || paced) return writeFrames(socket, frames, faults, signal, streamId, () => undefined);
  let pending = 0;
  raw.cork();
  const flush = (bytes: number): void => {
    pending += bytes;
    if (pending < FLUSH_BYTES) return;
    pending = 0;
    raw.uncork();
    raw.cork();
  };
  try {
    await writeFrames(socket, frames, faults, signal, streamId, flush);
  } finally {
    raw.uncork();
  }
}

async function writeFrames(
  socket: WebSocket,
  frames: readonly Frame[],
  faults: readonly Fault[],
  signal: AbortSignal,
  streamId: string | undefined,
  sent: (bytes: number) => void,
): Promise<void> {
  const close = pick(faults, "ws-close");
  const errorEvent = pick(faults, "error-event");
  const stall = pick(faults, "stall");
  const latency = pick(faults, "latency");
  const huge = pick(faults, "huge-event");
  const open = (): boolean => socket.readyState === socket.OPEN && !signal.aborted;
  for (let i = 0; i <= frames.length; i++) {
    if (!open()) return;
    if (close && i === (close.afterEvents ?? 0)) {
      // Hand over what is corked first: a drop after N events must still deliver those N.
      sent(Number.POSITIVE_INFINITY);
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
    const json = withStreamId(frames[i]!.json, streamId);
    socket.send(json);
    sent(json.length);
  }
}
