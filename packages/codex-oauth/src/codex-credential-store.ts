import type { AuthFile, AuthProfile, AuthStore } from "@genesis/core";
import type { CodexCredentialStore } from "./credential-manager.js";
import { maskCredentials, type CodexCredentials } from "./token-client.js";

/** The auth-store key of the ChatGPT/Codex sign-in. */
export const CODEX_PROVIDER_ID = "openai-codex";

function asCredentials(profile: AuthProfile | undefined): CodexCredentials | undefined {
  if (!profile || profile.kind !== "oauth") return undefined;
  return maskCredentials({ ...profile });
}

/** Copy only the profile's own fields (drops the inspect hook and anything extra). */
function toProfile(c: CodexCredentials): AuthProfile {
  const profile: AuthProfile = {
    kind: "oauth", provider: "openai-codex", access: c.access, refresh: c.refresh, accountId: c.accountId,
    expiresAt: c.expiresAt, updatedAt: c.updatedAt,
  };
  if (c.idToken !== undefined) profile.idToken = c.idToken;
  if (c.email !== undefined) profile.email = c.email;
  if (c.planType !== undefined) profile.planType = c.planType;
  return profile;
}

/**
 * Adapt core's {@link AuthStore} (cross-process lock, atomic 0600 writes, corrupt files
 * reported and never overwritten) to the {@link CodexCredentialStore} the manager uses.
 */
export function codexCredentialStore(store: AuthStore): CodexCredentialStore & { save(c: CodexCredentials): Promise<void>; remove(): Promise<boolean> } {
  return {
    path: store.path,
    get: async () => asCredentials(await store.get(CODEX_PROVIDER_ID)),
    transact: (fn) =>
      store.update(async (file: AuthFile) => {
        const { write, result } = await fn(asCredentials(file.profiles[CODEX_PROVIDER_ID]));
        if (!write) return { result };
        file.profiles[CODEX_PROVIDER_ID] = toProfile(write);
        return { next: file, result };
      }),
    /** Store a fresh sign-in (replacing any earlier one, including another account's). */
    save: (c) =>
      store.update((file: AuthFile) => {
        file.profiles[CODEX_PROVIDER_ID] = toProfile(c);
        return { next: file, result: undefined };
      }),
    remove: () => store.remove(CODEX_PROVIDER_ID),
  };
}
