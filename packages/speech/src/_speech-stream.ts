import { normalizeUsage, type Usage } from "@genesis/core";
import { AbortError, SseDecoder, TransportError, type SseMessage } from "@genesis/transport";
import { z } from "zod";
import { matchesTtsFormat } from "./audio-container.js";
import {
  SpeechResponseError, SpeechServerStreamError, SpeechStreamIdleTimeoutError, SpeechStreamIncompleteError, SpeechStreamInterruptedError,
  SpeechStreamParseError, type SpeechStreamErrorFields,
} from "./speech-errors.js";
import type { SpeechStreamFormat, TtsFormat } from "./speech-options.js";

/** What the reader needs from the call: the wire, its limits and the way to close it. */
export interface SpeechStreamWire {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  streamFormat: SpeechStreamFormat;
  format: TtsFormat;
  requestId: string | undefined;
  /** Checked by `resolveStreamFormat`: 0 (no limit) or 1..MAX_TIMER_MS. */
  idleTimeoutMs: number;
  /** The caller's signal (abort = typed AbortError) and our own controller (closes the socket). */
  userSignal: AbortSignal | undefined;
  controller: AbortController;
  secrets: string[];
  now: () => number;
  startedAt: number;
}

// The done event is read once per stream, so it is checked with zod; deltas (the hot path) by hand.
const doneEvent = z.object({
  usage: z.object({ input_tokens: z.number().int().nonnegative(), output_tokens: z.number().int().nonnegative(), total_tokens: z.number().int().nonnegative() }),
});

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };
const HEADER_BYTES = 12;
const DRAIN_LIMIT_MS = 5_000;

/**
 * Pull-based reader of one speech response: each `next()` reads from the socket only when
 * the queue of decoded chunks is empty, so a slow consumer slows the socket (no unbounded
 * buffering) and the idle timer only counts time spent waiting on the server.
 */
export class SpeechStreamReader {
  bytesDelivered = 0;
  chunksDelivered = 0;
  usage: Usage | undefined;
  timeToFirstAudioMs: number | undefined;
  done = false;
  private readonly queue: Buffer[] = [];
  private head = 0;
  private failure: unknown;
  /** A failure found while decoding: raised after the chunks decoded before it, with the count at that time. */
  private failLater: (() => unknown) | undefined;
  private completed = false;
  private events = 0;
  private decoded = 0;
  private pending: Buffer[] | undefined = [];
  private waiting = false;
  private cancelled = false;
  private idle = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly decoder: SseDecoder | undefined;

  constructor(private readonly wire: SpeechStreamWire) {
    if (wire.format === "pcm") this.pending = undefined; // raw PCM has no header to check
    if (wire.streamFormat === "sse") this.decoder = new SseDecoder((message) => this.onMessage(message));
  }

  /** The next audio chunk; throws the typed error of the stream after the chunks before it. */
  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      // After cancel() the consumer asked to stop: a later abort of its signal changes nothing.
      if (this.cancelled) return DONE;
      // Abort only while something is still owed; once every chunk (and the usage) has been
      // handed over, a late abort must not turn a complete stream into a failed one.
      if (this.wire.userSignal?.aborted && this.failure === undefined && !this.drained()) {
        throw this.fail(new AbortError({ ...this.fields(), cause: this.wire.userSignal.reason }));
      }
      if (this.head < this.queue.length) return this.deliver();
      if (this.failLater) {
        this.failure = this.failLater();
        this.failLater = undefined;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.done) return DONE;
      await this.pull();
    }
  }

  /** Stop reading and close the connection; later `next()` calls end the iteration. */
  cancel(): void {
    this.cancelled = true;
    this.failure = undefined;
    this.failLater = undefined;
    this.stop();
  }

  /** True when the stream ended cleanly and the consumer has received everything. */
  private drained(): boolean {
    return this.done && this.head >= this.queue.length && this.failLater === undefined;
  }

  private deliver(): IteratorResult<Uint8Array> {
    const value = this.queue[this.head++]!;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    this.bytesDelivered += value.length;
    this.chunksDelivered++;
    return { done: false, value };
  }

  private fields(): SpeechStreamErrorFields {
    const transport = this.wire.streamFormat === "sse" ? ("sse" as const) : undefined;
    return { transport, requestId: this.wire.requestId, secrets: this.wire.secrets, bytesDelivered: this.bytesDelivered, chunksDelivered: this.chunksDelivered };
  }

  private async pull(): Promise<void> {
    this.armIdleTimer();
    let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
    this.waiting = true;
    try {
      chunk = await this.wire.reader.read();
    } catch (error) {
      // A read pending while the consumer cancelled ends the iteration quietly.
      if (this.cancelled) return;
      if (this.wire.userSignal?.aborted) throw this.fail(new AbortError({ ...this.fields(), cause: error }));
      if (this.idle) throw this.fail(new SpeechStreamIdleTimeoutError(this.wire.idleTimeoutMs, { ...this.fields(), cause: error }));
      const where = this.wire.streamFormat === "sse" ? `${this.events} event(s)` : `${this.decoded} byte(s)`;
      throw this.fail(new SpeechStreamInterruptedError(`The speech stream was cut off after ${where}.`, { ...this.fields(), cause: error }));
    } finally {
      this.waiting = false;
    }
    if (chunk.done) return this.end();
    const value = chunk.value;
    if (this.decoder) this.decoder.push(value);
    else this.audio(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    if (this.failLater) this.stop();
    else if (this.completed) {
      this.finish();
      drain(this.wire.reader);
    }
  }

  private end(): void {
    this.decoder?.end();
    const held = this.pending;
    this.pending = undefined;
    if (!this.failLater && held !== undefined && held.length > 0 && this.checkHeader(Buffer.concat(held))) for (const b of held) this.queue.push(b);
    if (!this.failLater && this.decoded === 0) {
      this.failLater = () => new SpeechResponseError(`/audio/speech streamed no audio (${this.wire.streamFormat} stream)`, { endpoint: "/audio/speech" });
    }
    if (!this.failLater && this.decoder && !this.completed) {
      const events = this.events;
      this.failLater = () => new SpeechStreamIncompleteError(`The SSE speech stream ended after ${events} event(s) without speech.audio.done.`, this.fields());
    }
    this.finish();
  }

  /** Audio bytes from the wire (raw or base64-decoded): header check once, then queued as they are. */
  private audio(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.timeToFirstAudioMs === undefined) this.timeToFirstAudioMs = this.wire.now() - this.wire.startedAt;
    this.decoded += bytes.length;
    if (this.pending === undefined) {
      this.queue.push(bytes);
      return;
    }
    // Hold the first bytes until the container header can be checked (one chunk, nearly always).
    this.pending.push(bytes);
    if (this.decoded < HEADER_BYTES) return;
    const held = this.pending;
    this.pending = undefined;
    if (!this.checkHeader(held.length === 1 ? held[0]! : Buffer.concat(held))) return;
    for (const b of held) this.queue.push(b);
  }

  private checkHeader(head: Buffer): boolean {
    if (matchesTtsFormat(head, this.wire.format)) return true;
    this.failLater ??= () => new SpeechResponseError(`/audio/speech streamed ${head.length}+ bytes that are not ${this.wire.format} audio`, { endpoint: "/audio/speech" });
    return false;
  }

  private onMessage(message: SseMessage): void {
    if (this.failLater || this.completed) return;
    const at = this.events++;
    const data = message.data;
    const malformed = () => new SpeechStreamParseError(at, data, this.fields());
    let event: { type?: unknown; audio?: unknown; code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      event = JSON.parse(message.data) as typeof event;
    } catch {
      this.failLater = malformed;
      return;
    }
    const type = typeof event === "object" && event !== null ? (event.type ?? message.event) : undefined;
    if (type === "speech.audio.delta") {
      if (typeof event.audio !== "string") this.failLater = malformed;
      else this.audio(Buffer.from(event.audio, "base64"));
    } else if (type === "speech.audio.done") {
      const parsed = doneEvent.safeParse(event);
      if (!parsed.success) this.failLater = malformed;
      else {
        this.usage = normalizeUsage(parsed.data.usage);
        this.completed = true;
      }
    } else if (type === "error" || message.event === "error") {
      const error: { code?: unknown; message?: unknown } = event.error ?? event;
      const code = typeof error.code === "string" ? error.code : undefined;
      const text = typeof error.message === "string" ? error.message : "the stream reported an error";
      this.failLater = () => new SpeechServerStreamError(code, text, this.fields());
    } else if (type === undefined) {
      this.failLater = malformed;
    }
    // Other event types are skipped: the API may add some, and they carry no audio.
  }

  /** One timer per stream, re-armed per read: it fires only while `next()` waits on the server. 0 = no idle limit. */
  private armIdleTimer(): void {
    if (this.wire.idleTimeoutMs === 0) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      if (!this.waiting) return;
      this.idle = true;
      this.wire.controller.abort();
    }, this.wire.idleTimeoutMs);
  }

  /** Fail now (abort, dropped socket, stall): queued chunks are dropped, the socket closed. */
  private fail(error: unknown): unknown {
    this.failure = error;
    this.failLater = undefined;
    this.queue.length = 0;
    this.head = 0;
    this.stop();
    return error;
  }

  /** Close the connection at once: the abort makes undici destroy the socket. */
  private stop(): void {
    if (!this.failLater) {
      this.queue.length = 0;
      this.head = 0;
    }
    this.finish();
    this.wire.controller.abort();
    this.wire.reader.cancel().catch(() => undefined);
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The single-use guard of every speech stream. */
export function consumedError(): TransportError {
  return new TransportError("stream_consumed", "This speech stream was already iterated.", {
    hint: "A speech stream is single-use: call streamSpeech again to hear the text twice.",
  });
}

/** After `speech.audio.done`: read the rest in the background so the connection can be reused, but never wait long. */
function drain(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const timer = setTimeout(() => reader.cancel().catch(() => undefined), DRAIN_LIMIT_MS);
  timer.unref?.();
  const next = (): Promise<void> => reader.read().then((r) => (r.done ? undefined : next()));
  next().then(() => clearTimeout(timer), () => clearTimeout(timer));
}
