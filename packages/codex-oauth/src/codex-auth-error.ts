import { inspect } from "node:util";
import { AuthError, redactSecrets } from "@genesis/core";

/**
 * Stable codes of {@link CodexAuthError}. Branch on these, never on messages.
 * - `oauth_*`: the browser sign-in failed.
 * - `device_*`: the device-code sign-in failed.
 * - `token_*`: the token endpoint refused or answered something unusable.
 * - `reauth_required`: the stored sign-in can no longer be refreshed; run login again.
 * - `refresh_transient`: refresh failed for a reason that may pass (network, 5xx).
 * - `account_mismatch`: the token belongs to another account than the one stored.
 * - `not_signed_in`: no openai-codex profile in the auth store.
 * - `save_failed`: sign-in worked but the store could not be written.
 * - `revoke_*`: revoking a token failed (see `TokenRevokeError`); the local sign-out still happened.
 */
export type CodexAuthErrorCode =
  | "oauth_state_mismatch"
  | "oauth_denied"
  | "oauth_missing_code"
  | "oauth_timeout"
  | "oauth_port_busy"
  | "oauth_aborted"
  | "oauth_bad_input"
  | "device_code_disabled"
  | "device_code_expired"
  | "device_code_denied"
  | "device_code_failed"
  | "token_request_failed"
  | "token_response_invalid"
  | "token_network_error"
  | "reauth_required"
  | "refresh_transient"
  | "account_mismatch"
  | "not_signed_in"
  | "save_failed"
  | "revoke_bad_input"
  | "revoke_rejected"
  | "revoke_unavailable"
  | "revoke_network_error"
  | "revoke_aborted";

/** Structured fields a {@link CodexAuthError} may carry. None of them is ever a secret. */
export interface CodexAuthErrorFields {
  /** HTTP status of the answer that caused the error, when there was one. */
  status?: number;
  /** The OAuth `error` code the server sent (`invalid_grant`, `refresh_token_reused`, ...). */
  oauthError?: string;
  /** True when retrying later may succeed (network trouble, 5xx). */
  transient?: boolean;
  hint?: string;
  cause?: unknown;
}

/**
 * Every deliberate failure of Codex sign-in, refresh and credential use.
 * Messages pass through `redactSecrets`, and `cause` is hidden from `util.inspect`
 * and JSON because low-level causes may quote request bodies.
 */
export class CodexAuthError extends AuthError {
  override readonly code: CodexAuthErrorCode;
  readonly status: number | undefined;
  readonly oauthError: string | undefined;
  readonly transient: boolean;

  constructor(code: CodexAuthErrorCode, message: string, fields: CodexAuthErrorFields = {}) {
    super(code, redactSecrets(message), { provider: "openai-codex", hint: fields.hint, cause: fields.cause });
    this.code = code;
    this.status = fields.status;
    this.oauthError = fields.oauthError;
    this.transient = fields.transient ?? false;
    // The cause may hold a raw fetch error quoting URLs with codes; keep it but do not show it.
    Object.defineProperty(this, "cause", { enumerable: false });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, status: this.status, oauthError: this.oauthError, transient: this.transient };
  }

  [inspect.custom](): string {
    const extra = [this.status && `status ${this.status}`, this.oauthError].filter(Boolean).join(", ");
    return `${this.name} [${this.code}]${extra ? ` (${extra})` : ""}: ${this.message}${this.hint ? `\n  hint: ${this.hint}` : ""}`;
  }
}

/**
 * Make server-supplied text (an OAuth `error_description`, a pasted value) safe to show:
 * exact secrets and secret-shaped strings are redacted, and so is any long opaque word
 * (16+ characters mixing letters and digits), because servers echo codes and tokens back
 * in forms no pattern knows. Control characters go; the result is cut to `max` characters.
 */
export function scrubServerText(text: string, secrets: Iterable<string | undefined> = [], max = 200): string {
  const clean = redactSecrets(text.replace(/[^\x20-\x7e]/g, " "), secrets);
  return clean
    .replace(/[A-Za-z0-9_~+/=.-]{16,}/g, (word) => (/[0-9]/.test(word) && /[A-Za-z]/.test(word) ? "[redacted]" : word))
    .slice(0, max);
}

/** An OAuth error code fit to show and branch on (`invalid_grant`), or undefined for anything opaque. */
export function safeOAuthCode(code: string | undefined | null): string | undefined {
  if (!code || !/^[A-Za-z][\w.-]{0,63}$/.test(code)) return undefined;
  return scrubServerText(code) === code ? code : undefined;
}

/** The message users see when they must run the login command again. */
export const SIGN_IN_AGAIN_HINT = "Run `genesis models auth login --provider openai-codex` to sign in again.";
