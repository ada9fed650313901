import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  PermissionError,
  RateLimitError,
  RedirectError,
  abortableSleep,
  createRetryPolicy,
  type RetryPolicy,
  type SleepFn,
} from "@genesis/transport";
import { redactSecrets } from "@genesis/core";

/** Shared options of the small JSON/SSE HTTP calls this package makes itself. */
export interface HttpOptions {
  fetch?: typeof globalThis.fetch;
  /** Retries after the first attempt for 408/409/429/5xx and connection failures. Default 2. */
  maxRetries?: number;
  sleep?: SleepFn;
  signal?: AbortSignal;
}

/** Join a base URL (`https://api.openai.com/v1`) and a path (`/embeddings`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

async function errorFromResponse(res: Response, secrets: string[]): Promise<ApiError> {
  const requestId = res.headers.get("x-request-id") ?? undefined;
  let serverCode: string | undefined;
  let message = `HTTP ${res.status}`;
  try {
    const text = await res.text();
    const parsed = JSON.parse(text) as { error?: { code?: unknown; type?: unknown; message?: unknown } };
    if (typeof parsed?.error?.message === "string") message = `${message}: ${parsed.error.message}`;
    const code = parsed?.error?.code ?? parsed?.error?.type;
    if (typeof code === "string") serverCode = code;
  } catch {
    // A non-JSON error body says nothing reliable; the status is the message.
  }
  message = redactSecrets(message.slice(0, 500), secrets);
  const fields = { requestId, serverCode, secrets } as const;
  if (res.status === 401) return new AuthenticationError(message, fields);
  if (res.status === 403) return new PermissionError(message, fields);
  if (res.status === 429) return new RateLimitError(message, fields);
  return new ApiError(message, { ...fields, status: res.status });
}

/**
 * One HTTP call with the official SDK's retry norm, credentials never followed across a
 * redirect, and typed errors. Returns the successful `Response` (body unread).
 */
export async function request(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  options: HttpOptions & { secrets: string[] },
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const policy: RetryPolicy = createRetryPolicy({ maxRetries: options.maxRetries });
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, redirect: "manual", signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (attempt < policy.maxRetries) {
        await sleep(policy.delayMs(attempt), options.signal);
        continue;
      }
      throw new ConnectionError(`Could not reach ${redactSecrets(new URL(url).origin)}.`, { cause: error });
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new RedirectError(res.headers.get("location") ?? "", { status: res.status });
    }
    if (res.ok) return res;
    if (attempt < policy.maxRetries && policy.shouldRetryStatus(res.status, res.headers)) {
      await res.body?.cancel();
      await sleep(policy.delayMs(attempt, res.headers), options.signal);
      continue;
    }
    throw await errorFromResponse(res, options.secrets);
  }
}
