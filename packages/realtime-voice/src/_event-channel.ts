/**
 * Fan-out of session events: listeners registered with `on()` see each event as it arrives,
 * and one async iterator (when buffering) sees them in order, with back-pressure left to the
 * consumer. The iterator ends on `end()` and throws the error given to `fail()`.
 */

/** Removes a listener added with `on()`. */
export type Unsubscribe = () => void;

/**
 * What every realtime session offers: its settings, whether it is open, when it ended, event
 * subscription and closing. Iterate it once, or subscribe with `on()`.
 */
export interface RealtimeSessionBase<E extends { type: string }, S> extends AsyncIterable<E> {
  /** The resolved settings (no secrets). */
  readonly settings: S;
  /** False once closed, aborted or dropped. */
  readonly open: boolean;
  /**
   * Settles when the session is over: resolves after `close()`, rejects with
   * RealtimeClosedError (dropped) or AbortError (aborted). Handy with `bufferEvents: false`,
   * where no iterator reports the end.
   */
  readonly ended: Promise<void>;
  /** Subscribes to one event type or `"*"`. */
  on<K extends E["type"] | "*">(type: K, listener: (event: K extends "*" ? E : Extract<E, { type: K }>) => void): Unsubscribe;
  /** Closes the socket (code 1000); the iterator then ends normally. Idempotent. */
  close(): Promise<void>;
}

interface Waiter<T> {
  resolve: (result: IteratorResult<T>) => void;
  reject: (error: unknown) => void;
}

/** Events carry a `type`; listeners subscribe to one type or to `"*"`. */
export class EventChannel<T extends { type: string }> {
  readonly #buffer: T[] = [];
  readonly #listeners = new Map<string, Set<(event: T) => void>>();
  #waiter: Waiter<T> | undefined;
  #done = false;
  #error: unknown;
  #iterating = false;
  #detached = false;

  /**
   * @param buffering keep events for the iterator (false: listeners only).
   * @param onListenerError called when a listener throws, so one bad listener cannot break the socket.
   */
  constructor(
    private readonly buffering: boolean,
    private readonly onListenerError: (error: unknown, event: T) => void,
  ) {}

  /** Delivers an event to listeners and the iterator; dropped after `end()`/`fail()`. */
  push(event: T): void {
    if (this.#done) return;
    for (const key of [event.type, "*"]) {
      for (const listener of this.#listeners.get(key) ?? []) {
        try {
          listener(event);
        } catch (error) {
          this.onListenerError(error, event);
        }
      }
    }
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: event, done: false });
    } else if (this.buffering && !this.#detached) this.#buffer.push(event);
  }

  /** Ends the stream normally (buffered events are still delivered). */
  end(): void {
    this.#finish(undefined);
  }

  /** Ends the stream with an error (thrown after the buffered events). */
  fail(error: unknown): void {
    this.#finish(error ?? new Error("failed"));
  }

  get done(): boolean {
    return this.#done;
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (error === undefined) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(error);
  }

  on<K extends T["type"] | "*">(type: K, listener: (event: K extends "*" ? T : Extract<T, { type: K }>) => void): Unsubscribe {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    const fn = listener as (event: T) => void;
    set.add(fn);
    return () => void set.delete(fn);
  }

  /** The single consumer iterator. */
  iterate(): AsyncIterableIterator<T> {
    if (!this.buffering) throw new TypeError("This session was created with bufferEvents: false; use on() listeners.");
    if (this.#iterating) throw new TypeError("Session events can be iterated once; use on() for more consumers.");
    this.#iterating = true;
    const next = (): Promise<IteratorResult<T>> => {
      const event = this.#buffer.shift();
      if (event !== undefined) return Promise.resolve({ value: event, done: false });
      if (this.#done || this.#detached) {
        if (this.#error === undefined) return Promise.resolve({ value: undefined, done: true });
        const error = this.#error;
        this.#error = undefined;
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
    };
    const iterator: AsyncIterableIterator<T> = {
      next,
      return: () => {
        // Leaving the loop stops buffering; listeners keep working.
        this.#buffer.length = 0;
        this.#detached = true;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
