import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";
import { reportGenesisError } from "./_config-common.js";

export const usage = `Usage: genesis config unset <path>

Remove a config value (and objects left empty by the removal), so the default applies.
Exits 1 when the path was not set. The file is rewritten as JSON5 (comments are not kept).`;

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, []);
  const [path, ...extra] = ctx.args.positionals;
  if (path === undefined || extra.length > 0) throw new UsageError("config unset takes exactly one path");
  const core = await import("@genesis/core");
  try {
    const segments = core.parseConfigPath(path);
    const { document } = await core.readConfigDocument({ env: ctx.env });
    if (core.getConfigValue(document, segments) === undefined) {
      ctx.stderr.write(`genesis: ${core.formatConfigPath(segments)} is not set\n`);
      return 1;
    }
    const written = await core.updateConfigDocument({ env: ctx.env }, (current) => core.unsetConfigValue(current, segments).document);
    ctx.stdout.write(`Removed ${core.formatConfigPath(segments)}  (${written.path})\n`);
    return 0;
  } catch (error) {
    return reportGenesisError(ctx, error, ["config_path_invalid"]);
  }
}
