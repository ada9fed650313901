import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A PKCE pair (RFC 7636). The verifier is secret until it is sent to the token endpoint. */
export interface PkcePair {
  verifier: string;
  challenge: string;
  method: "S256";
}

/** base64url without padding (RFC 4648 §5), the encoding PKCE and JWTs use. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** The S256 challenge of a verifier: base64url(SHA-256(ascii(verifier))), unpadded. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/**
 * A fresh PKCE pair: 64 random bytes as base64url (86 characters, inside the 43–128 range
 * RFC 7636 allows), challenge method always S256 (never `plain`).
 * @param random injectable byte source for tests; defaults to `crypto.randomBytes`.
 */
export function createPkcePair(random: (n: number) => Uint8Array = randomBytes): PkcePair {
  const verifier = base64url(random(64));
  return { verifier, challenge: pkceChallenge(verifier), method: "S256" };
}

/** A fresh OAuth `state`: 32 random bytes (256 bits) as base64url. */
export function createState(random: (n: number) => Uint8Array = randomBytes): string {
  return base64url(random(32));
}

/**
 * Compare a received `state` with the expected one in constant time, so response timing
 * leaks nothing about how much of a guess was right. Different lengths never match.
 */
export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== "string") return false;
  // Hash both sides first: equal-length inputs for timingSafeEqual whatever the attacker sends.
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(received).digest();
  return timingSafeEqual(a, b) && expected.length === received.length;
}
