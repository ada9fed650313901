import { inspect } from "node:util";
import { z } from "zod";
import { maskSecret, type OAuthProfile } from "@genesis/core";
import { CodexAuthError, safeOAuthCode, scrubServerText } from "./codex-auth-error.js";
import { readTokenClaims } from "./_jwt.js";
import { tokenUrl, type CodexOAuthSettings } from "./oauth-config.js";

/**
 * The Codex OAuth profile Genesis stores: the shape of the auth store's `openai-codex`
 * entry. Objects made by this package mask their secrets in `util.inspect`.
 */
export type CodexCredentials = OAuthProfile;

/** Give a credentials object an `inspect` that never prints its tokens (JSON is unaffected). */
export function maskCredentials<T extends CodexCredentials>(creds: T): T {
  Object.defineProperty(creds, inspect.custom, {
    enumerable: false,
    value: () =>
      `CodexCredentials { accountId: ${creds.accountId}, email: ${creds.email ?? "-"}, plan: ${creds.planType ?? "-"}, ` +
      `expiresAt: ${new Date(creds.expiresAt).toISOString()}, access: ${maskSecret(creds.access)}, refresh: ${maskSecret(creds.refresh)} }`,
  });
  return creds;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  id_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});

/** Options shared by every token-endpoint call. */
export interface TokenRequestOptions {
  settings: Pick<CodexOAuthSettings, "issuer" | "clientId">;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Per-request timeout in ms; default 30 000. */
  timeoutMs?: number;
  /** Clock for `updatedAt` and `expires_in` fallbacks; default Date.now. */
  now?: () => number;
}

/** OAuth error codes after which a refresh token can never work again. */
const PERMANENT_REFRESH_ERRORS = new Set([
  "invalid_grant", "refresh_token_reused", "refresh_token_expired", "refresh_token_invalidated", "invalid_client", "unauthorized_client",
]);

/**
 * Exchange an authorization code (browser or device flow) for tokens: a form POST of
 * `grant_type=authorization_code` with the PKCE verifier.
 * @throws CodexAuthError `token_request_failed` (with `status`/`oauthError`),
 *   `token_response_invalid` (no refresh token, malformed JWT, no account id) or `token_network_error`.
 */
export async function exchangeAuthorizationCode(
  options: TokenRequestOptions & { code: string; verifier: string; redirectUri: string },
): Promise<CodexCredentials> {
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: options.code,
    redirect_uri: options.redirectUri,
    client_id: options.settings.clientId,
    code_verifier: options.verifier,
  });
  return postForm(options, form, [options.code, options.verifier], "authorization_code");
}

/**
 * Trade a refresh token for a new token set (`grant_type=refresh_token`). The issuer rotates
 * refresh tokens, so the returned `refresh` replaces the old one, which is now spent.
 * @throws CodexAuthError `reauth_required` for permanent refusals (reused, expired, revoked),
 *   `refresh_transient` for network trouble and 5xx/429, `token_response_invalid` for unusable answers.
 */
export async function refreshTokens(options: TokenRequestOptions & { refreshToken: string }): Promise<CodexCredentials> {
  const form = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: options.refreshToken,
    client_id: options.settings.clientId,
  });
  return postForm(options, form, [options.refreshToken], "refresh_token");
}

async function postForm(
  options: TokenRequestOptions,
  form: URLSearchParams,
  secrets: string[],
  grant: "authorization_code" | "refresh_token",
): Promise<CodexCredentials> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await doFetch(tokenUrl(options.settings), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw new CodexAuthError("oauth_aborted", "Sign-in was cancelled.", { cause: error });
    const why = timeout.aborted ? "timed out" : "could not be reached";
    const code = grant === "refresh_token" ? "refresh_transient" : "token_network_error";
    throw new CodexAuthError(code, `The OpenAI token endpoint ${why}.`, {
      transient: true,
      cause: error,
      hint: "Check your network connection and try again.",
    });
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw tokenError(response.status, text, secrets, grant);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid("the answer was not JSON");
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    throw invalid(`'${field}' is missing or malformed`);
  }
  return toCredentials(parsed.data, now());
}

function invalid(why: string): CodexAuthError {
  return new CodexAuthError("token_response_invalid", `The OpenAI token endpoint sent an unusable answer: ${why}. Nothing was saved.`, {
    hint: "Try signing in again; if it keeps happening, the auth issuer URL may point at the wrong server.",
  });
}

function toCredentials(data: z.infer<typeof tokenResponseSchema>, now: number): CodexCredentials {
  const access = readTokenClaims(data.access_token);
  if (!access) throw invalid("the access token is not a valid JWT");
  const id = data.id_token === undefined ? undefined : readTokenClaims(data.id_token);
  if (data.id_token !== undefined && !id) throw invalid("the id token is not a valid JWT");
  const accountId = access.accountId ?? id?.accountId;
  if (!accountId) throw invalid("no ChatGPT account id in the token");
  if (access.accountId && id?.accountId && access.accountId !== id.accountId) throw invalid("the access and id tokens name different accounts");
  const expiresAt = access.expiresAt ?? (data.expires_in === undefined ? undefined : now + data.expires_in * 1000);
  if (expiresAt === undefined) throw invalid("the access token has no expiry");
  const creds: CodexCredentials = {
    kind: "oauth",
    provider: "openai-codex",
    access: data.access_token,
    refresh: data.refresh_token,
    accountId,
    expiresAt,
    updatedAt: now,
  };
  if (data.id_token !== undefined) creds.idToken = data.id_token;
  const email = id?.email ?? access.email;
  if (email) creds.email = email;
  const plan = access.planType ?? id?.planType;
  if (plan) creds.planType = plan;
  return maskCredentials(creds);
}

/** Pull `error`/`error_description` out of both OAuth (`{error: "x"}`) and OpenAI (`{error: {code}}`) shapes. */
export function parseOAuthError(text: string): { error?: string; description?: string } {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const err = body.error;
    if (typeof err === "string") {
      return { error: err, description: typeof body.error_description === "string" ? body.error_description : undefined };
    }
    if (err && typeof err === "object") {
      const o = err as Record<string, unknown>;
      const code = typeof o.code === "string" ? o.code : typeof o.type === "string" ? o.type : undefined;
      return { error: code, description: typeof o.message === "string" ? o.message : undefined };
    }
  } catch {
    // Not JSON: nothing structured to report.
  }
  return {};
}

function tokenError(status: number, text: string, secrets: string[], grant: string): CodexAuthError {
  const { error, description } = parseOAuthError(text);
  const oauthError = safeOAuthCode(error);
  const detail = description ? `: ${scrubServerText(description, secrets)}` : "";
  const label = `HTTP ${status}${oauthError ? ` ${oauthError}` : ""}${detail}`;
  if (grant === "refresh_token") {
    const transient = status >= 500 || status === 429 || status === 408;
    if (transient) {
      return new CodexAuthError("refresh_transient", `Refreshing the ChatGPT sign-in failed for now (${label}).`, {
        status, oauthError, transient: true, hint: "This is usually temporary; try again in a moment.",
      });
    }
    const permanent = oauthError === undefined || PERMANENT_REFRESH_ERRORS.has(oauthError) || status === 400 || status === 401;
    if (permanent) {
      return new CodexAuthError("reauth_required", `The ChatGPT sign-in can no longer be refreshed (${label}). Sign in again.`, {
        status, oauthError, hint: "Run `genesis models auth login --provider openai-codex` to sign in again.",
      });
    }
  }
  return new CodexAuthError("token_request_failed", `The OpenAI token endpoint refused the request (${label}).`, {
    status, oauthError, transient: status >= 500, hint: "Start the sign-in again; codes are single-use and expire quickly.",
  });
}
