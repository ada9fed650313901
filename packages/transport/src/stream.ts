import type { StreamEvent } from "@genesis/core";
import { AbortError, StreamIncompleteError, TransportError, type StreamPartial, type WireKind } from "./errors.js";

/** Where producers put events. */
export interface StreamSink {
  /** Queue one event for the consumer. */
  push(event: StreamEvent): void;
  /** Events pushed so far (0 means the consumer has seen nothing yet: a fallback is still safe). */
  readonly pushed: number;
  /** Resolves when the consumer has caught up (backpressure); undefined when there is room. */
  room(): Promise<void> | undefined;
  /** Tell the stream how to snapshot partial output if it is aborted. */
  setPartial(fn: (() => StreamPartial) | undefined): void;
  /** Record which wire carries the turn. */
  setTransport(kind: WireKind): void;
}

/** Runs the request and feeds the sink; rejects with a typed error. Must stop when `signal` aborts. */
export type Producer = (sink: StreamSink, signal: AbortSignal) => Promise<void>;

type DoneEvent = Extract<StreamEvent, { type: "response.done" }>;

const HIGH_WATER = 4096;
const DONE: IteratorResult<StreamEvent> = { done: true, value: undefined };

/**
 * A single-use async iterable of {@link StreamEvent}s for one turn. The request starts at
 * construction; `signal` (or breaking out of `for await`) aborts it and closes the socket.
 * Events delivered before an error stay delivered; the error is thrown after them.
 */
export class ResponseStream implements AsyncIterable<StreamEvent> {
  private queue: StreamEvent[] = [];
  private head = 0;
  private finished = false;
  private failure: unknown;
  private waiter: { resolve(r: IteratorResult<StreamEvent>): void; reject(e: unknown): void } | undefined;
  private roomWaiter: (() => void) | undefined;
  private iterated = false;
  private partialFn: (() => StreamPartial) | undefined;
  private readonly controller = new AbortController();
  private count = 0;
  private detach: (() => void) | undefined;
  /** The wire that carried (or is carrying) this turn. */
  transport: WireKind | undefined;

  constructor(producer: Producer, options: { signal?: AbortSignal } = {}) {
    const user = options.signal;
    if (user) {
      if (user.aborted) this.abort();
      else {
        // Removed when the stream settles, so a long-lived signal does not collect listeners.
        const onAbort = () => this.abort();
        user.addEventListener("abort", onAbort, { once: true });
        this.detach = () => user.removeEventListener("abort", onAbort);
      }
    }
    const self = this;
    const sink: StreamSink = {
      push: (event) => this.push(event),
      get pushed() {
        return self.count;
      },
      room: () => (this.queue.length - this.head < HIGH_WATER ? undefined : new Promise<void>((r) => (this.roomWaiter = r))),
      setPartial: (fn) => (this.partialFn = fn),
      setTransport: (kind) => (this.transport = kind),
    };
    if (this.controller.signal.aborted) return;
    producer(sink, this.controller.signal).then(
      () => this.end(),
      (error: unknown) => this.fail(error),
    );
  }

  /** Abort the request: the socket or stream is closed and iteration rejects with {@link AbortError}. */
  abort(): void {
    if (this.controller.signal.aborted) return;
    this.fail(new AbortError({ partial: this.partialFn?.(), transport: this.transport }));
    this.controller.abort();
  }

  /** Whether iteration has started (the stream is single-use). */
  get locked(): boolean {
    return this.iterated;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.iterated) {
      throw new TransportError("stream_consumed", "This response stream was already iterated.", {
        hint: "A ResponseStream is single-use; call tee() before iterating to read it twice.",
      });
    }
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        this.abortQuietly();
        return DONE;
      },
    };
  }

  /** Split into two independent single-use streams; the slower reader sets the pace. */
  tee(): [ResponseStream, ResponseStream] {
    const sinks: (StreamSink | undefined)[] = [];
    const branches: ResponseStream[] = [];
    let finish!: (error?: unknown) => void;
    const ended = new Promise<unknown>((resolve) => (finish = resolve));
    for (let i = 0; i < 2; i++) {
      branches.push(
        new ResponseStream((sink, signal) => {
          sinks[i] = sink;
          signal.addEventListener("abort", () => {
            sinks[i] = undefined;
            if (!sinks[0] && !sinks[1]) this.abortQuietly();
          });
          return ended.then((error) => (error === undefined ? undefined : Promise.reject(error)));
        }),
      );
    }
    const pump = async () => {
      for await (const event of this) {
        for (const sink of sinks) sink?.push(event);
        for (const sink of sinks) await sink?.room();
      }
    };
    pump().then(() => finish(), (error: unknown) => finish(error ?? new AbortError()));
    return [branches[0]!, branches[1]!];
  }

  /** Read to the end and return the `response.done` event (status may be incomplete/failed). */
  async finalResponse(): Promise<DoneEvent> {
    let done: DoneEvent | undefined;
    for await (const event of this) if (event.type === "response.done") done = event;
    if (!done) throw new StreamIncompleteError("The stream ended without a final response.", { partial: this.partialFn?.() });
    return done;
  }

  private abortQuietly(): void {
    if (this.controller.signal.aborted) return;
    this.finished = true;
    this.controller.abort();
  }

  private push(event: StreamEvent): void {
    if (this.finished) return;
    this.count++;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: event });
    } else this.queue.push(event);
  }

  private next(): Promise<IteratorResult<StreamEvent>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (this.roomWaiter && this.queue.length - this.head < HIGH_WATER / 2) {
        const wake = this.roomWaiter;
        this.roomWaiter = undefined;
        wake();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.finished) return this.failure === undefined ? Promise.resolve(DONE) : Promise.reject(this.takeFailure());
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private takeFailure(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.wake();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    this.wake();
  }

  private wake(): void {
    this.detach?.();
    this.detach = undefined;
    const waiter = this.waiter;
    this.roomWaiter?.();
    this.roomWaiter = undefined;
    if (!waiter) return;
    this.waiter = undefined;
    if (this.failure === undefined) waiter.resolve(DONE);
    else waiter.reject(this.takeFailure());
  }
}
