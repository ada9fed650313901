import { redactSecrets } from "@genesis/core";
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  PermissionError,
  RateLimitError,
  RedirectError,
  TransportError,
  UsageLimitError,
} from "./errors.js";
import { isUsageLimit, parseErrorBody } from "./_http-errors.js";
import { SsrfBlockedError } from "./ssrf-guard.js";
import { abortableSleep, createRetryPolicy, type RetryPolicy, type SleepFn } from "./retry-policy.js";

/** Options shared by the plain (non-streaming) HTTP calls Genesis packages make. */
export interface HttpRequestOptions {
  /** Injected `fetch`; default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Retries after the first attempt for 408/409/429/5xx and connection failures. Default 2. */
  maxRetries?: number;
  /** Sleep used between retries (tests pass a fake). Default {@link abortableSleep}. */
  sleep?: SleepFn;
  /** Aborts the call and any wait between retries; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Values to scrub from error messages (API keys, tokens). */
  secrets?: string[];
}

/** A request body: JSON text, multipart form data or raw bytes (sent once per attempt). */
export type HttpBody = string | FormData | Uint8Array;

/** Join a base URL (`https://api.openai.com/v1`) and a path (`/embeddings`) with one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`;
}

async function errorFromResponse(res: Response, text: string, secrets: string[]): Promise<ApiError> {
  const requestId = res.headers.get("x-request-id") ?? undefined;
  let serverCode: string | undefined;
  let message = `HTTP ${res.status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; type?: unknown; message?: unknown } };
    if (typeof parsed?.error?.message === "string") message = `${message}: ${parsed.error.message}`;
    const code = parsed?.error?.code ?? parsed?.error?.type;
    if (typeof code === "string") serverCode = code;
  } catch {
    // A non-JSON error body says nothing reliable; the status is the message.
  }
  message = redactSecrets(message.slice(0, 500), secrets);
  const fields = { requestId, serverCode, secrets } as const;
  const usage = usageLimit(res.status, text);
  if (usage) return new UsageLimitError({ ...fields, status: res.status, plan: usage.planType, resetsAt: usage.resetsAt });
  if (res.status === 401) return new AuthenticationError(message, fields);
  if (res.status === 403) return new PermissionError(message, fields);
  if (res.status === 429) return new RateLimitError(message, fields);
  return new ApiError(message, { ...fields, status: res.status });
}

/** The parsed body when an error answer is a plan usage limit (retrying it cannot help). */
function usageLimit(status: number, text: string): ReturnType<typeof parseErrorBody> | undefined {
  if (status !== 429 && !text.includes("usage_")) return undefined;
  const body = parseErrorBody(text);
  return isUsageLimit(status, body) ? body : undefined;
}

/**
 * The start of an error answer's body: at most {@link MAX_ERROR_TEXT} bytes are read, then the
 * rest is cancelled, so an endless error page cannot hold a retry (or the error) back.
 */
async function errorText(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length >= MAX_ERROR_TEXT) break;
    }
  } catch {
    // A body cut short still has its status; keep what arrived.
  }
  reader.cancel().catch(() => undefined);
  return text.slice(0, MAX_ERROR_TEXT);
}

const MAX_ERROR_TEXT = 64 * 1024;

/**
 * Refuses a URL no attempt could succeed with, before any retry: fetch's own errors for these
 * quote the whole URL (credentials included) and would be retried as if the network failed.
 */
function checkedOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportError("invalid_url", "The request URL is not a valid absolute URL.", {
      hint: "Use an absolute http(s) URL such as https://api.openai.com/v1 (check the configured baseUrl).",
    });
  }
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TransportError("invalid_url", `Unsupported URL scheme ${parsed.protocol} in the request URL.`, { hint: "Use an http or https URL." });
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new TransportError("invalid_url", `The request URL for ${origin} carries user:pass@ credentials.`, {
      hint: "Remove the credentials from the URL; the API key goes in a header.",
    });
  }
  return origin;
}

/**
 * One HTTP call with the official SDK's retry norm (408/409/429/5xx and connection failures,
 * `retry-after` honoured up to 60 s, jittered backoff), redirects never followed (so
 * credentials never cross origins: a 3xx is a {@link RedirectError}), and typed errors
 * (`AuthenticationError`, `PermissionError`, `RateLimitError`, `ApiError` with `status` and
 * `serverCode`). Returns the successful `Response` with its body unread.
 *
 * A URL that cannot work (unparsable, not http(s), `user:pass@`) is a `TransportError`
 * `invalid_url` at once; an `SsrfBlockedError` from a guarded `fetch` is rethrown at once
 * (never retried).
 */
export async function sendRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: HttpBody },
  options: HttpRequestOptions = {},
): Promise<Response> {
  const origin = checkedOrigin(url);
  const doFetch = options.fetch ?? globalThis.fetch;
  const policy: RetryPolicy = createRetryPolicy({ maxRetries: options.maxRetries });
  const sleep = options.sleep ?? abortableSleep;
  const secrets = options.secrets ?? [];
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, { method: init.method, headers: init.headers, body: init.body as RequestInit["body"], redirect: "manual", signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      // A blocked target stays blocked: retrying it only delays the clear error.
      if (error instanceof SsrfBlockedError) throw error;
      if (attempt < policy.maxRetries) {
        await sleep(policy.delayMs(attempt), options.signal);
        continue;
      }
      throw new ConnectionError(`Could not reach ${origin}.`, { cause: error });
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      // A Location may echo the caller's key (signed URLs, `?api_key=`): scrub it like a body.
      const location = redactSecrets(res.headers.get("location") ?? "", secrets);
      throw new RedirectError(location, { status: res.status, secrets, requestId: res.headers.get("x-request-id") ?? undefined });
    }
    if (res.ok) return res;
    const text = await errorText(res);
    // A 429 is retried, unless it is a plan usage limit: that lasts until the reset.
    if (attempt < policy.maxRetries && policy.shouldRetryStatus(res.status, res.headers) && !usageLimit(res.status, text)) {
      await sleep(policy.delayMs(attempt, res.headers), options.signal);
      continue;
    }
    throw await errorFromResponse(res, text, secrets);
  }
}
