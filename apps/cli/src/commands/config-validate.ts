import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";
import { reportGenesisError } from "./_config-common.js";

export const usage = `Usage: genesis config validate [--json]

Check the config file ($GENESIS_CONFIG, else $GENESIS_HOME/genesis.json5): JSON5 syntax
(with line and column) and every key and value against the schema. Unknown keys are
reported with their full path and the closest known key. Exits 1 when invalid.

Options:
  --json    Print { ok, path, exists, issues } as JSON`;

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["json"]);
  if (ctx.args.positionals.length > 0) throw new UsageError("config validate takes no arguments");
  const json = ctx.args.flags.get("json") === true;
  const core = await import("@genesis/core");
  let read;
  try {
    read = await core.readConfigDocument({ env: ctx.env });
  } catch (error) {
    if (json && error instanceof core.ConfigError) {
      const issue = { code: error.code, path: "(file)", message: error.message, line: error.line, column: error.column };
      ctx.stdout.write(`${JSON.stringify({ ok: false, path: error.file, exists: true, issues: [issue] }, null, 2)}\n`);
      return 1;
    }
    return reportGenesisError(ctx, error, []);
  }
  const result = core.safeValidateConfig(read.document);
  const issues = result.ok ? [] : result.issues.map(({ code, path, message, suggestion }) => ({ code, path, message, ...(suggestion ? { suggestion } : {}) }));
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ok: result.ok, path: read.path, exists: read.exists, issues }, null, 2)}\n`);
  } else if (result.ok) {
    ctx.stdout.write(read.exists ? `Config OK: ${read.path}\n` : `No config file at ${read.path}; defaults apply.\n`);
  } else {
    ctx.stderr.write(`genesis: invalid config in ${read.path}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}\n`);
  }
  return result.ok ? 0 : 1;
}
