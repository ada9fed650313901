import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";
import { maskSecrets, reportGenesisError } from "./_config-common.js";

export const usage = `Usage: genesis config get <path> [--json] [--show-secrets]

Print the value at a config path, e.g.
  genesis config get agents.defaults.model.primary
  genesis config get 'agents.defaults.models["openai/gpt-5.4"].params'

Strings print as-is, anything else as JSON. API keys are masked unless --show-secrets.
Exits 1 when the path is not set.

Options:
  --json            Always print JSON
  --show-secrets    Print credentials in full`;

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["json", "show-secrets"]);
  const [path, ...extra] = ctx.args.positionals;
  if (path === undefined || extra.length > 0) throw new UsageError("config get takes exactly one path");
  const core = await import("@genesis/core");
  try {
    const segments = core.parseConfigPath(path);
    const { document } = await core.readConfigDocument({ env: ctx.env });
    const raw = core.getConfigValue(document, segments);
    if (raw === undefined) {
      ctx.stderr.write(`genesis: ${core.formatConfigPath(segments)} is not set\n`);
      return 1;
    }
    const value = ctx.args.flags.get("show-secrets") === true ? raw : maskSecrets(raw, segments, core.maskSecret);
    const text = typeof value === "string" && ctx.args.flags.get("json") !== true ? value : JSON.stringify(value, null, 2);
    ctx.stdout.write(`${text}\n`);
    return 0;
  } catch (error) {
    return reportGenesisError(ctx, error, ["config_path_invalid"]);
  }
}
