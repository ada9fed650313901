import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["message", "model", "session"] as const;

/** `genesis agent --help` text. */
export const usage = `Usage: genesis agent --message "..." [--model REF] [--session ID] [--json]

Run one agent turn and stream the answer to stdout (tool activity goes to stderr).
A new session is created unless --session names an existing one; its id is printed
on stderr so the next turn can continue it.

Options:
  --message TEXT   The user message (required)
  --model REF      Model ref for a new session, or switch an existing session to it
  --session ID     Continue this session
  --json           Print one JSON event per line instead of text

Exit status: 0 completed, 1 failed/blocked/aborted/incomplete, 2 usage error.
Ctrl-C aborts the turn.`;

/** `genesis agent`: one turn, streamed; exit 0 when it completed, 1 otherwise, 2 on usage errors. */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["message", "model", "session", "json"]);
  const message = stringFlag(ctx.args, "message") ?? (ctx.args.positionals.length > 0 ? ctx.args.positionals.join(" ") : undefined);
  if (!message || message.trim() === "") throw new UsageError("--message is required");
  const json = ctx.args.flags.get("json") === true;
  const { createCliAgent, createRenderer } = await import("./_chat-agent.js");
  const agent = await createCliAgent(ctx.env);
  try {
    const render = json ? (e: unknown) => ctx.stdout.write(`${JSON.stringify(e)}\n`) : createRenderer(ctx.stdout, ctx.stderr);
    const result = await agent.run(message, {
      ...(stringFlag(ctx.args, "session") ? { sessionId: stringFlag(ctx.args, "session") } : {}),
      ...(stringFlag(ctx.args, "model") ? { model: stringFlag(ctx.args, "model") } : {}),
      signal: ctx.signal,
      onEvent: render,
    });
    if (!json) ctx.stderr.write(`session: ${result.sessionId}\n`);
    else ctx.stdout.write(`${JSON.stringify({ type: "session", sessionId: result.sessionId })}\n`);
    return result.outcome === "completed" ? 0 : 1;
  } finally {
    await agent.close();
  }
}
