import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

export const valueFlags = ["port", "reply"] as const;

export const usage = `Usage: genesis dev-server [--port N] [--no-validate] [--reply TEXT] [--quiet]

Runs the local OpenAI emulator (@genesis/testkit) on 127.0.0.1 until Ctrl-C, and prints
the environment and config that point Genesis (or any OpenAI client) at it.
It serves /v1 (Responses over SSE and WebSocket, models, images, videos, audio,
embeddings, realtime), the Codex backend and the OAuth endpoints.

Options:
  --port N        Port to listen on (default 0: pick a free one)
  --no-validate   Accept request bodies the OpenAPI spec would reject
  --reply TEXT    Reply with TEXT instead of echoing the last user message
  --quiet         Do not log each request`;

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got '${value}'`);
  return port;
}

/** What to paste into a shell / run once to use the emulator. */
export function setupText(e: { url: string; apiBase: string; codexBase: string; authIssuer: string }): string {
  return [
    `Genesis dev server (OpenAI emulator) listening on ${e.url}`,
    "",
    "Environment (any sk-... key is accepted):",
    "  export OPENAI_API_KEY=sk-test-genesis-dev",
    `  export OPENAI_BASE_URL=${e.apiBase}`,
    `  export GENESIS_CODEX_AUTH_ISSUER=${e.authIssuer}`,
    `  export GENESIS_CODEX_BASE_URL=${e.codexBase}`,
    "",
    "Config:",
    `  genesis config set models.providers.openai.baseUrl ${e.apiBase}`,
    "",
    "Endpoints:",
    `  OpenAI API     ${e.apiBase}   (WebSocket: ${e.apiBase.replace(/^http/, "ws")}/responses)`,
    `  Codex backend  ${e.codexBase}/responses`,
    `  OAuth issuer   ${e.authIssuer}   (device code page: ${e.authIssuer}/codex/device)`,
    "",
    "Press Ctrl-C to stop.",
  ].join("\n");
}

export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["port", "no-validate", "reply", "quiet"]);
  if (ctx.args.positionals.length > 0) throw new UsageError("dev-server takes no arguments");
  const port = parsePort(stringFlag(ctx.args, "port"));
  const quiet = ctx.args.flags.get("quiet") === true;
  const { startEmulator } = await import("@genesis/testkit");
  let emu;
  try {
    emu = await startEmulator({
      port,
      validate: ctx.args.flags.get("no-validate") !== true,
      defaultReply: stringFlag(ctx.args, "reply"),
      onRequest: quiet ? undefined : (r) => ctx.stderr.write(`${r.transport === "websocket" ? "WS  " : ""}${r.method} ${r.path}\n`),
    });
  } catch (error) {
    // startEmulator wraps listen failures in a GenesisError; say which flag fixes it.
    const code = (error as { code?: string }).code;
    if (code === "emulator_port_in_use" || code === "emulator_listen_failed") {
      const why = code === "emulator_port_in_use" ? "port in use" : "cannot listen";
      ctx.stderr.write(`genesis: cannot start the dev server on 127.0.0.1:${port} (${why})\n  hint: pick another port with --port, or --port 0 for a free one.\n`);
      return 1;
    }
    throw error;
  }
  ctx.stdout.write(`${setupText(emu)}\n`);
  if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  await emu.close();
  ctx.stdout.write("Dev server stopped.\n");
  return 0;
}
