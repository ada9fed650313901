import { spawn } from "node:child_process";
import type { CommandContext } from "../_context.js";

/** Options of {@link runCodexLogin}. */
export interface CodexLoginOptions {
  /** Use the device-code flow instead of the browser callback. */
  deviceCode?: boolean;
  /** Do not try to open a browser (the URL is printed either way). */
  noBrowser?: boolean;
  /** Overall limit in ms; default 5 min (browser) / 15 min (device code). */
  timeoutMs?: number;
}

/** What a finished login reports (no tokens). */
export interface CodexLoginResult {
  accountId: string;
  email: string | undefined;
  planType: string | undefined;
  expiresAt: number;
}

/** Whether this looks like a machine without a local browser (SSH session, no display). */
export function isHeadless(env: NodeJS.ProcessEnv, os: NodeJS.Platform = process.platform): boolean {
  if (env.SSH_CONNECTION || env.SSH_TTY) return true;
  return os === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/** Best effort: open `url` in the default browser; failures are silent (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener available: the printed URL is the fallback.
  }
}

/**
 * Sign in to ChatGPT/Codex for the `openai-codex` provider and store the result in the
 * Genesis auth store. Used by `genesis onboard --auth-choice openai-codex` and
 * `genesis models auth login --provider openai-codex [--device-code]`.
 *
 * Auth settings come from config `auth.openaiCodex.{issuer,codexBaseUrl,clientId}`, then the env
 * vars `GENESIS_CODEX_AUTH_ISSUER` / `GENESIS_CODEX_BASE_URL` / `GENESIS_CODEX_CLIENT_ID`, then
 * the OpenAI defaults.
 * A sign-in it replaces (same account or another) has its refresh token revoked after the new
 * one is saved (`{issuer}/oauth/revoke`, or `GENESIS_CODEX_REVOKE_URL`); a failed revocation is a
 * warning on stderr and the login still succeeds.
 * Progress goes to stderr; the browser flow also accepts a pasted redirect URL on stdin.
 * Never reads `~/.codex`.
 */
export async function runCodexLogin(ctx: CommandContext, options: CodexLoginOptions = {}): Promise<CodexLoginResult> {
  const core = await import("@genesis/core");
  const codex = await import("@genesis/codex-oauth");
  const { config } = await core.loadConfig({ env: ctx.env });
  const settings = codex.codexSettingsFromConfig(config, ctx.env);
  const store = core.openAuthStore({ env: ctx.env });
  const err = ctx.stderr;
  let progress: ReturnType<typeof codex.createLoginProgress> | undefined;
  try {
    const result = options.deviceCode
      ? await codex.signInWithCodex({
          method: "device",
          store,
          settings,
          signal: ctx.signal,
          maxWaitMs: options.timeoutMs,
          onCode: ({ verificationUrl, userCode }) => {
            err.write(`\nTo sign in, open ${verificationUrl}\nand enter this one-time code:  ${userCode}\n`);
            err.write("Device codes are a common phishing target: never share this code with anyone.\n\n");
            progress = codex.createLoginProgress(err, "Waiting for approval in the browser");
          },
        })
      : await codex.signInWithCodex({
          method: "browser",
          store,
          settings,
          signal: ctx.signal,
          timeoutMs: options.timeoutMs,
          manualInput: ctx.stdin,
          notices: (line) => {
            progress?.stop();
            err.write(`${line}\n`);
            progress = codex.createLoginProgress(err, "Waiting for the browser sign-in");
          },
          onAuthorizeUrl: ({ url, callbackListening }) => {
            const headless = options.noBrowser || isHeadless(ctx.env) || ctx.env.GENESIS_NO_BROWSER === "1";
            err.write(`\nOpen this URL to sign in with ChatGPT:\n\n  ${url}\n\n`);
            if (!callbackListening) err.write("The local callback port is busy; after signing in, paste the URL your browser lands on.\n");
            else err.write("On another machine? After signing in, paste the URL your browser was sent to (or the code) here.\n");
            if (!headless) openBrowser(url);
            progress = codex.createLoginProgress(err, "Waiting for the browser sign-in");
          },
        });
    progress?.stop();
    const who = result.email ?? result.accountId;
    const plan = result.planType ? `, ${result.planType} plan` : "";
    ctx.stdout.write(`Signed in to ChatGPT as ${who}${plan}. Credentials saved to ${result.path}.\n`);
    if (result.replacedAccountId) ctx.stdout.write(`This replaced the previous sign-in (account ${result.replacedAccountId}).\n`);
    const revocation = result.previousRevocation;
    // The new sign-in is saved either way; a replaced token that could not be revoked only warns.
    if (revocation?.outcome === "failed") {
      ctx.stderr.write(`warning: could not revoke the replaced refresh token of account ${revocation.accountId}: ${revocation.error!.message}\n` +
        "  It may stay valid until it expires; to end it now, use \"Log out of all devices\" in ChatGPT's security settings.\n");
    }
    return { accountId: result.accountId, email: result.email, planType: result.planType, expiresAt: result.expiresAt };
  } finally {
    progress?.stop();
  }
}

/** Alias for callers that prefer a shorter name. */
export const codexLogin = runCodexLogin;
