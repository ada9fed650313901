import type { ServerResponse } from "node:http";
import { pick, type Fault } from "../_faults.js";
import type { Frame } from "./_lifecycle.js";

/**
 * Writes a pre-built Responses stream as Server-Sent Events (`event: <type>\ndata: <json>\n\n`),
 * applying stream faults. Frames are concatenated into ~64 KiB chunks so a 10,000-event
 * stream costs a few hundred socket writes, and writing waits for `drain` under backpressure.
 */

const FLUSH_BYTES = 64 * 1024;

/** Resolves after `ms` (global timers, so tests with fake timers control it) or on abort. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The SSE error event (`ResponseErrorEvent`) a fault injects. */
export function errorEventJson(seq: number, code: string, message: string): string {
  return JSON.stringify({ type: "error", sequence_number: seq, code, message, param: null });
}

/** The padding event a `huge-event` fault inserts (no sequence number: it is not part of the response). */
export function hugeEventJson(bytes: number): string {
  return `{"type":"response.emulator.padding","padding":"${"x".repeat(bytes)}"}`;
}

/**
 * The `event:` line of a frame. Chat Completions streams have none: their frames carry an
 * empty type and are written as bare `data:` lines.
 */
function eventLine(type: string): string {
  return type === "" ? "" : `event: ${type}\n`;
}

/** Resolves when `res` can take more data again (or closed): back-pressure for big streams. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((r) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      r();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Standard headers of a Responses SSE answer. */
export function sseHeaders(requestId: string): Record<string, string> {
  return {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": requestId,
  };
}

/** Streams `frames` to `res` (headers already chosen by the caller), honouring `faults`. */
export async function writeSse(res: ServerResponse, frames: readonly Frame[], faults: readonly Fault[], signal: AbortSignal, headers: Record<string, string>): Promise<void> {
  const destroy = pick(faults, "sse-destroy");
  const errorEvent = pick(faults, "error-event");
  const malformed = pick(faults, "sse-malformed");
  const stall = pick(faults, "stall");
  const latency = pick(faults, "latency");
  const noTerminal = pick(faults, "sse-no-terminal") !== undefined;
  const noTrailingBlank = pick(faults, "sse-no-trailing-blank") !== undefined;
  const huge = pick(faults, "huge-event");
  const keepaliveOnly = pick(faults, "sse-keepalive-only");
  const list = noTerminal ? frames.slice(0, -1) : frames;
  let closed = false;
  res.on("close", () => {
    closed = true;
  });

  res.writeHead(200, headers);
  // Send the headers at once: clients (and the slow-first-byte fault) observe the status early.
  res.flushHeaders();
  // Pending frames as parts, joined once per flush: concatenating with += builds rope strings
  // that cost more to flatten and collect than the socket write itself.
  let parts: string[] = [];
  let size = 0;
  const take = (): string => {
    const out = parts.join("");
    parts = [];
    size = 0;
    return out;
  };
  const flush = async (): Promise<void> => {
    if (parts.length === 0 || closed) return;
    const ok = res.write(take());
    if (!ok && !closed) await drained(res);
  };

  if (keepaliveOnly) {
    // A peer that stays connected but never sends an event: idle timeouts must fire.
    while (!closed && !signal.aborted) {
      res.write(": keep-alive\n\n");
      await sleep(keepaliveOnly.intervalMs ?? 1000, signal);
    }
    if (!closed) res.end();
    return;
  }

  for (let i = 0; i <= list.length; i++) {
    if (closed || signal.aborted) return;
    if (huge && i === (huge.afterEvents ?? 1)) parts.push("event: response.emulator.padding\ndata: ", hugeEventJson(huge.bytes), "\n\n");
    if (destroy && i === destroy.afterEvents) {
      // Wait until the bytes reach the kernel; destroying earlier would discard them.
      if (parts.length > 0) await new Promise<void>((r) => res.write(take(), () => r()));
      res.socket?.destroy();
      return;
    }
    if (errorEvent && i === (errorEvent.afterEvents ?? 0)) {
      parts.push(`event: error\ndata: ${errorEventJson(i, errorEvent.code ?? "server_error", errorEvent.message ?? "The server had an error while processing your request.")}\n\n`);
      await flush();
      res.end();
      return;
    }
    if (stall && i === stall.afterEvents) {
      await flush();
      await sleep(stall.ms, signal);
    }
    if (i === list.length) break;
    if (malformed && i === (malformed.atEvent ?? 1)) parts.push(eventLine(list[i]!.type), `data: {"type":"${list[i]!.type}", not json\n\n`);
    if (latency) {
      await flush();
      await sleep(latency.perFrameMs, signal);
    }
    const f = list[i]!;
    parts.push(eventLine(f.type), "data: ", f.json, i === list.length - 1 && noTrailingBlank ? "\n" : "\n\n");
    size += f.json.length;
    if (size >= FLUSH_BYTES || latency) await flush();
  }
  if (!closed) res.end(parts.length > 0 ? take() : undefined);
}

const CHUNK_BYTES = 256 * 1024;

/**
 * Serializes SSE frames straight into ~256 KiB Buffers as the lifecycle builder emits them
 * (the fast path, used when no stream fault is armed). Buffers live off the JS heap, so a
 * 10,000-event stream costs the GC almost nothing. With `onChunk`, each Buffer is handed over
 * as soon as it is cut instead of being kept.
 */
export class SseChunker {
  readonly chunks: Buffer[] = [];
  #parts: string[] = [];
  #size = 0;

  constructor(private readonly onChunk?: (chunk: Buffer) => void) {}

  /** Appends one frame; bound so it can be passed as a lifecycle `sink`. */
  readonly add = (type: string, json: string): void => {
    this.#parts.push(eventLine(type), "data: ", json, "\n\n");
    this.#size += json.length;
    if (this.#size >= CHUNK_BYTES) this.#cut();
  };

  #cut(): void {
    if (this.#parts.length === 0) return;
    const chunk = Buffer.from(this.#parts.join(""), "utf8");
    this.#parts = [];
    this.#size = 0;
    if (this.onChunk) this.onChunk(chunk);
    else this.chunks.push(chunk);
  }

  /** The complete stream as Buffers (empty when an `onChunk` took them). */
  finish(): Buffer[] {
    this.#cut();
    return this.chunks;
  }
}

/**
 * Sends the headers, then runs `build` (a synchronous frame producer) and writes each ~256 KiB
 * chunk the moment it is cut. The client starts reading after the first chunk instead of after
 * the whole stream was serialized (100,000 events take ~100 ms to build), so server and client
 * work overlap and time to first byte does not grow with the stream length. Chunks the socket
 * cannot take yet stay queued in the response, which is no more memory than building them all
 * up front.
 */
export function streamSseChunks(res: ServerResponse, headers: Record<string, string>, build: (add: (type: string, json: string) => void) => void): void {
  res.writeHead(200, headers);
  res.flushHeaders();
  const chunker = new SseChunker((chunk) => {
    if (res.destroyed) return;
    res.write(chunk);
    // A response corks its socket on write until the next tick; the build runs synchronously,
    // so without this every chunk would wait for the end of the build.
    res.socket?.uncork();
  });
  build(chunker.add);
  chunker.finish();
  if (!res.destroyed) res.end();
}
