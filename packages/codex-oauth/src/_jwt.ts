/**
 * Just enough JWT reading for OAuth bookkeeping: the payload claims, never the signature
 * (the token came straight from the issuer over TLS, and only the issuer checks it).
 */

/** The namespaced claim OpenAI puts ChatGPT account facts under. */
export const OPENAI_AUTH_CLAIM = "https://api.openai.com/auth";

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decode a JWT payload, or undefined when the token is not a well-formed JWT with a JSON object payload. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const payload = parts[1]!;
  // base64url only: a "+" or "/" means someone encoded it as plain base64, which we reject
  // rather than guess; padding is optional per RFC 7515.
  const unpadded = payload.replace(/=+$/, "");
  if (unpadded.length === 0 || !B64URL.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  try {
    const json = JSON.parse(Buffer.from(unpadded, "base64url").toString("utf8")) as unknown;
    return json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Facts Genesis needs from an OpenAI access or id token. */
export interface OpenAiTokenClaims {
  /** `["https://api.openai.com/auth"].chatgpt_account_id`. */
  accountId: string | undefined;
  /** `["https://api.openai.com/auth"].chatgpt_plan_type`, e.g. `plus`, `pro`. */
  planType: string | undefined;
  /** `exp` as epoch milliseconds. */
  expiresAt: number | undefined;
  /** `email`, or `["https://api.openai.com/profile"].email`. */
  email: string | undefined;
}

/** Read the claims Genesis uses; undefined when the token is not a JWT. */
export function readTokenClaims(token: string): OpenAiTokenClaims | undefined {
  const payload = decodeJwtPayload(token);
  if (!payload) return undefined;
  const auth = payload[OPENAI_AUTH_CLAIM];
  const authObj = auth && typeof auth === "object" ? (auth as Record<string, unknown>) : {};
  const profile = payload["https://api.openai.com/profile"];
  const profileObj = profile && typeof profile === "object" ? (profile as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const exp = payload.exp;
  return {
    accountId: str(authObj.chatgpt_account_id),
    planType: str(authObj.chatgpt_plan_type),
    expiresAt: typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined,
    email: str(payload.email) ?? str(profileObj.email),
  };
}
