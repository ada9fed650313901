import { z } from "zod";
import { abortableSleep, ApiError, ConnectionError, RedirectError, sendRequest, TransportError, type SleepFn } from "@genesis/transport";
import { safeOAuthCode, scrubServerText } from "./codex-auth-error.js";
import { parseOAuthError } from "./token-client.js";
import { TokenRevokeError } from "./token-revoke-error.js";
import { revokeTokenUrl, type CodexOAuthSettings } from "./oauth-config.js";

/** Default overall deadline of one revocation (every attempt and the waits between them). */
export const DEFAULT_REVOKE_TIMEOUT_MS = 10_000;
/** Default retries after the first attempt (connection errors, 408/409/429/5xx). */
export const DEFAULT_REVOKE_MAX_RETRIES = 2;

const optionsSchema = z.object({
  token: z.string().min(1, "must be a non-empty token").refine((t) => !/\s/.test(t), "must not contain whitespace"),
  tokenTypeHint: z.enum(["refresh_token", "access_token"]).default("refresh_token"),
  timeoutMs: z.number().int().positive().max(300_000).default(DEFAULT_REVOKE_TIMEOUT_MS),
  maxRetries: z.number().int().min(0).max(5).default(DEFAULT_REVOKE_MAX_RETRIES),
});

/** Options of {@link revokeToken}. */
export interface RevokeTokenOptions {
  /** Issuer and client id (from {@link resolveCodexOAuthSettings}); `revokeUrl` overrides `{issuer}/oauth/revoke`. */
  settings: Pick<CodexOAuthSettings, "issuer" | "clientId"> & { revokeUrl?: string | undefined };
  /** The token to revoke, normally the stored refresh token. Never printed. */
  token: string;
  /** `token_type_hint`; default `refresh_token`. */
  tokenTypeHint?: "refresh_token" | "access_token";
  /** Defaults to the global fetch. Redirects are never followed. */
  fetch?: typeof fetch;
  /** Aborts the call and any wait between retries (`revoke_aborted`). */
  signal?: AbortSignal;
  /** Deadline for the whole call in ms, retries included; default 10 000 (max 300 000). */
  timeoutMs?: number;
  /** Retries after the first attempt for connection errors and 408/409/429/5xx; default 2 (max 5). */
  maxRetries?: number;
  /** Sleep between retries (tests pass a fake); default the transport's abortable timer. */
  sleep?: SleepFn;
}

/**
 * Revoke an OAuth token at the issuer (RFC 7009), the way the Codex CLI does on logout and
 * before a new login replaces a stored one: one JSON POST of
 * `{token, token_type_hint, client_id}` to {@link revokeTokenUrl} (default
 * `https://auth.openai.com/oauth/revoke`, env `GENESIS_CODEX_REVOKE_URL`).
 *
 * Any 2xx is success, including the 200 a server sends for an unknown or already revoked
 * token. Retries follow the transport norm (connection errors, 408/409/429/5xx, `retry-after`
 * honoured, bounded by `maxRetries` and `timeoutMs`); a retry wait that would end after the
 * deadline is not started. When time runs out while the server keeps answering 408/409/429/5xx,
 * the error is `revoke_unavailable` with that status, not a network error. Redirects are
 * refused, so the token is never re-sent to another URL.
 * @throws TokenRevokeError (`revoke_bad_input`, `revoke_rejected`, `revoke_unavailable`,
 *   `revoke_network_error`, `revoke_aborted`); its message never contains the token.
 */
export async function revokeToken(options: RevokeTokenOptions): Promise<void> {
  const token = typeof options?.token === "string" ? options.token : undefined;
  const parsed = optionsSchema.safeParse({
    token: options?.token, tokenTypeHint: options?.tokenTypeHint, timeoutMs: options?.timeoutMs, maxRetries: options?.maxRetries,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".") || "options";
    throw new TokenRevokeError("revoke_bad_input", scrubServerText(`Cannot revoke the token: '${path}' ${issue.message}.`, [token]), {
      hint: "Pass a non-empty token, tokenTypeHint 'refresh_token' or 'access_token', a positive timeoutMs and maxRetries between 0 and 5.",
    });
  }
  const opts = parsed.data;
  if (typeof options.settings?.issuer !== "string" || typeof options.settings.clientId !== "string" || options.settings.clientId === "") {
    throw new TokenRevokeError("revoke_bad_input", "Cannot revoke the token: 'settings' needs an issuer and a client id.", {
      hint: "Pass settings from resolveCodexOAuthSettings() or codexSettingsFromConfig().",
    });
  }
  const url = revokeTokenUrl(options.settings);
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const deadlineAt = Date.now() + opts.timeoutMs;
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  // sendRequest reads error bodies itself but only understands OpenAI's `{error:{code}}`;
  // keep the last refusal's text to report OAuth's `{error: "invalid_client"}` shape too, and
  // the last status, so a deadline hit while the server keeps answering 429/503 says so.
  const seen: Seen = { attempts: 0, lastStatus: undefined, lastRefusal: "" };
  const baseFetch = options.fetch ?? globalThis.fetch;
  const watched: typeof fetch = async (input, init) => {
    seen.attempts++;
    let res: Response;
    try {
      res = await baseFetch(input, init);
    } catch (error) {
      if (!init?.signal?.aborted) seen.lastStatus = undefined; // this attempt got no answer at all
      throw error;
    }
    seen.lastStatus = res.status;
    if (res.status >= 400) seen.lastRefusal = await res.clone().text().catch(() => "");
    return res;
  };
  // A retry wait that would end past the deadline is not started: it could only end in a timeout.
  const baseSleep = options.sleep ?? abortableSleep;
  const sleep: SleepFn = async (ms, s) => {
    if (Date.now() + ms >= deadlineAt) throw new WaitPastDeadline();
    await baseSleep(ms, s);
  };
  const body = JSON.stringify({ token: opts.token, token_type_hint: opts.tokenTypeHint, client_id: options.settings.clientId });
  try {
    const res = await sendRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body },
      { fetch: watched, maxRetries: opts.maxRetries, signal, sleep, secrets: [opts.token] },
    );
    await res.body?.cancel().catch(() => undefined);
  } catch (error) {
    const outOfTime = deadline.aborted || error instanceof WaitPastDeadline;
    throw toRevokeError(error, { ...seen, callerAborted: options.signal?.aborted === true, timedOut: deadline.aborted, outOfTime, token: opts.token, timeoutMs: opts.timeoutMs });
  }
}

/** Thrown by the bounded sleep instead of starting a wait that would outlast the deadline. */
class WaitPastDeadline extends Error {
  constructor() {
    super("The next retry would start after the revocation deadline.");
    this.name = "WaitPastDeadline";
  }
}

/** What the attempts saw: how many were made, the last status and the last error body. */
interface Seen {
  attempts: number;
  lastStatus: number | undefined;
  lastRefusal: string;
}

const isUnavailableStatus = (status: number | undefined): status is number =>
  status === 429 || status === 408 || status === 409 || (status !== undefined && status >= 500);

/** `HTTP 503 temporarily_unavailable: <scrubbed description>` from a status and the error body. */
function describeRefusal(status: number, lastRefusal: string, token: string, serverCode?: string): { label: string; oauthError: string | undefined } {
  const { error: code, description } = lastRefusal ? parseOAuthError(lastRefusal) : {};
  const oauthError = safeOAuthCode(code) ?? safeOAuthCode(serverCode);
  const detail = description ? `: ${scrubServerText(description, [token])}` : "";
  return { label: `HTTP ${status}${oauthError ? ` ${oauthError}` : ""}${detail}`, oauthError };
}

interface FailureContext extends Seen {
  callerAborted: boolean;
  /** The deadline fired during an attempt. */
  timedOut: boolean;
  /** The deadline fired, or the next retry wait would have passed it. */
  outOfTime: boolean;
  token: string;
  timeoutMs: number;
}

function toRevokeError(error: unknown, c: FailureContext): TokenRevokeError {
  if (c.callerAborted) return new TokenRevokeError("revoke_aborted", "Revoking the ChatGPT token was cancelled.", { cause: error });
  if (c.outOfTime) {
    // The server did answer, with a "try later" status: that is the news, not the deadline.
    if (isUnavailableStatus(c.lastStatus)) {
      const { label, oauthError } = describeRefusal(c.lastStatus, c.lastRefusal, c.token);
      return new TokenRevokeError("revoke_unavailable", `The OpenAI revocation endpoint is unavailable (${label}) and did not recover within ${c.timeoutMs} ms (${c.attempts} attempt(s)).`, {
        status: c.lastStatus, oauthError, transient: true, cause: error, hint: "This is usually temporary; try again in a moment.",
      });
    }
    if (c.timedOut) {
      return new TokenRevokeError("revoke_network_error", `The OpenAI revocation endpoint did not answer within ${c.timeoutMs} ms.`, {
        transient: true, cause: error, hint: "Check your network connection and try again.",
      });
    }
    return new TokenRevokeError("revoke_network_error", `The OpenAI revocation endpoint could not be reached after ${c.attempts} attempt(s) within ${c.timeoutMs} ms.`, {
      transient: true, cause: error, hint: "Check your network connection and try again.",
    });
  }
  if (error instanceof RedirectError) {
    return new TokenRevokeError("revoke_rejected", `The OpenAI revocation endpoint answered with a redirect (HTTP ${error.status}); it was not followed.`, {
      status: error.status, cause: error, hint: "Point GENESIS_CODEX_REVOKE_URL (or the auth issuer) at the revocation endpoint itself.",
    });
  }
  if (error instanceof ApiError) {
    const { label, oauthError } = describeRefusal(error.status, c.lastRefusal, c.token, error.serverCode);
    if (isUnavailableStatus(error.status)) {
      return new TokenRevokeError("revoke_unavailable", `The OpenAI revocation endpoint is unavailable (${label}) after ${c.attempts} attempt(s).`, {
        status: error.status, oauthError, transient: true, cause: error, hint: "This is usually temporary; try again in a moment.",
      });
    }
    const hint = oauthError === "invalid_client"
      ? "The client id does not match the issuer: check auth.openaiCodex.clientId / GENESIS_CODEX_CLIENT_ID and the issuer URL."
      : "The issuer would not revoke this token; it stays valid until it expires. Check the issuer URL (GENESIS_CODEX_AUTH_ISSUER).";
    return new TokenRevokeError("revoke_rejected", `The OpenAI revocation endpoint refused the request (${label}).`, { status: error.status, oauthError, cause: error, hint });
  }
  if (error instanceof TransportError && error.code === "invalid_url") {
    return new TokenRevokeError("revoke_bad_input", "The revocation URL is not usable (it must be an absolute http(s) URL without credentials).", {
      cause: error, hint: "Fix GENESIS_CODEX_REVOKE_URL or the auth issuer URL.",
    });
  }
  const why = error instanceof ConnectionError ? "could not be reached" : "failed";
  return new TokenRevokeError("revoke_network_error", `The OpenAI revocation endpoint ${why} after ${c.attempts} attempt(s).`, {
    transient: true, cause: error, hint: "Check your network connection and try again.",
  });
}
