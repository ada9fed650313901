import type { IncomingHttpHeaders } from "node:http";
import { decodeJwt } from "./_jwt.js";
import { openaiError } from "./_router.js";
import type { HttpReply } from "./_types.js";

/**
 * Header rules of the ChatGPT Codex backend (`/backend-api/codex/responses`): a Bearer
 * access token that is a JWT carrying `https://api.openai.com/auth`.chatgpt_account_id,
 * a `chatgpt-account-id` header equal to that claim, and an unexpired `exp`. The emulator
 * decodes the token like the clients do; it does not check the signature, so tokens minted
 * by tests (or by the emulator's own OAuth endpoints) both work.
 */

/** Path prefix of the Codex backend. */
export const CODEX_PREFIX = "/backend-api/codex";

/** The account id claim of a Codex access token, or undefined when absent. */
export function accountIdOf(token: string): { accountId?: string; exp?: number } | undefined {
  const jwt = decodeJwt(token);
  if (!jwt) return undefined;
  const auth = jwt.payload["https://api.openai.com/auth"] as { chatgpt_account_id?: unknown } | undefined;
  const accountId = typeof auth?.chatgpt_account_id === "string" ? auth.chatgpt_account_id : undefined;
  const exp = typeof jwt.payload["exp"] === "number" ? jwt.payload["exp"] : undefined;
  return { accountId, exp };
}

/** Checks the Codex headers; returns the 401/403 answer, or undefined when they pass. */
export function checkCodexAuth(headers: IncomingHttpHeaders, nowMs: number): HttpReply | undefined {
  const auth = headers["authorization"];
  const m = typeof auth === "string" ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (!m) return { status: 401, body: openaiError("Missing bearer authentication in header", "invalid_request_error", "missing_authorization") };
  const claims = accountIdOf(m[1]!);
  if (!claims) return { status: 401, body: openaiError("Invalid access token: not a JWT.", "invalid_request_error", "invalid_token") };
  if (claims.exp !== undefined && claims.exp * 1000 <= nowMs) {
    return { status: 401, body: openaiError("Provided authentication token is expired. Please try signing in again.", "invalid_request_error", "token_expired") };
  }
  const header = headers["chatgpt-account-id"];
  if (typeof header !== "string" || header === "") {
    return { status: 403, body: openaiError("Missing chatgpt-account-id header.", "invalid_request_error", "missing_account_id") };
  }
  if (!claims.accountId || claims.accountId !== header) {
    return { status: 403, body: openaiError("The chatgpt-account-id header does not match the access token's account.", "invalid_request_error", "account_mismatch") };
  }
  return undefined;
}

/** Codex-specific body rules: `store` must be false, and SSE requests must stream. */
export function checkCodexBody(body: Record<string, unknown>, transport: "http" | "websocket"): HttpReply | undefined {
  if (body["store"] === true) {
    return { status: 400, body: openaiError("Store must be set to false", "invalid_request_error", "invalid_value", "store") };
  }
  if (transport === "http" && body["stream"] !== true) {
    return { status: 400, body: openaiError("Stream must be set to true", "invalid_request_error", "invalid_value", "stream") };
  }
  return undefined;
}
