import type { CommandContext } from "../_context.js";
import { assertKnownFlags, UsageError } from "../_args.js";
import { reportGenesisError } from "./_config-common.js";

export const usage = `Usage: genesis models auth list [--json]

Show the credentials Genesis can use: provider, kind (api_key or oauth), the key masked
(sk-…abcd) or the signed-in account and its expiry, and where it comes from
(env, config or store). Tokens and full keys are never printed.

Options:
  --json    Print the rows as JSON`;

interface Row {
  provider: string;
  kind: "api_key" | "oauth";
  source: "env" | "config" | "store";
  credential: string;
  accountId?: string;
  email?: string;
  expiresAt?: string;
  expired?: boolean;
  shadowed?: boolean;
}

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["json"]);
  if (ctx.args.positionals.length > 0) throw new UsageError("models auth list takes no arguments");
  const core = await import("@genesis/core/lite");
  let file;
  try {
    file = await core.openAuthStore({ env: ctx.env }).read();
  } catch (error) {
    return reportGenesisError(ctx, error, []);
  }
  let config: Parameters<typeof core.resolveApiKey>[1]["config"];
  try {
    config = (await core.loadConfig({ env: ctx.env })).config;
  } catch (error) {
    ctx.stderr.write(`genesis: warning: config ignored: ${(error as Error).message.split("\n")[0]}\n`);
  }
  const rows: Row[] = [];
  const providers = new Set([...Object.keys(core.PROVIDER_ENV_KEYS), ...Object.keys(config?.models?.providers ?? {}), ...Object.keys(file.profiles)]);
  for (const provider of [...providers].sort()) {
    const found = core.resolveApiKey(provider, { file, env: ctx.env, ...(config ? { config } : {}) });
    if (found) rows.push({ provider, kind: "api_key", source: found.source, credential: core.maskSecret(found.key) });
    const profile = file.profiles[provider];
    if (profile?.kind === "api_key" && found && found.source !== "store") {
      rows.push({ provider, kind: "api_key", source: "store", credential: core.maskSecret(profile.key), shadowed: true });
    }
    if (profile?.kind === "oauth") {
      const expiresAt = new Date(profile.expiresAt).toISOString();
      rows.push({
        provider, kind: "oauth", source: "store", credential: `account ${profile.accountId}${profile.email ? ` (${profile.email})` : ""}`,
        accountId: profile.accountId, ...(profile.email ? { email: profile.email } : {}), expiresAt, expired: profile.expiresAt <= Date.now(),
      });
    }
  }
  if (ctx.args.flags.get("json") === true) {
    ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout.write("No credentials. Run `genesis onboard --auth-choice openai-api-key` or `genesis onboard --auth-choice openai-codex`.\n");
    return 0;
  }
  const table = [["PROVIDER", "KIND", "SOURCE", "CREDENTIAL", "EXPIRES"]];
  for (const row of rows) {
    const expires = row.expiresAt ? `${row.expiresAt}${row.expired ? " (expired; refreshes on use)" : ""}` : "-";
    table.push([row.provider, row.kind, row.shadowed ? "store (overridden)" : row.source, row.credential, expires]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  ctx.stdout.write(`${table.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n")}\n`);
  return 0;
}
