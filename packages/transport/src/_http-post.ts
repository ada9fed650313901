import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** The part of a stream reader the SSE code uses (a web `ReadableStreamDefaultReader` fits). */
export interface ChunkReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<void>;
}

/** A response whose body has not been read yet. */
export interface WireResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  reader(): ChunkReader;
}

/** Sends one POST. Redirects are never followed here; the caller decides. */
export type PostFn = (url: string, headers: Record<string, string>, body: string, signal: AbortSignal) => Promise<WireResponse>;

/** A {@link PostFn} over an injected `fetch` (always `redirect: "manual"`). */
export function fetchPost(fetchImpl: typeof fetch): PostFn {
  return async (url, headers, body, signal) => {
    const res = await fetchImpl(url, { method: "POST", headers, body, redirect: "manual", signal });
    return {
      status: res.status,
      ok: res.ok,
      headers: res.headers,
      reader: () => (res.body ? res.body.getReader() : EMPTY),
    };
  };
}

const EMPTY: ChunkReader = { read: async () => ({ done: true }), cancel: async () => undefined };
const HIGH_WATER_CHUNKS = 64;

/**
 * The default {@link PostFn}: `node:http(s)` with the global keep-alive agent. Compared with
 * `fetch` it skips the web-stream layer on the hot path and has no hidden 300 s header/body
 * timeouts (ours are `timeoutMs` and `idleTimeoutMs`).
 */
export const nodePost: PostFn = (url, headers, body, signal) =>
  new Promise<WireResponse>((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, signal });
    req.once("error", reject);
    req.once("response", (res) => {
      const h = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) h.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const status = res.statusCode ?? 0;
      resolve({ status, ok: status >= 200 && status < 300, headers: h, reader: () => messageReader(res) });
    });
    req.end(body);
  });

/** Pull-style reader over an IncomingMessage, pausing the socket when the reader lags. */
function messageReader(res: IncomingMessage): ChunkReader {
  const chunks: Buffer[] = [];
  let head = 0;
  let ended = false;
  let failure: Error | undefined;
  let waiting: { resolve(r: { done: boolean; value?: Uint8Array }): void; reject(e: unknown): void } | undefined;
  const take = (): Buffer => {
    const value = chunks[head++]!;
    if (head === chunks.length) {
      // Reset instead of growing: the array only ever holds unread chunks.
      chunks.length = 0;
      head = 0;
      if (res.isPaused()) res.resume();
    }
    return value;
  };
  const settle = () => {
    const w = waiting;
    if (!w) return;
    if (head < chunks.length) {
      waiting = undefined;
      w.resolve({ done: false, value: take() });
    } else if (failure) {
      waiting = undefined;
      w.reject(failure);
    } else if (ended) {
      waiting = undefined;
      w.resolve({ done: true });
    }
  };
  res.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    if (chunks.length - head >= HIGH_WATER_CHUNKS) res.pause();
    settle();
  });
  res.once("end", () => {
    ended = true;
    settle();
  });
  const fail = (error?: Error) => {
    if (ended) return;
    failure ??= new TypeError("terminated", { cause: error });
    settle();
  };
  res.once("error", fail);
  res.once("aborted", () => fail());
  res.once("close", () => {
    if (!res.complete) fail();
  });
  return {
    read() {
      if (head < chunks.length) return Promise.resolve({ done: false as const, value: take() });
      if (failure) return Promise.reject(failure);
      if (ended) return Promise.resolve({ done: true as const });
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    async cancel() {
      // A pending read() resolves as done; later data is ignored.
      ended = true;
      chunks.length = 0;
      head = 0;
      settle();
      res.destroy();
    },
  };
}
