import { CodexAuthError, type CodexAuthErrorFields } from "./codex-auth-error.js";

/**
 * Stable codes of {@link TokenRevokeError}:
 * - `revoke_bad_input`: an option is wrong (empty token, bad timeout, unusable URL); nothing was sent.
 * - `revoke_rejected`: the endpoint answered 4xx (e.g. 401 `invalid_client`) or redirected; retrying will not help.
 * - `revoke_unavailable`: 408/409/429/5xx persisted through every retry, or until the deadline (`status` is the last one); try again later.
 * - `revoke_network_error`: the endpoint could not be reached, or sent no answer before the deadline.
 * - `revoke_aborted`: the caller's signal aborted the call.
 */
export type TokenRevokeErrorCode = "revoke_bad_input" | "revoke_rejected" | "revoke_unavailable" | "revoke_network_error" | "revoke_aborted";

/**
 * A failed token revocation. Carries `status` and the OAuth `oauthError` when the server
 * answered, and `transient` when a later attempt may succeed. Like every
 * {@link CodexAuthError}, neither its message, `inspect` nor JSON ever contains the token.
 */
export class TokenRevokeError extends CodexAuthError {
  override readonly code: TokenRevokeErrorCode;

  constructor(code: TokenRevokeErrorCode, message: string, fields: CodexAuthErrorFields = {}) {
    super(code, message, fields);
    this.code = code;
  }
}
