import type { StreamEvent } from "@genesis/core";
import type { TransportContext } from "./_context.js";
import type { ChunkReader, WireResponse } from "./_http-post.js";
import { causeCode } from "./_http-errors.js";
import { SseDecoder, type SseMessage } from "./sse-decoder.js";
import { wireErrorToError } from "./_wire-error.js";
import {
  AbortError,
  StreamIdleTimeoutError,
  StreamIncompleteError,
  StreamInterruptedError,
  StreamParseError,
  type TransportError,
} from "./errors.js";
import { EventNormalizer } from "./event-normalizer.js";
import type { StreamSink } from "./stream.js";

/**
 * Read an SSE response body into `sink` until a terminal event. Raises a typed error (with the
 * partial output) for end-of-file without a terminal event, a malformed payload, an idle stall,
 * a dropped socket, or a server `error` event.
 */
export async function readSseBody(
  ctx: TransportContext,
  res: WireResponse,
  sink: StreamSink,
  attemptCtl: AbortController,
  signal: AbortSignal,
  requestId: string | undefined,
  secrets: string[],
): Promise<void> {
  const normalizer = new EventNormalizer("sse");
  sink.setPartial(() => normalizer.partial());
  const fields = () => ({ transport: "sse" as const, requestId, partial: normalizer.partial(), secrets });
  let failure: TransportError | undefined;
  let index = 0;
  const emit = (event: StreamEvent) => sink.push(event);
  const onMessage = (msg: SseMessage) => {
    if (failure || normalizer.terminal) return;
    const data = msg.data;
    const at = index++;
    if (data === "[DONE]") return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(data) as Record<string, unknown>;
    } catch {
      failure = new StreamParseError(at, data, fields());
      return;
    }
    if (msg.event === "error" && parsed.type !== "error") parsed = { type: "error", error: parsed.error ?? parsed };
    if (typeof parsed !== "object" || parsed === null) {
      failure = new StreamParseError(at, data, fields());
      return;
    }
    normalizer.push(parsed, emit);
  };
  const decoder = new SseDecoder(onMessage);
  const reader = res.reader();
  let idle = false;
  const idleTimer = setTimeout(() => {
    idle = true;
    attemptCtl.abort();
  }, ctx.idleTimeoutMs);
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw new AbortError({ ...fields(), cause: error });
        // undici's bodyTimeout (300 s by default) is the same kind of stall as our idle timer.
        if (idle || causeCode(error) === "UND_ERR_BODY_TIMEOUT") throw new StreamIdleTimeoutError(ctx.idleTimeoutMs, { ...fields(), cause: error });
        throw new StreamInterruptedError(`The SSE stream was cut off after ${normalizer.events} event(s).`, { ...fields(), cause: error });
      }
      if (chunk.done) {
        // Deliver a final event that lacks its blank line instead of dropping it.
        decoder.end();
        break;
      }
      idleTimer.refresh();
      if (chunk.value) decoder.push(chunk.value);
      if (failure || normalizer.terminal) break;
      const room = sink.room();
      if (room) await room;
    }
    if (failure) throw failure;
    if (normalizer.error) throw wireErrorToError(normalizer.error, fields(), ctx.now());
    if (!normalizer.terminal) {
      throw new StreamIncompleteError(
        `The SSE stream ended after ${normalizer.events} event(s) without response.completed, .incomplete or .failed.`,
        fields(),
      );
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(idleTimer);
  }
  // Terminal event seen: finish reading in the background so the keep-alive connection can be
  // reused, but never wait on a server that keeps the stream open after it.
  drain(reader, Math.min(ctx.idleTimeoutMs, DRAIN_LIMIT_MS));
}

const DRAIN_LIMIT_MS = 5_000;

function drain(reader: ChunkReader, limitMs: number): void {
  const timer = setTimeout(() => reader.cancel().catch(() => undefined), limitMs);
  timer.unref?.();
  const next = (): Promise<void> => reader.read().then((r) => (r.done ? undefined : next()));
  next().then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
}
