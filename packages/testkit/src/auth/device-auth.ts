import type { EmulatorRequest, HttpReply, RouteDef } from "../_types.js";
import { createAuthState, DEVICE_CODE_TTL_MS, newDeviceCode } from "./auth-state.js";

/**
 * ChatGPT's device-code login (not RFC 8628): `usercode` hands out a code, `token` answers
 * 403 while the user has not approved, then the authorization code plus the PKCE pair to
 * exchange at `/oauth/token` with `redirect_uri=<issuer>/deviceauth/callback`.
 * Approval comes from the test hook or from submitting the `/codex/device` page.
 */

/** Poll interval the emulator advertises, in seconds (a string, as upstream sends it). */
export const DEVICE_POLL_INTERVAL = "1";

function jsonOrForm(req: EmulatorRequest): Record<string, string> {
  if (typeof req.json === "object" && req.json !== null) {
    return Object.fromEntries(Object.entries(req.json).filter((e): e is [string, string] => typeof e[1] === "string"));
  }
  return Object.fromEntries(new URLSearchParams(req.rawBody.toString("utf8")));
}

const err = (status: number, code: string, message: string): HttpReply => ({ status, body: { error: { message, type: "invalid_request_error", param: null, code } } });

const PAGE = (body: string): HttpReply => ({
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: `<!doctype html><html><head><title>Device sign-in</title></head><body>${body}</body></html>`,
});

/** Routes of this module. */
export const deviceAuthRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/api/accounts/deviceauth/usercode",
    handler(req, ctx) {
      const clientId = jsonOrForm(req)["client_id"];
      if (!clientId) return err(400, "invalid_request", "Missing client_id.");
      const device = newDeviceCode(createAuthState(ctx), clientId);
      const expiresAt = new Date(device.createdAt + DEVICE_CODE_TTL_MS).toISOString();
      return { status: 200, body: { device_auth_id: device.deviceAuthId, user_code: device.userCode, interval: DEVICE_POLL_INTERVAL, expires_at: expiresAt } };
    },
  },
  {
    method: "POST",
    pattern: "/api/accounts/deviceauth/token",
    handler(req, ctx) {
      const p = jsonOrForm(req);
      const device = createAuthState(ctx).devices.get(p["device_auth_id"] ?? "");
      if (!device || device.userCode !== p["user_code"]) return err(404, "deviceauth_not_found", "Unknown device authorization.");
      if (ctx.now() - device.createdAt >= DEVICE_CODE_TTL_MS) return err(400, "expired_token", "The device code has expired. Start the sign-in again.");
      if (device.status === "denied") return err(400, "access_denied", "The user denied the device sign-in.");
      if (device.status === "pending" || !device.grant) return err(403, "deviceauth_authorization_pending", "Authorization is pending; keep polling.");
      const { code, verifier, challenge } = device.grant;
      // Later polls get the same grant; the authorization code itself is single-use at /oauth/token.
      return { status: 200, body: { authorization_code: code, code_verifier: verifier, code_challenge: challenge } };
    },
  },
  {
    method: "GET",
    pattern: "/codex/device",
    handler() {
      return PAGE(
        `<h1>Enter your one-time code</h1><form method="post" action="/codex/device"><input name="user_code" autocomplete="off" placeholder="XXXX-XXXXX">` +
          `<button name="action" value="approve">Continue</button><button name="action" value="deny">Cancel</button></form>`,
      );
    },
  },
  {
    method: "POST",
    pattern: "/codex/device",
    handler(req, ctx) {
      const p = jsonOrForm(req);
      const code = (p["user_code"] ?? "").trim().toUpperCase();
      try {
        createAuthState(ctx).approveDeviceCode(code, { deny: p["action"] === "deny" });
      } catch {
        return { ...PAGE("<h1>Code not found</h1><p>Check the code and try again.</p>"), status: 400 };
      }
      return PAGE(p["action"] === "deny" ? "<h1>Sign-in cancelled</h1>" : "<h1>Signed in</h1><p>You can return to your terminal.</p>");
    },
  },
];
