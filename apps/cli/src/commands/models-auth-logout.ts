import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

export const usage = `Usage: genesis models auth logout --provider openai-codex

Remove the stored ChatGPT/Codex sign-in from $GENESIS_HOME/auth/profiles.json.
Other stored credentials are kept.`;

export const valueFlags = ["provider"];

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["provider"]);
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`);
  const provider = stringFlag(ctx.args, "provider");
  if (provider === undefined) throw new UsageError("--provider is required (openai-codex)");
  if (provider !== "openai-codex") throw new UsageError(`'${provider}' has no sign-in to remove; only openai-codex does`);
  const core = await import("@genesis/core");
  const { signOutOfCodex } = await import("@genesis/codex-oauth");
  const store = core.openAuthStore({ env: ctx.env });
  const removed = await signOutOfCodex(store);
  ctx.stdout.write(removed ? `Signed out of openai-codex (removed from ${store.path}).\n` : "No openai-codex sign-in was stored.\n");
  return 0;
}
