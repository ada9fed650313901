import { createHmac, timingSafeEqual } from "node:crypto";

/** Encodes bytes or UTF-8 text as unpadded base64url (RFC 4648 §5). */
export function base64url(input: Buffer | string): string {
  return (typeof input === "string" ? Buffer.from(input, "utf8") : input).toString("base64url");
}

/** Decodes base64url (padding optional) to bytes. */
export function base64urlDecode(input: string): Buffer {
  return Buffer.from(input, "base64url");
}

/** Options for {@link signJwt}. */
export interface SignJwtOptions {
  /** `none` (unsigned, empty signature) or `HS256` with `secret`. Default `HS256` when a secret is given. */
  alg?: "none" | "HS256";
  /** HMAC key for HS256. */
  secret?: string | Buffer;
}

/**
 * Builds a compact JWT. The emulator signs with HS256 and a per-instance secret; clients
 * under test only decode the payload (like Codex does), so `none` is offered for fixtures.
 */
export function signJwt(payload: Record<string, unknown>, options: SignJwtOptions = {}): string {
  const alg = options.alg ?? (options.secret !== undefined ? "HS256" : "none");
  const head = base64url(JSON.stringify({ alg, typ: "JWT" }));
  const body = base64url(JSON.stringify(payload));
  if (alg === "none") return `${head}.${body}.`;
  if (options.secret === undefined) throw new Error("HS256 needs a secret");
  return `${head}.${body}.${hmac(`${head}.${body}`, options.secret)}`;
}

function hmac(data: string, secret: string | Buffer): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

/** A decoded JWT. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
}

/** Decodes a JWT without checking its signature; undefined when it is not a well-formed JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(base64urlDecode(parts[0]!).toString("utf8")) as unknown;
    const payload = JSON.parse(base64urlDecode(parts[1]!).toString("utf8")) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signature: parts[2]! };
  } catch {
    return undefined;
  }
}

/** Decodes and checks an HS256 signature; undefined when malformed or the signature is wrong. */
export function verifyJwt(token: string, secret: string | Buffer): DecodedJwt | undefined {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.header["alg"] !== "HS256") return undefined;
  const dot = token.lastIndexOf(".");
  const expected = Buffer.from(hmac(token.slice(0, dot), secret));
  const actual = Buffer.from(decoded.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? decoded : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
