import type { AuthStore } from "@genesis/core";
import { CODEX_PROVIDER_ID, codexCredentialStore, refreshHeldElsewhere } from "./codex-credential-store.js";
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
  /** Revoke the stored refresh token before removing it; default true. False makes no network call. */
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
 * Sign out of ChatGPT/Codex: revoke the stored refresh token at the issuer (best effort),
 * then remove the openai-codex profile from the auth store.
 *
 * The local removal always happens, whatever the revocation did: the user asked to sign
 * out, and a network problem must not keep credentials on disk. A failed revocation is
 * reported in `revocation` (the token then stays valid until it expires, and Genesis no
 * longer holds it). A refresh token that another profile id also holds is not revoked. If
 * another process rotated the token between the revocation and the removal, the token
 * actually removed is revoked too.
 * @throws AuthError from the auth store (corrupt, locked); ConfigError when `settings` is
 *   omitted and the GENESIS_CODEX_* environment is invalid. Nothing is sent or removed then.
 */
export async function signOutOfCodex(store: AuthStore, options: CodexSignOutOptions = {}): Promise<CodexSignOutResult> {
  const creds = codexCredentialStore(store);
  const settings = options.revoke === false ? undefined : (options.settings ?? resolveCodexOAuthSettings());
  const call: RevokeCallOptions = { fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs, maxRetries: options.maxRetries, sleep: options.sleep };
  const attempt = (file: { sharedElsewhere: boolean }, token: string, accountId: string): Promise<CodexTokenRevocation> | CodexTokenRevocation => {
    if (!settings) return { outcome: "skipped", reason: "disabled", accountId };
    if (file.sharedElsewhere) return { outcome: "skipped", reason: "shared", accountId };
    return revokeStoredToken(token, accountId, settings, call);
  };

  const file = await store.read();
  const current = file.profiles[CODEX_PROVIDER_ID];
  const stored = current?.kind === "oauth" ? current : undefined;
  let revocation = stored && (await attempt({ sharedElsewhere: refreshHeldElsewhere(file, stored.refresh) }, stored.refresh, stored.accountId));
  const removed = await creds.removeReturning();
  if (removed && removed.previous.refresh !== stored?.refresh) {
    // Rotated (or signed in) meanwhile by another process: that newer token is what we just deleted.
    const late = await attempt(removed, removed.previous.refresh, removed.previous.accountId);
    if (revocation?.outcome !== "failed") revocation = late;
  }
  const profile = removed?.previous ?? stored;
  return { removed: removed !== undefined, accountId: profile?.accountId, email: profile?.email, path: store.path, revocation };
}
