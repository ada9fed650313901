import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { ConnectionError } from "./errors.js";
import { pinnedLookup, resolveTarget, SsrfBlockedError, type SsrfGuardOptions } from "./ssrf-guard.js";

/** Options of {@link createGuardedFetch}: the SSRF policy and an injectable DNS lookup. */
export type GuardedFetchOptions = SsrfGuardOptions;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException("This operation was aborted", "AbortError");

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

function decode(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
  if (encoding === "gzip" || encoding === "x-gzip") return res.pipe(zlib.createGunzip()).on("error", () => res.destroy());
  if (encoding === "deflate") return res.pipe(zlib.createInflate()).on("error", () => res.destroy());
  if (encoding === "br") return res.pipe(zlib.createBrotliDecompress()).on("error", () => res.destroy());
  return res;
}

/**
 * A `fetch`-compatible function behind the SSRF guard. Per call it checks the URL (http/https
 * only, no credentials, host allowed by `policy`), resolves the host once, checks every
 * address, and connects only to those checked addresses (pinned: no second DNS query, so no
 * DNS-rebinding window). IP-literal hosts are checked before connecting.
 *
 * - Redirects are never followed, whatever `redirect` says: a 3xx is returned as-is.
 * - Bodies: string, Uint8Array/ArrayBuffer, Blob, FormData, URLSearchParams (buffered once).
 * - `signal` aborts DNS, connect and the body stream with `signal.reason`.
 * - Proxies (`HTTPS_PROXY`/`HTTP_PROXY`) are not used: the connection always goes straight to
 *   the checked address, since a proxy would resolve the name again out of our sight.
 * - gzip/deflate/br bodies are decompressed (no `accept-encoding` is sent unless you set one).
 *
 * Throws {@link SsrfBlockedError} before any connection when the target is refused, and
 * `ConnectionError` when the connection fails.
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): typeof fetch {
  // Own agents: a shared pool could hand this guard a socket opened under another policy.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    // Checked before `new Request`, whose own errors quote the URL with any credentials.
    const target = await raceAbort(resolveTarget(requestUrl(input), options), callerSignal);
    if (target.url.protocol !== "http:" && target.url.protocol !== "https:") {
      throw new SsrfBlockedError({ host: target.hostname, range: "scheme", origin: target.url.protocol });
    }
    const request = input instanceof Request ? new Request(input, init) : new Request(target.url, init);
    const body = request.body ? new Uint8Array(await raceAbort(request.arrayBuffer(), callerSignal)) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers.accept ??= "*/*";
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    else if (["POST", "PUT", "PATCH"].includes(request.method)) headers["content-length"] = "0";

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
      const onAbort = (): void => {
        const reason = abortReason(callerSignal!);
        res?.destroy(reason instanceof Error ? reason : undefined);
        req.destroy();
        reject(reason);
      };
      const cleanup = (): void => callerSignal?.removeEventListener("abort", onAbort);
      callerSignal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => {
        cleanup();
        if (callerSignal?.aborted) return reject(abortReason(callerSignal));
        reject(error instanceof SsrfBlockedError ? error : new ConnectionError(`Could not reach ${target.url.protocol}//${target.url.host}.`, { cause: error }));
      });
      req.on("response", (incoming) => {
        res = incoming;
        incoming.on("close", cleanup);
        const status = incoming.statusCode ?? 0;
        if (status < 200 || status > 599) {
          incoming.destroy();
          return reject(new ConnectionError(`Invalid HTTP status ${status} from ${target.url.protocol}//${target.url.host}.`));
        }
        const responseHeaders = new Headers();
        try {
          for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
        } catch (error) {
          incoming.destroy();
          return reject(new ConnectionError(`Malformed response headers from ${target.url.protocol}//${target.url.host}.`, { cause: error }));
        }
        const noBody = NULL_BODY_STATUSES.has(status) || request.method === "HEAD";
        if (noBody) incoming.resume();
        const stream = noBody ? null : (Readable.toWeb(decode(incoming)) as unknown as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders }));
      });
      req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  };
  return guardedFetch as typeof fetch;
}
