import type { AuthStore } from "@genesis/core";
import { loginWithBrowser, type BrowserLoginOptions } from "./browser-login.js";
import { CodexAuthError } from "./codex-auth-error.js";
import { codexCredentialStore } from "./codex-credential-store.js";
import { loginWithDeviceCode, type DeviceLoginOptions } from "./device-login.js";
import type { CodexOAuthSettings } from "./oauth-config.js";
import { revokeStoredToken, type CodexTokenRevocation, type RevokeCallOptions } from "./sign-out.js";
import type { CodexCredentials } from "./token-client.js";

/** What a finished sign-in reports; never any token. */
export interface CodexSignInResult {
  accountId: string;
  email: string | undefined;
  planType: string | undefined;
  /** Access-token expiry, epoch ms (refreshed automatically later). */
  expiresAt: number;
  /** The account that was signed in before, when it was a different one. */
  replacedAccountId: string | undefined;
  /** The auth store file written. */
  path: string;
  /**
   * What happened to the replaced sign-in's refresh token (any account, including the same
   * one signing in again); undefined when nothing was stored before.
   */
  previousRevocation: CodexTokenRevocation | undefined;
}

/** Options of {@link signInWithCodex}. */
export type CodexSignInOptions = {
  store: AuthStore;
  settings: CodexOAuthSettings;
  /** Revoke the refresh token of the sign-in this one replaces, after the new one is saved; default true. */
  revokeReplaced?: boolean;
  /** Deadline, retries and sleep of that revocation (fetch and signal are the sign-in's). */
  revoke?: Pick<RevokeCallOptions, "timeoutMs" | "maxRetries" | "sleep">;
} & (
  | ({ method: "browser" } & Omit<BrowserLoginOptions, "settings">)
  | ({ method: "device" } & Omit<DeviceLoginOptions, "settings">)
);

/**
 * Sign in (browser PKCE or device code) and save the result in the Genesis auth store.
 * Nothing is written unless the whole flow succeeded; a failed save says so plainly and the
 * previous sign-in (if any) stays as it was. Onboarding never reads `~/.codex`.
 * A sign-in to a different account replaces the stored one and reports it in
 * `replacedAccountId`. The replaced refresh token (same account or not) is revoked only
 * after the new credentials are safely on disk, never when another profile id holds the
 * same token; a failed revocation is reported in `previousRevocation` and does not fail the
 * sign-in.
 * @throws CodexAuthError from the flow, or `save_failed` when the store could not be written.
 */
export async function signInWithCodex(options: CodexSignInOptions): Promise<CodexSignInResult> {
  const creds: CodexCredentials =
    options.method === "device" ? await loginWithDeviceCode({ ...options, settings: options.settings }) : await loginWithBrowser({ ...options, settings: options.settings });
  const store = codexCredentialStore(options.store);
  let displaced: Awaited<ReturnType<typeof store.saveReplacing>>;
  try {
    displaced = await store.saveReplacing(creds);
  } catch (error) {
    const detail = (error as { message?: string })?.message ?? "unknown error";
    throw new CodexAuthError("save_failed", `Signed in, but the credentials could not be saved: ${detail}`, {
      cause: error,
      hint: (error as { hint?: string })?.hint ?? "Fix the auth store problem above, then sign in again.",
    });
  }
  const previous = displaced?.previous;
  let previousRevocation: CodexTokenRevocation | undefined;
  if (previous) {
    const accountId = previous.accountId;
    if (previous.refresh === creds.refresh) previousRevocation = { outcome: "skipped", reason: "unchanged", accountId };
    else if (displaced!.sharedElsewhere) previousRevocation = { outcome: "skipped", reason: "shared", accountId };
    else if (options.revokeReplaced === false) previousRevocation = { outcome: "skipped", reason: "disabled", accountId };
    else previousRevocation = await revokeStoredToken(previous.refresh, accountId, options.settings, { ...options.revoke, fetch: options.fetch, signal: options.signal });
  }
  return {
    accountId: creds.accountId,
    email: creds.email,
    planType: creds.planType,
    expiresAt: creds.expiresAt,
    replacedAccountId: previous !== undefined && previous.accountId !== creds.accountId ? previous.accountId : undefined,
    path: store.path,
    previousRevocation,
  };
}
