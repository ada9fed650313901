import http from "node:http";
import https from "node:https";
import { pipeline, Readable, type Transform } from "node:stream";
import zlib from "node:zlib";
import { ConnectionError } from "./errors.js";
import { pinnedLookup, resolveTarget, SsrfBlockedError, type SsrfGuardOptions } from "./ssrf-guard.js";

/** Options of {@link createGuardedFetch}: the SSRF policy and an injectable DNS lookup. */
export type GuardedFetchOptions = SsrfGuardOptions;

const HTTP_SCHEMES: ReadonlySet<string> = new Set(["http:", "https:"]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** The signal's reason as something a Node stream can carry (streams drop non-Error reasons). */
const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException("This operation was aborted", "AbortError");
const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError"));

function requestUrl(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** Rejects as soon as `signal` aborts, so a slow DNS answer cannot delay the abort. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

/** Bodies that are already in memory: buffering them once costs nothing and gives a content-length. */
const isInMemory = (body: unknown): boolean =>
  typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof FormData || body instanceof URLSearchParams;

type Upload = { bytes: Uint8Array } | { stream: ReadableStream<Uint8Array>; length: number | undefined } | undefined;

/**
 * A Blob (e.g. `fs.openAsBlob`) or a stream is sent as it is read, never held whole in memory;
 * a Blob keeps its exact content-length, a stream goes chunked unless the caller set one.
 * Everything else (and a `Request` whose body source is unknown) is buffered once.
 */
async function prepareUpload(request: Request, init: RequestInit | undefined, signal: AbortSignal | null | undefined): Promise<Upload> {
  if (!request.body) return undefined;
  const source = init?.body;
  if (source instanceof Blob) return { stream: request.body, length: source.size };
  if (source != null && !isInMemory(source)) {
    const declared = request.headers.get("content-length");
    return { stream: request.body, length: declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined };
  }
  return { bytes: new Uint8Array(await raceAbort(request.arrayBuffer(), signal)) };
}

/** Decoders for `content-encoding` (applied last-first), or undefined to pass the bytes through. */
function decodersFor(header: string | undefined): Transform[] | undefined {
  const codings = String(header ?? "").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return undefined;
  const out: Transform[] = [];
  for (const coding of codings.reverse()) {
    if (coding === "gzip" || coding === "x-gzip") out.push(zlib.createGunzip());
    else if (coding === "deflate") out.push(zlib.createInflate());
    else if (coding === "br") out.push(zlib.createBrotliDecompress());
    else return undefined; // an unknown coding: hand the caller the bytes as sent
  }
  return out;
}

/**
 * A `fetch`-compatible function behind the SSRF guard. Per call it checks the URL (http/https
 * only, no credentials, host allowed by `policy`), resolves the host once, checks every
 * address, and connects only to those checked addresses (pinned: no second DNS query, so no
 * DNS-rebinding window). IP-literal hosts are checked before connecting. Over https the TLS
 * server name and certificate check use the hostname, not the pinned IP.
 *
 * - Redirects are never followed, whatever `redirect` says: a 3xx is returned as-is.
 * - Bodies: string, Uint8Array/ArrayBuffer, FormData, URLSearchParams are buffered once (with a
 *   content-length); a Blob is streamed with its size; a ReadableStream / async iterable
 *   (`duplex: "half"`) is streamed chunked. A `Request` object's body is buffered.
 * - The response body streams with backpressure (nothing is buffered whole). gzip/deflate/br
 *   are decoded, and then `content-encoding` / `content-length` are removed since they no
 *   longer describe the bytes you read. Repeated headers (`set-cookie`) are kept.
 * - `signal` aborts DNS, connect, upload and the body stream with `signal.reason`. No built-in
 *   timeout: pass `AbortSignal.timeout(ms)`.
 * - Proxies (`HTTPS_PROXY`/`HTTP_PROXY`) are not used: the connection always goes straight to
 *   the checked address, since a proxy would resolve the name again out of our sight.
 *
 * Throws {@link SsrfBlockedError} before any connection when the target is refused, and
 * `ConnectionError` when the connection fails or the answer is not valid HTTP.
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): typeof fetch {
  // Own agents: a shared pool could hand this guard a socket opened under another policy.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    // Checked before `new Request`, whose own errors quote the URL with any credentials.
    const target = await raceAbort(resolveTarget(requestUrl(input), options, HTTP_SCHEMES), callerSignal);
    const origin = `${target.url.protocol}//${target.url.host}`;
    const request = input instanceof Request ? new Request(input, init) : new Request(target.url, init);
    const upload = await prepareUpload(request, init, callerSignal);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers.accept ??= "*/*";
    delete headers["content-length"];
    const length = upload === undefined ? undefined : "bytes" in upload ? upload.bytes.byteLength : upload.length;
    if (length !== undefined) headers["content-length"] = String(length);
    else if (upload === undefined && ["POST", "PUT", "PATCH"].includes(request.method)) headers["content-length"] = "0";

    const secure = target.url.protocol === "https:";
    return await new Promise<Response>((resolve, reject) => {
      const req = (secure ? https : http).request({
        protocol: target.url.protocol,
        hostname: target.hostname,
        port: target.url.port === "" ? undefined : Number(target.url.port),
        path: `${target.url.pathname}${target.url.search}`,
        method: request.method,
        headers,
        agent: secure ? agents.https : agents.http,
        lookup: pinnedLookup(target.addresses),
      });
      let res: http.IncomingMessage | undefined;
      let body: Readable | null = null;
      let source: Readable | undefined;
      let uploadError: unknown;
      const teardown = (error?: Error): void => {
        // The body stream first: destroying it with the reason is what the reader sees.
        body?.destroy(error);
        res?.destroy(error);
        source?.destroy();
        req.destroy();
      };
      const onAbort = (): void => {
        const reason = abortReason(callerSignal!);
        teardown(asError(reason));
        reject(reason);
      };
      const cleanup = (): void => callerSignal?.removeEventListener("abort", onAbort);
      callerSignal?.addEventListener("abort", onAbort, { once: true });
      const fail = (error: unknown): void => {
        cleanup();
        source?.destroy();
        req.destroy();
        reject(error);
      };
      req.on("error", (error) => {
        if (callerSignal?.aborted) return fail(abortReason(callerSignal));
        // The caller's own body stream failing is their error, not an unreachable server.
        if (uploadError !== undefined) return fail(uploadError);
        fail(error instanceof SsrfBlockedError ? error : new ConnectionError(`Could not reach ${origin}.`, { cause: error }));
      });
      req.on("response", (incoming) => {
        res = incoming;
        incoming.on("close", cleanup);
        const status = incoming.statusCode ?? 0;
        const noBody = NULL_BODY_STATUSES.has(status) || request.method === "HEAD";
        try {
          if (status < 200 || status > 599) throw new RangeError(`invalid status ${status}`);
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          if (noBody) incoming.resume();
          else {
            const decoders = decodersFor(incoming.headers["content-encoding"]);
            if (decoders) {
              responseHeaders.delete("content-encoding");
              responseHeaders.delete("content-length");
            }
            // pipeline (not pipe) so a reset mid-body errors the decoded stream instead of hanging it.
            body = decoders ? (pipeline([incoming, ...decoders], () => undefined) as unknown as Readable) : incoming;
          }
          const stream = body === null ? null : (Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>);
          const response = new Response(stream, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders });
          Object.defineProperty(response, "url", { value: `${target.url.origin}${target.url.pathname}${target.url.search}` });
          resolve(response);
        } catch (error) {
          incoming.destroy();
          // Only our own status text is quoted: a bad header's value could be a server cookie.
          const detail = error instanceof RangeError ? ` (${error.message})` : "";
          fail(new ConnectionError(`Malformed HTTP answer from ${origin}${detail}.`, { cause: error }));
        }
      });
      if (upload === undefined) req.end();
      else if ("bytes" in upload) req.end(Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength));
      else {
        source = Readable.fromWeb(upload.stream as Parameters<typeof Readable.fromWeb>[0]);
        source.once("error", (error) => {
          uploadError = error;
          req.destroy(error);
        });
        // pipe gives backpressure: a slow server pauses the caller's stream instead of buffering it.
        source.pipe(req);
      }
    });
  };
  return guardedFetch as typeof fetch;
}
