/**
 * Shape checks for `profiles.json`, hand-written instead of zod on purpose: the auth store
 * is read on every command that routes a model, and keeping it free of zod keeps that
 * path's start-up cheap (zod is ~95 ES modules). The rules mirror the documented types.
 */

/** A stored OpenAI-family API key. */
export interface ApiKeyProfile {
  kind: "api_key";
  provider: string;
  key: string;
  createdAt: number;
}

/** The ChatGPT/Codex OAuth sign-in. */
export interface OAuthProfile {
  kind: "oauth";
  provider: "openai-codex";
  access: string;
  refresh: string;
  idToken?: string;
  accountId: string;
  email?: string;
  planType?: string;
  expiresAt: number;
  updatedAt: number;
}

/** One stored credential: an API key, or a ChatGPT/Codex OAuth sign-in. Contains secrets. */
export type AuthProfile = ApiKeyProfile | OAuthProfile;

/** The whole auth store file. */
export interface AuthFile {
  version: 1;
  profiles: Record<string, AuthProfile>;
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const API_KEY_FIELDS = new Set(["kind", "provider", "key", "createdAt"]);
const OAUTH_FIELDS = new Set(["kind", "provider", "access", "refresh", "idToken", "accountId", "email", "planType", "expiresAt", "updatedAt"]);

/** The first field of `profile` that is wrong, or undefined when it is a valid profile. */
function profileProblem(profile: unknown): string | undefined {
  if (!isDict(profile)) return "";
  if (profile.kind === "api_key") {
    const extra = Object.keys(profile).find((k) => !API_KEY_FIELDS.has(k));
    if (extra !== undefined) return extra;
    if (!isText(profile.provider)) return "provider";
    if (!isText(profile.key)) return "key";
    if (!isTime(profile.createdAt)) return "createdAt";
    return undefined;
  }
  if (profile.kind === "oauth") {
    const extra = Object.keys(profile).find((k) => !OAUTH_FIELDS.has(k));
    if (extra !== undefined) return extra;
    if (profile.provider !== "openai-codex") return "provider";
    for (const field of ["access", "refresh", "accountId"] as const) if (!isText(profile[field])) return field;
    for (const field of ["idToken", "email", "planType"] as const) {
      if (profile[field] !== undefined && typeof profile[field] !== "string") return field;
    }
    for (const field of ["expiresAt", "updatedAt"] as const) if (!isTime(profile[field])) return field;
    return undefined;
  }
  return "kind";
}

/**
 * Check a parsed `profiles.json`. On failure, `where` is the dotted location of the first
 * problem (`profiles.openai.key`): a field name only, never a value.
 */
export function checkAuthFile(raw: unknown): { ok: true; file: AuthFile } | { ok: false; where: string } {
  if (!isDict(raw)) return { ok: false, where: "the top level" };
  const extra = Object.keys(raw).find((k) => k !== "version" && k !== "profiles");
  if (extra !== undefined) return { ok: false, where: extra };
  if (raw.version !== 1) return { ok: false, where: "version" };
  if (!isDict(raw.profiles)) return { ok: false, where: "profiles" };
  for (const [id, profile] of Object.entries(raw.profiles)) {
    if (id === "" || id === "__proto__") return { ok: false, where: "profiles" };
    const problem = profileProblem(profile);
    if (problem !== undefined) return { ok: false, where: problem ? `profiles.${id}.${problem}` : `profiles.${id}` };
  }
  return { ok: true, file: raw as unknown as AuthFile };
}
