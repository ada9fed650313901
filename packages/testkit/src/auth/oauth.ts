import type { EmulatorContext, EmulatorRequest, HttpReply, RouteDef } from "../_types.js";
import { createAuthState, DEFAULT_CLIENT_ID, pkceChallenge, type AuthInternals } from "./auth-state.js";

/**
 * `/oauth/authorize`, `/oauth/token` and `/oauth/revoke` like auth.openai.com: PKCE S256
 * only, loopback redirect URIs only, rotating refresh tokens with reuse detection, and
 * RFC 7009 revocation with the JSON body the Codex CLI sends.
 */

/** True for `http://localhost:<port>/...`, `http://127.0.0.1:<port>/...` or `http://[::1]:<port>/...`. */
export function isLoopbackRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname) && u.port !== "" && !u.username && !u.password && !u.hash;
  } catch {
    return false;
  }
}

function htmlError(status: number, title: string, detail: string): HttpReply {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body: `<!doctype html><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(detail)}</p>` };
}

function redirect(target: string, params: Record<string, string | undefined>): HttpReply {
  const u = new URL(target);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return { status: 302, headers: { location: u.toString(), "cache-control": "no-store" }, body: "" };
}

function authorize(req: EmulatorRequest, ctx: EmulatorContext): HttpReply {
  const q = req.query;
  const clientId = q.get("client_id");
  const redirectUri = q.get("redirect_uri");
  // Without a trustworthy redirect_uri the server must not redirect (RFC 6749 §4.1.2.1).
  if (!clientId) return htmlError(400, "Invalid request", "Missing client_id.");
  if (!redirectUri || !isLoopbackRedirect(redirectUri)) {
    return htmlError(400, "Invalid redirect_uri", "redirect_uri must be a loopback http URL with an explicit port (http://localhost:<port>/... or http://127.0.0.1:<port>/...).");
  }
  const state = q.get("state") ?? undefined;
  const fail = (error: string, description: string): HttpReply => redirect(redirectUri, { error, error_description: description, state });
  if (q.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be 'code'.");
  if (!state) return fail("invalid_request", "Missing state.");
  const challenge = q.get("code_challenge");
  if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail("invalid_request", "code_challenge must be a base64url SHA-256 digest (43 characters).");
  if (q.get("code_challenge_method") !== "S256") return fail("invalid_request", "code_challenge_method must be 'S256'.");
  const auth = createAuthState(ctx);
  const outcome = auth.takeAuthorizeOutcome();
  if (outcome === "deny") return fail("access_denied", "The user denied the request.");
  if (outcome === "no-code") return redirect(redirectUri, { state });
  return redirect(redirectUri, { code: auth.registerCode(clientId, [redirectUri], challenge), state });
}

/** Reads a form-encoded (or JSON) token request. */
function tokenParams(req: EmulatorRequest): Map<string, string> {
  const out = new Map<string, string>();
  const ct = String(req.headers["content-type"] ?? "");
  if (/application\/json/i.test(ct) && typeof req.json === "object" && req.json !== null) {
    for (const [k, v] of Object.entries(req.json)) if (typeof v === "string") out.set(k, v);
  } else {
    for (const [k, v] of new URLSearchParams(req.rawBody.toString("utf8"))) out.set(k, v);
  }
  return out;
}

const oauthError = (status: number, error: string, description: string): HttpReply => ({ status, headers: { "cache-control": "no-store" }, body: { error, error_description: description } });

/** OpenAI's own shape for refresh failures (Codex reads `error.code`). */
const refreshError = (code: string, message: string): HttpReply => ({ status: 401, body: { error: { message, type: "invalid_request_error", param: null, code } } });

function tokenReply(auth: AuthInternals, identity: Parameters<AuthInternals["mint"]>[0], expiresInSec: number, clientId: string | undefined): HttpReply {
  const t = auth.mint(identity, expiresInSec, clientId);
  return { status: 200, headers: { "cache-control": "no-store" }, body: { ...t, token_type: "Bearer", scope: "openid profile email offline_access" } };
}

function exchangeCode(auth: AuthInternals, p: Map<string, string>, now: number): HttpReply {
  const code = p.get("code");
  const grant = code ? auth.codes.get(code) : undefined;
  if (!grant) return oauthError(400, "invalid_grant", "Unknown authorization code.");
  if (grant.used) return oauthError(400, "invalid_grant", "Authorization code was already used.");
  if (grant.expiresAt <= now) return oauthError(400, "invalid_grant", "Authorization code expired.");
  if (p.get("client_id") !== grant.clientId) return oauthError(400, "invalid_grant", "client_id does not match the authorization request.");
  if (!grant.redirectUris.includes(p.get("redirect_uri") ?? "")) return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request.");
  const verifier = p.get("code_verifier");
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return oauthError(400, "invalid_request", "code_verifier must be 43-128 unreserved characters.");
  if (pkceChallenge(verifier) !== grant.challenge) return oauthError(400, "invalid_grant", "PKCE verification failed: code_verifier does not match code_challenge.");
  grant.used = true;
  return tokenReply(auth, grant.identity, 864_000, grant.clientId);
}

function refresh(auth: AuthInternals, p: Map<string, string>): HttpReply {
  auth.countRefresh();
  const old = p.get("refresh_token");
  const rec = old ? auth.refresh.get(old) : undefined;
  if (!old || !rec) return oauthError(400, "invalid_grant", "Unknown refresh token.");
  if (rec.status === "rotated") {
    return refreshError("refresh_token_reused", "Your refresh token has already been used to generate a new access token. Please try signing in again.");
  }
  if (rec.status === "invalidated") return refreshError("refresh_token_invalidated", "Your refresh token has been invalidated. Please try signing in again.");
  rec.status = "rotated";
  return tokenReply(auth, rec.identity, rec.expiresInSec, p.get("client_id"));
}

/**
 * RFC 7009 revocation as Codex calls it: JSON `{token, token_type_hint?, client_id}`. The
 * client is checked first (401 `invalid_client`), then the token: a known refresh token is
 * marked invalidated (its next refresh answers `refresh_token_invalidated`); an unknown or
 * already revoked token still gets 200, so a client cannot probe which tokens exist.
 */
function revoke(req: EmulatorRequest, ctx: EmulatorContext): HttpReply {
  const ct = String(req.headers["content-type"] ?? "");
  const body = req.json;
  if (!/application\/json/i.test(ct) || typeof body !== "object" || body === null || Array.isArray(body)) {
    return oauthError(400, "invalid_request", "Send a JSON object body with content-type application/json.");
  }
  const p = body as Record<string, unknown>;
  const token = p["token"];
  const clientId = p["client_id"];
  const hint = p["token_type_hint"];
  if (typeof token !== "string" || token === "") return oauthError(400, "invalid_request", "Missing token.");
  if (hint !== undefined && typeof hint !== "string") return oauthError(400, "invalid_request", "token_type_hint must be a string.");
  const auth = createAuthState(ctx);
  const rec = auth.refresh.get(token);
  // Tokens minted for another client id may only be revoked by that client.
  const expected = rec?.clientId ?? DEFAULT_CLIENT_ID;
  if (typeof clientId !== "string" || clientId !== expected) return oauthError(401, "invalid_client", "Unknown or mismatched client_id.");
  if (rec) rec.status = "invalidated";
  return { status: 200, headers: { "cache-control": "no-store" }, body: {} };
}

/** Routes of this module. */
export const oauthRoutes: RouteDef[] = [
  { method: "GET", pattern: "/oauth/authorize", handler: authorize },
  {
    method: "POST",
    pattern: "/oauth/token",
    handler(req, ctx) {
      const auth = createAuthState(ctx);
      const p = tokenParams(req);
      switch (p.get("grant_type")) {
        case "authorization_code":
          return exchangeCode(auth, p, ctx.now());
        case "refresh_token":
          return refresh(auth, p);
        case undefined:
          return oauthError(400, "invalid_request", "Missing grant_type.");
        default:
          return oauthError(400, "unsupported_grant_type", `grant_type '${p.get("grant_type")}' is not supported.`);
      }
    },
  },
  { method: "POST", pattern: "/oauth/revoke", handler: revoke },
];
