import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

export const usage = `Usage: genesis models auth logout --provider openai-codex [--no-revoke]

Sign out of ChatGPT/Codex. The sign-in is removed from $GENESIS_HOME/auth/profiles.json
(under the store lock, so a refresh running elsewhere cannot put it back), then the refresh
token it held is revoked at the OpenAI issuer so it stops working everywhere. Other stored
credentials are kept.

A failed revocation (offline, issuer down) does not bring the sign-in back: a warning on
stderr names the account and says the token may stay valid until it expires, and the exit
code is still 0. If the store is locked by another process for too long, nothing is
removed or revoked and the command fails; run it again.

Options:
  --provider <id>  openai-codex
  --no-revoke      Do not contact the issuer (offline use); only remove the local sign-in

The issuer comes from config auth.openaiCodex.issuer, else GENESIS_CODEX_AUTH_ISSUER
(default https://auth.openai.com); the revocation URL is {issuer}/oauth/revoke unless
GENESIS_CODEX_REVOKE_URL is set.`;

export const valueFlags = ["provider"];

const LOGOUT_EVERYWHERE = "to end it now, use \"Log out of all devices\" in ChatGPT's security settings";

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["provider", "no-revoke"]);
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`);
  const provider = stringFlag(ctx.args, "provider");
  if (provider === undefined) throw new UsageError("--provider is required (openai-codex)");
  if (provider !== "openai-codex") throw new UsageError(`'${provider}' has no sign-in to remove; only openai-codex does`);
  const noRevoke = ctx.args.flags.get("no-revoke") === true;
  const core = await import("@genesis/core");
  const codex = await import("@genesis/codex-oauth");
  const store = core.openAuthStore({ env: ctx.env });

  // A broken config must not keep credentials on disk: sign out locally and say why nothing was revoked.
  let settings: ReturnType<typeof codex.codexSettingsFromConfig> | undefined;
  let settingsProblem: string | undefined;
  if (!noRevoke) {
    try {
      const { config } = await core.loadConfig({ env: ctx.env });
      settings = codex.codexSettingsFromConfig(config, ctx.env);
    } catch (error) {
      settingsProblem = (error as { message?: string }).message?.split("\n")[0] ?? "unknown error";
    }
  }

  const result = await codex.signOutOfCodex(store, { settings, revoke: settings !== undefined, signal: ctx.signal });
  if (!result.removed) {
    ctx.stdout.write("No openai-codex sign-in was stored.\n");
    return 0;
  }
  ctx.stdout.write(`Signed out of openai-codex (removed from ${store.path}).\n`);
  const who = result.email ?? result.accountId ?? "unknown account";
  const revocation = result.revocation;
  if (settingsProblem !== undefined) {
    ctx.stderr.write(`warning: the refresh token of ${who} was not revoked: the Codex auth settings could not be read (${settingsProblem}). ` +
      `It may stay valid until it expires; ${LOGOUT_EVERYWHERE}.\n`);
  } else if (revocation?.outcome === "revoked") {
    ctx.stdout.write(`Revoked the refresh token of ${who} at the issuer.\n`);
  } else if (revocation?.outcome === "failed") {
    const error = revocation.error!;
    ctx.stderr.write(`warning: could not revoke the refresh token of ${who}: ${error.message}\n` +
      `  It may stay valid until it expires (it is no longer stored here); ${LOGOUT_EVERYWHERE}.\n`);
  } else if (revocation?.reason === "shared") {
    ctx.stdout.write(`Did not revoke the refresh token of ${who}: another stored profile uses the same token.\n`);
  } else if (revocation?.reason === "disabled") {
    ctx.stdout.write(`Did not revoke the refresh token of ${who} (--no-revoke); it stays valid until it expires.\n`);
  }
  return 0;
}
