import type { AuthStore } from "@genesis/core";
import { codexCredentialStore } from "./codex-credential-store.js";
import { resolveCodexOAuthSettings, type CodexOAuthSettings } from "./oauth-config.js";
import { revokeToken, type RevokeTokenOptions } from "./revoke-token.js";
import { TokenRevokeError } from "./token-revoke-error.js";

/**
 * What happened to a refresh token Genesis stopped using (logout, or a new sign-in that
 * replaced it). Never contains the token.
 */
export interface CodexTokenRevocation {
  /** `revoked`: the issuer confirmed; `failed`: see `error` (the token may stay valid until it expires); `skipped`: not attempted. */
  outcome: "revoked" | "failed" | "skipped";
  /**
   * Why it was skipped: `disabled` (the caller opted out), `shared` (the same refresh token is
   * stored under another profile id, which still needs it), `unchanged` (the new sign-in holds
   * the same token).
   */
  reason?: "disabled" | "shared" | "unchanged";
  /** The account whose token this was. */
  accountId: string;
  /** Why the revocation failed (`outcome: "failed"` only). */
  error?: TokenRevokeError;
}

/** Network options used when a stored token is revoked. */
export type RevokeCallOptions = Pick<RevokeTokenOptions, "fetch" | "signal" | "timeoutMs" | "maxRetries" | "sleep">;

/** Options of {@link signOutOfCodex}. */
export interface CodexSignOutOptions extends RevokeCallOptions {
  /** Issuer, client id and revocation URL; default `resolveCodexOAuthSettings()` (env, then defaults). */
  settings?: CodexOAuthSettings;
  /** Revoke the removed refresh token once it is off disk; default true. False makes no network call. */
  revoke?: boolean;
}

/** What {@link signOutOfCodex} did; never any token. */
export interface CodexSignOutResult {
  /** False when no openai-codex sign-in was stored (nothing was sent either). */
  removed: boolean;
  accountId: string | undefined;
  email: string | undefined;
  /** The auth store file. */
  path: string;
  /** What happened to the stored refresh token; undefined when no sign-in was stored. */
  revocation: CodexTokenRevocation | undefined;
}

/**
 * Revoke one stored refresh token, best effort: a {@link TokenRevokeError} becomes
 * `outcome: "failed"`; anything else (a bug) is rethrown.
 */
export async function revokeStoredToken(
  token: string,
  accountId: string,
  settings: CodexOAuthSettings,
  call: RevokeCallOptions,
): Promise<CodexTokenRevocation> {
  try {
    await revokeToken({ settings, token, tokenTypeHint: "refresh_token", ...call });
    return { outcome: "revoked", accountId };
  } catch (error) {
    if (error instanceof TokenRevokeError) return { outcome: "failed", accountId, error };
    throw error;
  }
}

/**
 * Sign out of ChatGPT/Codex: remove the openai-codex profile from the auth store (under its
 * cross-process lock), then revoke the refresh token that was removed at the issuer (best
 * effort).
 *
 * Removing first means the token revoked is exactly the one that was on disk when the lock
 * was held (a refresh by another process cannot slip in between), and a store that cannot be
 * changed (locked by a long refresh, corrupt) fails the call before anything is sent, so no
 * revoked token is ever left behind on disk. A failed revocation is reported in `revocation`
 * and does not fail the call: the token then stays valid until it expires, and Genesis no
 * longer holds it. A refresh token that another profile id also holds is not revoked.
 * @throws AuthError from the auth store (corrupt, locked); ConfigError when `settings` is
 *   omitted and the GENESIS_CODEX_* environment is invalid. Nothing is sent or removed then.
 */
export async function signOutOfCodex(store: AuthStore, options: CodexSignOutOptions = {}): Promise<CodexSignOutResult> {
  const creds = codexCredentialStore(store);
  const settings = options.revoke === false ? undefined : (options.settings ?? resolveCodexOAuthSettings());
  const call: RevokeCallOptions = { fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs, maxRetries: options.maxRetries, sleep: options.sleep };
  const removed = await creds.removeReturning();
  if (!removed) return { removed: false, accountId: undefined, email: undefined, path: store.path, revocation: undefined };
  const { previous } = removed;
  let revocation: CodexTokenRevocation;
  if (!settings) revocation = { outcome: "skipped", reason: "disabled", accountId: previous.accountId };
  else if (removed.sharedElsewhere) revocation = { outcome: "skipped", reason: "shared", accountId: previous.accountId };
  else revocation = await revokeStoredToken(previous.refresh, previous.accountId, settings, call);
  return { removed: true, accountId: previous.accountId, email: previous.email, path: store.path, revocation };
}
