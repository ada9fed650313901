import type { CommandContext } from "../_context.js";
import { assertKnownFlags } from "../_args.js";

export const usage = "Usage: genesis config path\n\nPrints the config file in use ($GENESIS_CONFIG, else $GENESIS_HOME/genesis.json5).";

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, []);
  const { resolveConfigPath } = await import("@genesis/core/lite");
  ctx.stdout.write(`${resolveConfigPath(ctx.env)}\n`);
  return 0;
}
