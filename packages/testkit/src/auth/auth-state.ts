import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { ValidationError } from "@genesis/core";
import { signJwt, verifyJwt, type DecodedJwt } from "../_jwt.js";
import type { EmulatorContext } from "../_types.js";

/**
 * The emulated auth.openai.com: authorization codes, rotating refresh tokens and device
 * codes, kept in `ctx.state` so the HTTP handlers and the test API share one instance.
 */

/** What the next `/oauth/authorize` does: redirect with a code, with `error=access_denied`, or with no code. */
export type AuthorizeOutcome = "approve" | "deny" | "no-code";

/** Tokens as `/oauth/token` returns them. */
export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

/** Options for {@link AuthState.issueTokens}. */
export interface IssueTokensOptions {
  /** `chatgpt_account_id` claim (default `acct_emulator`). */
  accountId?: string;
  /** Access-token lifetime (default 864000 s = 10 days, like ChatGPT tokens). */
  expiresInSec?: number;
  /** `chatgpt_plan_type` claim (default `plus`). */
  planType?: string;
  /** id_token email (default `dev@example.com`). */
  email?: string;
}

interface CodeGrant {
  clientId: string;
  redirectUris: string[];
  challenge: string;
  expiresAt: number;
  used: boolean;
  identity: Required<Omit<IssueTokensOptions, "expiresInSec">>;
}

interface RefreshRecord {
  status: "active" | "rotated" | "invalidated";
  identity: Required<Omit<IssueTokensOptions, "expiresInSec">>;
  expiresInSec: number;
  /** The client the token was minted for; only it may revoke the token. */
  clientId: string;
}

interface DeviceCode {
  deviceAuthId: string;
  userCode: string;
  clientId: string;
  createdAt: number;
  status: "pending" | "approved" | "denied";
  /** Filled on approval: the code + PKCE pair the token poll hands out. */
  grant?: { code: string; verifier: string; challenge: string };
}

/** Device codes expire after 15 minutes, like the real service. */
export const DEVICE_CODE_TTL_MS = 15 * 60 * 1000;
const AUTH_CODE_TTL_MS = 10 * 60 * 1000;
const STATE_KEY = "auth:state";
/** The emulator's client id (the public Codex CLI one); `/oauth/revoke` requires it for tokens it does not know. */
export const DEFAULT_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
const DEFAULT_IDENTITY = { accountId: "acct_emulator", planType: "plus", email: "dev@example.com" };

/** The shared auth state and its test hooks. */
export interface AuthState {
  /** Approves (or denies) a pending device code; the most recent pending one when `userCode` is omitted. */
  approveDeviceCode(userCode?: string, opts?: { deny?: boolean }): void;
  /** Mints tokens directly (registers the refresh token so `/oauth/token` accepts it). */
  issueTokens(opts?: IssueTokensOptions): IssuedTokens;
  /** Number of `grant_type=refresh_token` requests received (successful or not). */
  readonly refreshCount: number;
  /** Sets what the next `/oauth/authorize` request does (then it returns to `approve`). */
  setNextAuthorizeResult(outcome: AuthorizeOutcome): void;
  /** Marks every refresh token revoked: the next refresh gets `refresh_token_invalidated`. */
  revokeAll(): void;
  /** Verifies an access token minted here; returns its claims or undefined. */
  verifyAccessToken(token: string): Record<string, unknown> | undefined;
}

/** Internal view used by the route handlers. */
export interface AuthInternals extends AuthState {
  readonly ctx: EmulatorContext;
  readonly codes: Map<string, CodeGrant>;
  readonly refresh: Map<string, RefreshRecord>;
  readonly devices: Map<string, DeviceCode>;
  takeAuthorizeOutcome(): AuthorizeOutcome;
  registerCode(clientId: string, redirectUris: string[], challenge: string, identity?: IssueTokensOptions): string;
  countRefresh(): void;
  mint(identity: Required<Omit<IssueTokensOptions, "expiresInSec">>, expiresInSec: number, clientId?: string): IssuedTokens & { expires_in: number };
}

/** S256 PKCE challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

const token = (prefix: string, bytes = 24): string => `${prefix}${randomBytes(bytes).toString("base64url")}`;

/** A user code like the real ones: `XXXX-XXXXX` from an unambiguous alphabet. */
function userCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(9);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]!);
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`;
}

/** Returns the auth state of this emulator, creating it on first use. */
export function createAuthState(ctx: EmulatorContext): AuthInternals {
  const existing = ctx.state.get(STATE_KEY) as AuthInternals | undefined;
  if (existing) return existing;
  const secret = randomBytes(32);
  const codes = new Map<string, CodeGrant>();
  const refresh = new Map<string, RefreshRecord>();
  const devices = new Map<string, DeviceCode>();
  let refreshCount = 0;
  let nextOutcome: AuthorizeOutcome = "approve";

  const identityOf = (o: IssueTokensOptions = {}): CodeGrant["identity"] => ({
    accountId: o.accountId ?? DEFAULT_IDENTITY.accountId,
    planType: o.planType ?? DEFAULT_IDENTITY.planType,
    email: o.email ?? DEFAULT_IDENTITY.email,
  });

  const state: AuthInternals = {
    ctx,
    codes,
    refresh,
    devices,
    get refreshCount() {
      return refreshCount;
    },
    countRefresh() {
      refreshCount++;
    },
    setNextAuthorizeResult(outcome) {
      nextOutcome = outcome;
    },
    takeAuthorizeOutcome() {
      const o = nextOutcome;
      nextOutcome = "approve";
      return o;
    },
    mint(identity, expiresInSec, clientId = DEFAULT_CLIENT_ID) {
      const iat = Math.floor(ctx.now() / 1000);
      const authClaim = { chatgpt_account_id: identity.accountId, chatgpt_plan_type: identity.planType, chatgpt_user_id: `user-${identity.accountId}` };
      const access_token = signJwt(
        {
          iss: ctx.origin,
          aud: ["https://api.openai.com/v1"],
          sub: `auth0|${identity.accountId}`,
          iat,
          nbf: iat,
          exp: iat + expiresInSec,
          jti: randomBytes(8).toString("hex"),
          scp: ["openid", "profile", "email", "offline_access"],
          client_id: clientId,
          "https://api.openai.com/auth": authClaim,
          "https://api.openai.com/profile": { email: identity.email, email_verified: true },
        },
        { secret },
      );
      const id_token = signJwt(
        { iss: ctx.origin, aud: [clientId], sub: `auth0|${identity.accountId}`, iat, exp: iat + 3600, email: identity.email, email_verified: true, "https://api.openai.com/auth": authClaim },
        { secret },
      );
      const refresh_token = token("rt_", 32);
      refresh.set(refresh_token, { status: "active", identity, expiresInSec, clientId });
      return { access_token, refresh_token, id_token, expires_in: expiresInSec };
    },
    issueTokens(opts = {}) {
      const { access_token, refresh_token, id_token } = state.mint(identityOf(opts), opts.expiresInSec ?? 864_000);
      return { access_token, refresh_token, id_token };
    },
    registerCode(clientId, redirectUris, challenge, identity) {
      const code = token("ac_", 24);
      codes.set(code, { clientId, redirectUris, challenge, expiresAt: ctx.now() + AUTH_CODE_TTL_MS, used: false, identity: identityOf(identity) });
      return code;
    },
    approveDeviceCode(code, opts = {}) {
      const pending = [...devices.values()].filter((d) => d.status === "pending" && ctx.now() - d.createdAt < DEVICE_CODE_TTL_MS);
      const target = code === undefined ? pending.at(-1) : pending.find((d) => d.userCode === code.toUpperCase());
      if (!target) {
        throw new ValidationError(code === undefined ? "No pending device code to approve." : "No pending device code matches that user code.", {
          code: "device_code_not_pending",
          hint: "Call approveDeviceCode after the client has requested a user code (POST /api/accounts/deviceauth/usercode).",
        });
      }
      if (opts.deny) {
        target.status = "denied";
        return;
      }
      const verifier = token("", 48);
      const challenge = pkceChallenge(verifier);
      // The device flow exchanges its code with a fixed redirect_uri on the issuer.
      const redirects = [`${ctx.origin}/deviceauth/callback`, "https://auth.openai.com/deviceauth/callback"];
      target.grant = { code: state.registerCode(target.clientId, redirects, challenge), verifier, challenge };
      target.status = "approved";
    },
    revokeAll() {
      for (const rec of refresh.values()) rec.status = "invalidated";
    },
    verifyAccessToken(t) {
      const decoded: DecodedJwt | undefined = verifyJwt(t, secret);
      if (!decoded) return undefined;
      const exp = decoded.payload["exp"];
      return typeof exp === "number" && exp * 1000 > ctx.now() ? decoded.payload : undefined;
    },
  };
  // The maps are keyed by live codes and refresh tokens: never print or serialise them.
  const summary = (): string =>
    `AuthState { codes: ${codes.size}, refreshTokens: ${refresh.size}, deviceCodes: ${devices.size}, refreshCount: ${refreshCount} }`;
  Object.defineProperty(state, inspect.custom, { value: summary });
  Object.defineProperty(state, "toJSON", { value: () => ({ codes: codes.size, refreshTokens: refresh.size, deviceCodes: devices.size, refreshCount }) });
  ctx.state.set(STATE_KEY, state);
  return state;
}

/** Creates a pending device code (used by the usercode endpoint). */
export function newDeviceCode(state: AuthInternals, clientId: string): DeviceCode {
  const device: DeviceCode = { deviceAuthId: token("deviceauth_", 16), userCode: userCode(), clientId, createdAt: state.ctx.now(), status: "pending" };
  state.devices.set(device.deviceAuthId, device);
  return device;
}
