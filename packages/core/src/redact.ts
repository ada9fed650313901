/**
 * Secret redaction for anything that may reach a message, log line or `inspect` output.
 *
 * Two layers: exact values the caller knows are secret (keys, tokens, codes), and
 * shapes that are always secret (OpenAI keys, bearer tokens, JWTs, secret query params).
 */

const SECRET_QUERY_KEYS = [
  "access_token", "api_key", "api-key", "client_secret", "code", "code_verifier", "id_token",
  "key", "refresh_token", "requested_token", "state", "subject_token", "token",
];

const PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  new RegExp(`([?&](?:${SECRET_QUERY_KEYS.join("|")})=)[^&#\\s"']+`, "gi"),
];

/** `scheme://user:pass@host` keeps its shape, loses the credentials. */
const USERINFO = /(\/\/)[^/@\s:]+:[^/@\s]+@/g;

/** The placeholder that replaces a secret. */
export const REDACTED = "[redacted]";

/**
 * Replace every known secret and every secret-shaped substring in `text`.
 * @param secrets exact values to remove; empty and very short values are ignored.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out.replace(USERINFO, `$1${REDACTED}@`);
}

/** A short, safe rendering of a key for display: `sk-…wxyz` (last 4 characters only). */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return "(none)";
  if (secret.length <= 8) return "…";
  const head = secret.startsWith("sk-") ? "sk-" : "";
  return `${head}…${secret.slice(-4)}`;
}
