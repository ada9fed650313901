import { z } from "zod";
import { ConfigError } from "@genesis/core";

/** The public OAuth client id the Codex CLI registered with OpenAI's issuer. */
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
/** Default issuer (authorize, token, device-code endpoints). */
export const DEFAULT_CODEX_ISSUER = "https://auth.openai.com";
/** Default ChatGPT Codex backend; `/responses` is appended for turns. */
export const DEFAULT_CODEX_BASE_URL = "https://chatgpt.com/backend-api/codex";
/** The loopback port registered for the redirect URI. */
export const DEFAULT_CALLBACK_PORT = 1455;
/** The second registered port, tried when 1455 is taken (Codex CLI uses the same one). */
export const FALLBACK_CALLBACK_PORT = 1457;

const url = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "must be an http(s) URL")
  .transform((u) => u.replace(/\/+$/, ""));

const settingsSchema = z.object({
  issuer: url,
  clientId: z.string().min(1),
  scope: z.string().min(1),
  codexBaseUrl: url,
  originator: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-'"),
  callbackPort: z.number().int().min(0).max(65535),
  fallbackPorts: z.array(z.number().int().min(0).max(65535)),
  /** Host written into redirect_uri (registered as `localhost`); the server binds loopback only: 127.0.0.1 and ::1. */
  redirectHost: z.string().min(1),
  callbackPath: z.string().startsWith("/"),
  /** Page the user opens for the device-code flow. */
  deviceVerificationUrl: url,
  /** Token revocation endpoint; when absent, `{issuer}/oauth/revoke` (see {@link revokeTokenUrl}). */
  revokeUrl: url.optional(),
});

/** Every knob of Codex sign-in and the Codex backend, after defaults and overrides. */
export type CodexOAuthSettings = z.infer<typeof settingsSchema>;
/** What callers may override; any field left out takes the env value, then the default. */
export type CodexOAuthOverrides = Partial<z.input<typeof settingsSchema>>;

/**
 * Resolve the settings. Precedence: `overrides` (API options, or the config file's auth
 * section passed in by the caller) > environment > defaults.
 *
 * Environment: `GENESIS_CODEX_AUTH_ISSUER` (issuer; the device page follows it),
 * `GENESIS_CODEX_BASE_URL` (Codex backend), `GENESIS_CODEX_CLIENT_ID`,
 * `GENESIS_CODEX_CALLBACK_PORT` (0 = pick any free port), `GENESIS_CODEX_REVOKE_URL`
 * (revocation endpoint; default `{issuer}/oauth/revoke`, following the issuer).
 * @throws ConfigError naming the bad field.
 */
export function resolveCodexOAuthSettings(
  overrides: CodexOAuthOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): CodexOAuthSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as CodexOAuthOverrides;
  const issuer = defined.issuer ?? (env.GENESIS_CODEX_AUTH_ISSUER?.trim() || DEFAULT_CODEX_ISSUER);
  const portEnv = env.GENESIS_CODEX_CALLBACK_PORT?.trim();
  const raw = {
    issuer,
    clientId: env.GENESIS_CODEX_CLIENT_ID?.trim() || CODEX_CLIENT_ID,
    scope: "openid profile email offline_access",
    codexBaseUrl: env.GENESIS_CODEX_BASE_URL?.trim() || DEFAULT_CODEX_BASE_URL,
    originator: "genesis",
    callbackPort: portEnv ? Number(portEnv) : DEFAULT_CALLBACK_PORT,
    fallbackPorts: [FALLBACK_CALLBACK_PORT, 0],
    redirectHost: "localhost",
    callbackPath: "/auth/callback",
    deviceVerificationUrl: `${issuer.replace(/\/+$/, "")}/codex/device`,
    revokeUrl: env.GENESIS_CODEX_REVOKE_URL?.trim() || undefined,
    ...defined,
  };
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".");
    throw new ConfigError("codex_settings_invalid", `Codex sign-in setting '${path}' is invalid: ${issue.message}`, {
      path,
      hint: "Fix the value passed in options, the config file, or GENESIS_CODEX_* environment variables.",
    });
  }
  return parsed.data;
}

/** The slice of a Genesis config this package reads: `auth.openaiCodex`. */
export interface CodexAuthConfigLike {
  auth?: { openaiCodex?: { issuer?: string | undefined; codexBaseUrl?: string | undefined; clientId?: string | undefined } | undefined } | undefined;
}

/**
 * Resolve settings from a loaded config's `auth.openaiCodex.{issuer,codexBaseUrl,clientId}`
 * (config wins), then the GENESIS_CODEX_* environment, then the defaults. Every caller (the
 * login commands, the agent's streamers, the Codex harness) goes through here so they agree.
 * @throws ConfigError naming the bad field.
 */
export function codexSettingsFromConfig(config: CodexAuthConfigLike | undefined, env: NodeJS.ProcessEnv = process.env): CodexOAuthSettings {
  const urls = config?.auth?.openaiCodex;
  return resolveCodexOAuthSettings({ issuer: urls?.issuer, codexBaseUrl: urls?.codexBaseUrl, clientId: urls?.clientId }, env);
}

/** `{issuer}/oauth/token`. */
export function tokenUrl(s: Pick<CodexOAuthSettings, "issuer">): string {
  return `${s.issuer}/oauth/token`;
}

/**
 * Where refresh tokens are revoked (RFC 7009): `settings.revokeUrl` when set (option or
 * `GENESIS_CODEX_REVOKE_URL`, like Codex's `CODEX_REVOKE_TOKEN_URL_OVERRIDE`), else
 * `{issuer}/oauth/revoke`, so pointing the issuer at an emulator moves revocation with it.
 */
export function revokeTokenUrl(s: Pick<CodexOAuthSettings, "issuer"> & { revokeUrl?: string | undefined }): string {
  return s.revokeUrl ?? `${s.issuer}/oauth/revoke`;
}

/**
 * The Codex backend's Responses URL. Accepts every spelling users paste:
 * `.../backend-api` (adds `/codex/responses`), `.../backend-api/codex` (adds `/responses`)
 * or the full `.../codex/responses`.
 */
export function codexResponsesUrl(s: Pick<CodexOAuthSettings, "codexBaseUrl">): string {
  const base = s.codexBaseUrl.replace(/\/+$/, "");
  if (base.endsWith("/codex/responses")) return base;
  if (base.endsWith("/codex")) return `${base}/responses`;
  return `${base}/codex/responses`;
}
