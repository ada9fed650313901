import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { CodexAuthError, SIGN_IN_AGAIN_HINT } from "./codex-auth-error.js";
import { readTokenClaims } from "./_jwt.js";
import type { CodexOAuthSettings } from "./oauth-config.js";
import { maskCredentials, refreshTokens, type CodexCredentials } from "./token-client.js";

/**
 * The slice of the auth store the manager needs. {@link codexCredentialStore} adapts core's
 * `AuthStore`; tests may pass any implementation with the same locking semantics.
 */
export interface CodexCredentialStore {
  /** The store file, for error messages. */
  readonly path: string;
  /** The stored openai-codex profile (no lock; reads are atomic because writes are). */
  get(): Promise<CodexCredentials | undefined>;
  /**
   * Run `fn` under the cross-process lock with the profile re-read from disk; when it
   * returns `write`, that profile is saved (atomically) before the lock is released.
   */
  transact<T>(fn: (current: CodexCredentials | undefined) => Promise<{ write?: CodexCredentials; result: T }>): Promise<T>;
}

/** Options of {@link CodexCredentialManager}. */
export interface CredentialManagerOptions {
  store: CodexCredentialStore;
  settings: Pick<CodexOAuthSettings, "issuer" | "clientId">;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh this long before `exp`; default 300 000 ms (5 min), which also absorbs clock skew. */
  refreshSkewMs?: number;
}

/**
 * Hands out valid Codex access tokens and refreshes them safely:
 * - proactive refresh inside the skew window before the JWT `exp`;
 * - single-flight within the process (concurrent callers share one refresh);
 * - across processes the refresh runs under the store lock after a re-read, so a token
 *   another process already refreshed is adopted instead of spending the rotating
 *   refresh token a second time;
 * - on `refresh_token_reused`/`invalid_grant`, a newer stored token for the same account is
 *   adopted, else `reauth_required`; the failure is remembered per refresh token so it is
 *   not retried in a loop; failures never write, so they cannot clobber newer credentials;
 * - a transient failure keeps the current token while it is still valid;
 * - the account id in the token must match the stored one (and, once seen, stays pinned).
 */
export class CodexCredentialManager {
  private readonly store: CodexCredentialStore;
  private readonly options: CredentialManagerOptions;
  private readonly now: () => number;
  private readonly skew: number;
  private inflight: Promise<CodexCredentials> | undefined;
  /** A refresh token the issuer refused for good: its SHA-256 (never the token) and the refusal. */
  private deadRefresh: { digest: string; error: CodexAuthError } | undefined;
  private pinnedAccount: string | undefined;

  constructor(options: CredentialManagerOptions) {
    this.store = options.store;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.skew = options.refreshSkewMs ?? 300_000;
  }

  /** The account this manager serves, once it has seen one. */
  get accountId(): string | undefined {
    return this.pinnedAccount;
  }

  /**
   * Valid credentials, refreshed first when they expire within the skew window.
   * @throws CodexAuthError not_signed_in | reauth_required | refresh_transient | account_mismatch
   */
  async getCredentials(options: { signal?: AbortSignal } = {}): Promise<CodexCredentials> {
    const stored = await this.store.get();
    if (!stored) throw this.notSignedIn();
    this.checkAccount(stored);
    if (this.isFresh(stored)) return stored;
    return this.refreshOnce(stored.access, false, options.signal);
  }

  /**
   * Call after the backend answered 401 to `rejectedAccess`: adopts a different stored token
   * if one exists, else refreshes (once, shared by concurrent callers).
   */
  async handleUnauthorized(rejectedAccess: string, options: { signal?: AbortSignal } = {}): Promise<CodexCredentials> {
    return this.refreshOnce(rejectedAccess, true, options.signal);
  }

  private refreshOnce(seenAccess: string, force: boolean, signal: AbortSignal | undefined): Promise<CodexCredentials> {
    this.inflight ??= this.refreshUnderLock(seenAccess, force, signal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private refreshUnderLock(seenAccess: string, force: boolean, signal: AbortSignal | undefined): Promise<CodexCredentials> {
    return this.store.transact(async (stored) => {
      if (!stored) throw this.notSignedIn();
      this.checkAccount(stored);
      // Someone (another process, or an earlier refresh here) already replaced the token.
      if (stored.access !== seenAccess && this.isUsable(stored)) return { result: stored };
      if (!force && this.isFresh(stored)) return { result: stored };
      if (this.deadRefresh?.digest === digest(stored.refresh)) throw this.reauth(this.deadRefresh.error);
      let next: CodexCredentials;
      try {
        // 20 s keeps the network call well inside the store lock's stale window (30 s).
        next = await refreshTokens({ settings: this.options.settings, refreshToken: stored.refresh, fetch: this.options.fetch, signal, now: this.now, timeoutMs: 20_000 });
      } catch (error) {
        if (!(error instanceof CodexAuthError)) throw error;
        if (error.code === "reauth_required") {
          this.deadRefresh = { digest: digest(stored.refresh), error };
          // A writer that ignores our lock (an older client) may have rotated the token meanwhile.
          const latest = await this.store.get().catch(() => undefined);
          if (latest && latest.refresh !== stored.refresh && latest.accountId === stored.accountId && this.isUsable(latest)) {
            return { result: latest };
          }
          throw this.reauth(error);
        }
        if (error.transient && !force && this.isUsable(stored)) return { result: stored };
        throw error;
      }
      if (next.accountId !== stored.accountId) {
        throw new CodexAuthError("account_mismatch", "The refreshed token belongs to a different ChatGPT account than the stored sign-in; nothing was saved.", {
          hint: SIGN_IN_AGAIN_HINT,
        });
      }
      const merged = maskCredentials({
        ...next,
        ...(next.idToken ?? stored.idToken ? { idToken: next.idToken ?? stored.idToken } : {}),
        ...(next.email ?? stored.email ? { email: next.email ?? stored.email } : {}),
        ...(next.planType ?? stored.planType ? { planType: next.planType ?? stored.planType } : {}),
      });
      return { write: merged, result: merged };
    });
  }

  /** Secret-free rendering for logs and `console.log`. */
  [inspect.custom](): string {
    return `CodexCredentialManager { store: ${this.store.path}, account: ${this.pinnedAccount ?? "-"}, refreshing: ${this.inflight !== undefined} }`;
  }

  toJSON(): Record<string, unknown> {
    return { store: this.store.path, accountId: this.pinnedAccount };
  }

  private isFresh(c: CodexCredentials): boolean {
    return c.expiresAt - this.skew > this.now();
  }

  private isUsable(c: CodexCredentials): boolean {
    return c.expiresAt > this.now();
  }

  private checkAccount(c: CodexCredentials): void {
    const claimed = readTokenClaims(c.access)?.accountId;
    if (claimed !== undefined && claimed !== c.accountId) {
      throw new CodexAuthError("account_mismatch", "The stored Codex access token names a different account than its profile.", { hint: SIGN_IN_AGAIN_HINT });
    }
    if (this.pinnedAccount === undefined) this.pinnedAccount = c.accountId;
    else if (this.pinnedAccount !== c.accountId) {
      throw new CodexAuthError("account_mismatch", "Logged in as another ChatGPT account since this session started; requests were not sent under the other identity.", {
        hint: "Start a new session to use the newly signed-in account.",
      });
    }
  }

  private notSignedIn(): CodexAuthError {
    return new CodexAuthError("not_signed_in", `No ChatGPT/Codex sign-in found in ${this.store.path}.`, { hint: SIGN_IN_AGAIN_HINT.replace(" again", "") });
  }

  private reauth(cause?: CodexAuthError): CodexAuthError {
    const why = cause?.oauthError ? ` (${cause.oauthError})` : "";
    return new CodexAuthError("reauth_required", `The ChatGPT sign-in expired or was revoked${why}; sign in again.`, {
      status: cause?.status, oauthError: cause?.oauthError, hint: SIGN_IN_AGAIN_HINT, cause,
    });
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
