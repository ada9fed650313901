import type { AuthStore } from "@genesis/core";
import { loginWithBrowser, type BrowserLoginOptions } from "./browser-login.js";
import { CodexAuthError } from "./codex-auth-error.js";
import { codexCredentialStore } from "./codex-credential-store.js";
import { loginWithDeviceCode, type DeviceLoginOptions } from "./device-login.js";
import type { CodexOAuthSettings } from "./oauth-config.js";
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
}

/** Options of {@link signInWithCodex}. */
export type CodexSignInOptions = { store: AuthStore; settings: CodexOAuthSettings } & (
  | ({ method: "browser" } & Omit<BrowserLoginOptions, "settings">)
  | ({ method: "device" } & Omit<DeviceLoginOptions, "settings">)
);

/**
 * Sign in (browser PKCE or device code) and save the result in the Genesis auth store.
 * Nothing is written unless the whole flow succeeded; a failed save says so plainly and the
 * previous sign-in (if any) stays as it was. Onboarding never reads `~/.codex`.
 * A sign-in to a different account replaces the stored one and reports it in
 * `replacedAccountId`; the replaced tokens are not revoked (Genesis has no revocation call).
 * @throws CodexAuthError from the flow, or `save_failed` when the store could not be written.
 */
export async function signInWithCodex(options: CodexSignInOptions): Promise<CodexSignInResult> {
  const creds: CodexCredentials =
    options.method === "device" ? await loginWithDeviceCode({ ...options, settings: options.settings }) : await loginWithBrowser({ ...options, settings: options.settings });
  const store = codexCredentialStore(options.store);
  let previous: string | undefined;
  try {
    previous = await store.transact(async (current) => ({ write: creds, result: current?.accountId }));
  } catch (error) {
    const detail = (error as { message?: string })?.message ?? "unknown error";
    throw new CodexAuthError("save_failed", `Signed in, but the credentials could not be saved: ${detail}`, {
      cause: error,
      hint: (error as { hint?: string })?.hint ?? "Fix the auth store problem above, then sign in again.",
    });
  }
  return {
    accountId: creds.accountId,
    email: creds.email,
    planType: creds.planType,
    expiresAt: creds.expiresAt,
    replacedAccountId: previous !== undefined && previous !== creds.accountId ? previous : undefined,
    path: store.path,
  };
}

/** Remove the stored openai-codex sign-in; false when there was none. */
export function signOutOfCodex(store: AuthStore): Promise<boolean> {
  return codexCredentialStore(store).remove();
}
