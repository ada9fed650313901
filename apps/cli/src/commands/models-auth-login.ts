import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

export const usage = `Usage: genesis models auth login --provider openai-codex [--device-code] [--no-browser] [--timeout <seconds>]

Sign in with your ChatGPT/Codex subscription for openai-codex/* models. The browser flow
opens (or prints) a sign-in page and waits for its redirect on http://localhost:1455; on a
headless machine paste the final URL back here. --device-code shows a code to enter at
the sign-in page instead. Credentials go to $GENESIS_HOME/auth/profiles.json. When this
replaces a stored sign-in, its refresh token is revoked at the issuer after the new one is
saved (a failed revocation is only a warning on stderr).

Options:
  --provider <id>      openai-codex (API keys need no login: set OPENAI_API_KEY)
  --device-code        Use the device-code flow (no local callback needed)
  --no-browser         Do not try to open a browser; just print the URL
  --timeout <seconds>  Give up after this long (default 300, device code 900)`;

export const valueFlags = ["provider", "timeout"];

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["provider", "device-code", "no-browser", "timeout"]);
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`);
  const provider = stringFlag(ctx.args, "provider");
  if (provider === undefined) throw new UsageError("--provider is required (openai-codex)");
  if (provider !== "openai-codex") {
    throw new UsageError(`'${provider}' has no sign-in flow; only openai-codex does (for openai/* set OPENAI_API_KEY or run \`genesis onboard --auth-choice openai-api-key\`)`);
  }
  const timeout = stringFlag(ctx.args, "timeout");
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    const seconds = Number(timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError("--timeout must be a positive number of seconds");
    timeoutMs = Math.round(seconds * 1000);
  }
  const { runCodexLogin } = await import("./_codex-login.js");
  await runCodexLogin(ctx, {
    deviceCode: ctx.args.flags.get("device-code") === true,
    noBrowser: ctx.args.flags.get("no-browser") === true,
    timeoutMs,
  });
  return 0;
}
