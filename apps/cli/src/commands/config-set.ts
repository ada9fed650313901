import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";
import { isSecretPath, maskSecrets, reportGenesisError } from "./_config-common.js";

export const usage = `Usage: genesis config set <path> <value> [--string]

Set a config value. The value is read as a JSON5 literal (true, 120000, "text",
{ fastMode: true }, [..]); anything that is not valid JSON5 is taken as a string, so
  genesis config set agents.defaults.promptOverlays.gpt5.personality off
works. The whole resulting config is validated before anything is written; an invalid
value exits 2 and leaves the file untouched. The file is rewritten as JSON5 (comments in
it are not kept) with mode 0600.

Options:
  --string    Store <value> verbatim as a string (e.g. an env value that looks like a number)`;

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["string"]);
  const [path, text, ...extra] = ctx.args.positionals;
  if (path === undefined || text === undefined || extra.length > 0) throw new UsageError("config set takes a path and a value");
  const core = await import("@genesis/core");
  let target: string | undefined;
  try {
    const segments = core.parseConfigPath(path);
    target = core.formatConfigPath(segments);
    const value = ctx.args.flags.get("string") === true ? text : core.parseConfigValue(text);
    const written = await core.updateConfigDocument({ env: ctx.env }, (document) => core.setConfigValue(document, segments, value));
    const shown = maskSecrets(value, segments, core.maskSecret);
    const display = typeof shown === "string" && isSecretPath(segments) ? shown : JSON.stringify(shown);
    ctx.stdout.write(`${core.formatConfigPath(segments)} = ${display}  (${written.path})\n`);
    return 0;
  } catch (error) {
    const code = reportGenesisError(ctx, error, ["config_path_invalid", "config_invalid"]);
    // `config set env.PORT 8080` parses 8080 as a number; say how to keep it text.
    const issues = (error as { issues?: { path: string; message: string }[] }).issues ?? [];
    if (ctx.args.flags.get("string") !== true && issues.some((i) => i.path === target && /expected string/.test(i.message))) {
      ctx.stderr.write("  (the value was read as JSON5; add --string to store it as text)\n");
    }
    return code;
  }
}
