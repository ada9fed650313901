import { mergeHeaders, type TransportContext } from "./_context.js";
import { causeCode, describeCause, errorFromStatus, isUsageLimit, parseErrorBody, secretsOf } from "./_http-errors.js";
import { readSseBody } from "./_sse-read.js";
import {
  AbortError,
  ApiError,
  ConnectTimeoutError,
  ConnectionError,
  RedirectError,
  type AttemptRecord,
} from "./errors.js";
import type { WireResponse } from "./_http-post.js";
import type { TurnIdentity } from "./identity.js";
import type { StreamSink } from "./stream.js";

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;

/**
 * One SSE turn: `POST {base}/responses` with `stream: true`, retrying connection errors and
 * retryable statuses before the response starts (never after), then reading the event stream
 * into `sink`. Redirects are followed only within the same origin, so credentials never leave it.
 */
export async function runSse(
  ctx: TransportContext,
  body: Record<string, unknown>,
  identity: TurnIdentity,
  sink: StreamSink,
  signal: AbortSignal,
): Promise<void> {
  sink.setTransport("sse");
  const payload = JSON.stringify({ ...body, stream: true });
  const attempts: AttemptRecord[] = [];
  for (let retry = 0; ; retry++) {
    if (signal.aborted) throw new AbortError({ transport: "sse" });
    const headers = mergeHeaders(
      await ctx.headers(),
      { accept: "text/event-stream", "content-type": "application/json" },
      ctx.sseExtraHeaders,
      identity.nextAttemptHeaders(),
    );
    const secrets = secretsOf(headers);
    const attemptCtl = new AbortController();
    const onAbort = () => attemptCtl.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptCtl.abort();
    }, ctx.timeoutMs);
    let res: WireResponse;
    try {
      res = await postFollowingSameOrigin(ctx, payload, headers, attemptCtl.signal, secrets);
    } catch (error) {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) throw new AbortError({ transport: "sse", cause: error });
      if (error instanceof ApiError) throw error;
      // undici's own headersTimeout (300 s by default) is a timeout too, not a refused connection.
      if (causeCode(error) === "UND_ERR_HEADERS_TIMEOUT") timedOut = true;
      const message = timedOut ? `no response headers within ${ctx.timeoutMs} ms` : describeCause(error);
      attempts.push({ attempt: retry, message });
      if (retry < ctx.retry.maxRetries) {
        const delay = ctx.retry.delayMs(retry);
        attempts[attempts.length - 1]!.delayMs = delay;
        ctx.logger?.debug?.("sse connection failed; retrying", { attempt: retry, delayMs: delay, message });
        await ctx.sleep(delay, signal);
        continue;
      }
      const fields = { transport: "sse" as const, attempts, secrets, cause: error };
      if (timedOut) throw new ConnectTimeoutError(ctx.timeoutMs, fields);
      throw new ConnectionError(`Could not reach ${ctx.httpUrl} after ${attempts.length} attempt(s): ${message}`, fields);
    }
    clearTimeout(timer);
    const requestId = res.headers.get("x-request-id") ?? undefined;
    if (!res.ok) {
      signal.removeEventListener("abort", onAbort);
      const text = await readCapped(res, ctx.idleTimeoutMs);
      const errorBody = parseErrorBody(text);
      attempts.push({ attempt: retry, status: res.status, code: errorBody.code, message: errorBody.message ?? `HTTP ${res.status}` });
      const retryable = !isUsageLimit(res.status, errorBody) && ctx.retry.shouldRetryStatus(res.status, res.headers);
      if (retryable && retry < ctx.retry.maxRetries) {
        const delay = ctx.retry.delayMs(retry, res.headers);
        attempts[attempts.length - 1]!.delayMs = delay;
        ctx.logger?.debug?.("sse error status; retrying", { attempt: retry, status: res.status, delayMs: delay });
        await ctx.sleep(delay, signal);
        continue;
      }
      throw errorFromStatus({
        status: res.status,
        body: errorBody,
        requestId,
        retryAfterMs: ctx.retry.retryAfterMs(res.headers),
        attempts,
        transport: "sse",
        secrets,
        now: ctx.now(),
      });
    }
    try {
      // From here on nothing is retried: the response may already be billed.
      await readSseBody(ctx, res, sink, attemptCtl, signal, requestId, secrets);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    return;
  }
}

async function postFollowingSameOrigin(
  ctx: TransportContext,
  payload: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  secrets: string[],
): Promise<WireResponse> {
  let url = ctx.httpUrl;
  const origin = new URL(url).origin;
  for (let hop = 0; ; hop++) {
    const res = await ctx.post(url, headers, payload, signal);
    if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
    const location = res.headers.get("location");
    await res.reader().cancel().catch(() => undefined);
    if (!location) return res;
    const next = new URL(location, url);
    const fields = { status: res.status, transport: "sse" as const, secrets, requestId: res.headers.get("x-request-id") ?? undefined };
    if (next.origin !== origin) throw new RedirectError(next.href, fields);
    if ((res.status !== 307 && res.status !== 308) || hop >= MAX_REDIRECTS) {
      throw new ApiError(`HTTP ${res.status} redirect to ${next.pathname} not followed for a streaming POST.`, {
        ...fields,
        hint: "Point baseUrl at the final endpoint.",
      });
    }
    url = next.href;
  }
}

async function readCapped(res: WireResponse, limitMs: number): Promise<string> {
  const reader = res.reader();
  const decoder = new TextDecoder();
  let text = "";
  // An error body that never ends must not hang the turn.
  const timer = setTimeout(() => reader.cancel().catch(() => undefined), limitMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > MAX_ERROR_BODY) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } catch {
    // A body cut short still tells us the status; keep what arrived.
  } finally {
    clearTimeout(timer);
  }
  return text;
}
