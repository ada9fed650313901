import { z } from "zod";
import { GenesisError, redactSecrets, ValidationError } from "@genesis/core";
import {
  abortableSleep, ApiError, AuthenticationError, ConnectionError, createRetryPolicy, RedirectError, sendRequest, UsageLimitError, type HttpRequestOptions,
} from "@genesis/transport";
import { codexHeaders } from "./codex-headers.js";
import type { CodexCredentialManager } from "./credential-manager.js";
import { codexResponsesUrl, type CodexOAuthSettings } from "./oauth-config.js";
import type { CodexCredentials } from "./token-client.js";

/**
 * The Codex CLI version Genesis reports as `client_version` when it lists models. The backend
 * hides models whose `minimal_client_version` is newer, so this tracks the Codex release
 * Genesis is tested against (the same one the Codex harness pins).
 */
export const CODEX_CLIENT_VERSION = "0.169.0";

/** Default bound on the listing requests (retries and their waits included; a token refresh is not counted). */
export const DEFAULT_CODEX_MODELS_TIMEOUT_MS = 10_000;

const rowSchema = z
  .object({
    slug: z.string().trim().min(1),
    display_name: z.string().optional(),
    description: z.string().nullish(),
    context_window: z.number().int().positive().nullish(),
    max_context_window: z.number().int().positive().nullish(),
    visibility: z.string().optional(),
    supported_in_api: z.boolean().optional(),
    priority: z.number().optional(),
    input_modalities: z.array(z.string()).optional(),
  })
  .passthrough();
const answerSchema = z.object({ models: z.array(rowSchema) }).passthrough();

/** One model the Codex backend offers the signed-in account (its `ModelInfo`, trimmed). */
export interface CodexModelInfo {
  /** The model id used in requests and in `openai-codex/<slug>` refs. */
  slug: string;
  displayName: string;
  description?: string;
  /** `context_window`, else `max_context_window`, when the backend reports one. */
  contextWindow?: number;
  /** `list` for models the Codex picker shows; `hide`/`none` for the others. */
  visibility?: string;
  /** Whether the same model is also served by the public API. */
  supportedInApi?: boolean;
  /** Lower sorts first in the Codex picker. */
  priority?: number;
  inputModalities?: string[];
}

/** Stable codes of {@link CodexModelsError}. */
export type CodexModelsErrorCode = "codex_models_timeout" | "codex_models_invalid_answer";

/** The Codex model listing timed out or answered something that is not a model list. */
export class CodexModelsError extends GenesisError {
  override readonly code: CodexModelsErrorCode;
  /** The listing URL without its query. */
  readonly url: string;
  constructor(code: CodexModelsErrorCode, message: string, fields: { url: string; hint?: string; cause?: unknown }) {
    super(code, redactSecrets(message), { hint: fields.hint, cause: fields.cause });
    this.code = code;
    this.url = fields.url;
  }
}

/** Options of {@link listCodexModels}. */
export interface ListCodexModelsOptions extends Pick<HttpRequestOptions, "fetch" | "sleep" | "signal"> {
  /** Supplies (and refreshes) the signed-in account's tokens, as for turns. */
  credentials: Pick<CodexCredentialManager, "getCredentials" | "handleUnauthorized">;
  /** `codexBaseUrl` (any spelling {@link codexResponsesUrl} accepts) and `originator`. */
  settings: Pick<CodexOAuthSettings, "codexBaseUrl" | "originator">;
  /** Reported as `client_version`; default {@link CODEX_CLIENT_VERSION}. */
  clientVersion?: string;
  /**
   * Bound on the listing requests, retries and their waits included; default
   * {@link DEFAULT_CODEX_MODELS_TIMEOUT_MS}. A token refresh runs off this clock (its own limit is 20 s).
   */
  timeoutMs?: number;
  /** Retries for 408/409/429/5xx and connection failures; default 1 (listing is not worth a long wait). */
  maxRetries?: number;
  /**
   * `User-Agent`, sent to every host. Default: `genesis/<version> (<platform> <release>; <arch>)`
   * on a verified Codex host (see `isVerifiedCodexHost`), none of ours on any other.
   */
  userAgent?: string;
}

/** `{codexBase}/models`: the listing sits next to `/responses` under the Codex backend. */
export function codexModelsUrl(settings: Pick<CodexOAuthSettings, "codexBaseUrl">): string {
  return `${codexResponsesUrl(settings).slice(0, -"/responses".length)}/models`;
}

function checkOptions(options: ListCodexModelsOptions): void {
  if (options.clientVersion !== undefined && !/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(options.clientVersion)) {
    throw new ValidationError(`listCodexModels: clientVersion "${redactSecrets(options.clientVersion)}" is not a version like 0.169.0`, {
      path: "clientVersion", hint: "Pass a Codex CLI version (major.minor.patch) or leave it out.",
    });
  }
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new ValidationError(`listCodexModels: timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`, {
      path: "timeoutMs", hint: `Leave it out for ${DEFAULT_CODEX_MODELS_TIMEOUT_MS} ms.`,
    });
  }
}

function toInfo(row: z.infer<typeof rowSchema>): CodexModelInfo {
  const info: CodexModelInfo = { slug: row.slug, displayName: row.display_name?.trim() || row.slug };
  const window = row.context_window ?? row.max_context_window;
  if (row.description) info.description = row.description;
  if (window) info.contextWindow = window;
  if (row.visibility) info.visibility = row.visibility;
  if (row.supported_in_api !== undefined) info.supportedInApi = row.supported_in_api;
  if (row.priority !== undefined) info.priority = row.priority;
  if (row.input_modalities) info.inputModalities = row.input_modalities;
  return info;
}

/**
 * List the models the Codex backend offers the signed-in ChatGPT account:
 * `GET {codexBase}/models?client_version=<ver>` with the same headers as turns
 * (`Authorization: Bearer`, `chatgpt-account-id`; `originator` and `User-Agent` on a verified
 * host only). The token is refreshed first when it is about to expire, and once more if the
 * backend answers 401. Rows come back in the backend's order.
 *
 * `timeoutMs` bounds the listing requests and the waits between their retries, not a token
 * refresh: a refresh rotates the refresh token at the issuer, so cutting it short would lose
 * the new token and force a new sign-in. A refresh is bounded by its own limit (20 s) and is
 * stopped only by the caller's `signal`. A retry wait that would end past the deadline is not
 * started; the last answer's typed error is thrown instead.
 *
 * @throws CodexAuthError when there is no usable sign-in (`not_signed_in`, `reauth_required`, ...)
 * @throws CodexModelsError `codex_models_timeout` when no answer came within `timeoutMs`, `codex_models_invalid_answer` for a body that is not a model list
 * @throws the transport's typed errors (`AuthenticationError`, `RateLimitError`, `ApiError`, `ConnectionError`) for HTTP failures, including the last retryable answer when the deadline left no room for another attempt
 * @throws `options.signal.reason` when the caller aborts
 */
export async function listCodexModels(options: ListCodexModelsOptions): Promise<CodexModelInfo[]> {
  checkOptions(options);
  const base = codexModelsUrl(options.settings);
  const url = `${base}?client_version=${encodeURIComponent(options.clientVersion ?? CODEX_CLIENT_VERSION)}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CODEX_MODELS_TIMEOUT_MS;
  const caller = options.signal;
  // Only the caller's signal reaches the credential calls (see the doc comment above).
  const listing = createListing(url, base, timeoutMs, options);
  let creds = await options.credentials.getCredentials({ signal: caller });
  for (let refreshed = false; ; refreshed = true) {
    let body: unknown;
    try {
      body = await listing.send(creds);
    } catch (error) {
      // A token the backend refused before its expiry (revoked, rotated elsewhere): refresh once.
      if (!refreshed && error instanceof AuthenticationError) {
        creds = await listing.paused(() => options.credentials.handleUnauthorized(creds.access, { signal: caller }));
        continue;
      }
      throw error;
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CodexModelsError("codex_models_invalid_answer", `GET ${base}: the answer is not a Codex model list (${issue.path.join(".") || "body"}: ${issue.message}).`, {
        url: base, hint: "Check auth.openaiCodex.codexBaseUrl / GENESIS_CODEX_BASE_URL points at the ChatGPT Codex backend.",
      });
    }
    return parsed.data.models.map(toInfo);
  }
}

/**
 * The listing requests under one deadline that runs only while listing: `send` makes one
 * request with the transport's retry norm, `paused` runs a token refresh off the clock.
 */
function createListing(url: string, base: string, timeoutMs: number, options: ListCodexModelsOptions) {
  const policy = createRetryPolicy({ maxRetries: options.maxRetries ?? 1 });
  const sleep = options.sleep ?? abortableSleep;
  const caller = options.signal;
  // Set when the first listing request starts: the initial token check is off the clock too.
  let endsAt: number | undefined;
  // The status and headers of the last answer, for retry-after and x-should-retry.
  let lastHeaders: Headers | undefined;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const watched: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    lastHeaders = res.headers;
    return res;
  };
  const timedOut = (cause: unknown) =>
    new CodexModelsError("codex_models_timeout", `GET ${base} did not finish within ${timeoutMs} ms.`, {
      url: base, hint: "The Codex backend is slow or unreachable; try again, or raise timeoutMs.", cause,
    });

  /** One listing with the transport's retry norm; resolves to the answer's JSON (undefined when it is not JSON). */
  async function send(creds: CodexCredentials): Promise<unknown> {
    const headers = { ...codexHeaders(creds, { baseUrl: base, originator: options.settings.originator, userAgent: options.userAgent }), accept: "application/json" };
    let lastAnswer: unknown;
    endsAt ??= Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const left = endsAt - Date.now();
      if (left <= 0) throw lastAnswer ?? timedOut(undefined);
      const deadline = AbortSignal.timeout(left);
      const signal = caller ? AbortSignal.any([caller, deadline]) : deadline;
      lastHeaders = undefined;
      let res: Response;
      try {
        res = await sendRequest(url, { method: "GET", headers }, { fetch: watched, signal, maxRetries: 0, secrets: [creds.access, creds.refresh] });
      } catch (error) {
        if (caller?.aborted) throw caller.reason ?? error;
        // The deadline cut this attempt short: an earlier retryable answer (429, 503) says more than "slow".
        if (deadline.aborted) throw lastAnswer ?? timedOut(error);
        if (!retryable(error, lastHeaders) || attempt >= policy.maxRetries) throw error;
        const wait = policy.delayMs(attempt, lastHeaders);
        // Waiting past the deadline could only end in a timeout: report the answer we have.
        if (Date.now() + wait >= endsAt) throw error;
        if (error instanceof ApiError) lastAnswer = error;
        await sleep(wait, signal).catch((reason: unknown) => {
          throw caller?.aborted ? (caller.reason ?? reason) : error;
        });
        continue;
      }
      try {
        return (await res.json()) as unknown;
      } catch (error) {
        if (caller?.aborted) throw caller.reason ?? error;
        if (deadline.aborted) throw timedOut(error);
        return undefined;
      }
    }
  }

  function retryable(error: unknown, headers: Headers | undefined): boolean {
    if (error instanceof ConnectionError) return true;
    if (error instanceof UsageLimitError || !(error instanceof ApiError) || error instanceof RedirectError) return false;
    return policy.shouldRetryStatus(error.status, headers);
  }

  /** Run `fn` (a token refresh) without spending the listing's time budget. */
  async function paused<T>(fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      if (endsAt !== undefined) endsAt += Date.now() - started;
    }
  }

  return { send, paused };
}
