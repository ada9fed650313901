import type { AuthFile, AuthProfile, AuthStore } from "@genesis/core";
import type { CodexCredentialStore } from "./credential-manager.js";
import { maskCredentials, type CodexCredentials } from "./token-client.js";

/** The auth-store key of the ChatGPT/Codex sign-in. */
export const CODEX_PROVIDER_ID = "openai-codex";

/** What a replacing save or a removal found in the store. */
export interface DisplacedProfile {
  /** The profile that was replaced or removed (masked in `inspect`). */
  previous: CodexCredentials;
  /** True when the same refresh token is also stored under another profile id (so it must stay valid). */
  sharedElsewhere: boolean;
}

/**
 * Whether `token` is also stored by a profile other than the openai-codex one in `file` (as
 * an OAuth refresh/access token or as a key). Core writes OAuth profiles only under their
 * provider id, so this guards hand-edited or copied stores: revoking would break the other one.
 */
export function refreshHeldElsewhere(file: AuthFile, token: string): boolean {
  return Object.entries(file.profiles).some(([id, p]) => id !== CODEX_PROVIDER_ID && (p.kind === "oauth" ? p.refresh === token || p.access === token : p.key === token));
}

function displaced(file: AuthFile): DisplacedProfile | undefined {
  const previous = asCredentials(file.profiles[CODEX_PROVIDER_ID]);
  return previous && { previous, sharedElsewhere: refreshHeldElsewhere(file, previous.refresh) };
}

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
export function codexCredentialStore(store: AuthStore): CodexCredentialStore & {
  save(c: CodexCredentials): Promise<void>;
  remove(): Promise<boolean>;
  saveReplacing(c: CodexCredentials): Promise<DisplacedProfile | undefined>;
  removeReturning(): Promise<DisplacedProfile | undefined>;
} {
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
    /** Like `save`, but reports what was replaced, read under the same lock as the write. */
    saveReplacing: (c) =>
      store.update((file: AuthFile) => {
        const result = displaced(file);
        file.profiles[CODEX_PROVIDER_ID] = toProfile(c);
        return { next: file, result };
      }),
    /** Like `remove`, but returns what was removed (undefined when nothing was stored). */
    removeReturning: () =>
      store.update((file: AuthFile) => {
        const result = displaced(file);
        if (!result) return { result };
        delete file.profiles[CODEX_PROVIDER_ID];
        return { next: file, result };
      }),
  };
}
