import { createInterface } from "node:readline";
import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag } from "../_args.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["model", "session"] as const;

/** `genesis chat --help` text. */
export const usage = `Usage: genesis chat [--model REF] [--session ID]

Interactive agent session. Type a message, or a command:
  /status, /fast status|on|off, /new, /reset, /model REF, /tool NAME key=value ..., /exit
Ctrl-C aborts the running turn (not the program); at the prompt, Ctrl-C twice or /exit leaves.`;

/** `genesis chat`: the interactive loop (a terminal, or piped lines read as a script until EOF or /exit). */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, ["model", "session"]);
  const { createCliAgent, createRenderer } = await import("./_chat-agent.js");
  const { runSlashCommand } = await import("./_chat-commands.js");
  const cwd = process.cwd();
  const agent = await createCliAgent(ctx.env, cwd);
  const given = stringFlag(ctx.args, "session");
  const model = stringFlag(ctx.args, "model");
  const state = { sessionId: given ?? (await agent.createSession(model ? { model } : {})).id, exit: false };
  if (given && model) await agent.setModel(given, model);
  const status = await agent.status(state.sessionId);
  ctx.stdout.write(`Genesis chat: session ${state.sessionId}, ${status.model} (Runtime: ${status.runtimeLabel}). /help for commands.\n`);

  const terminal = ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout, terminal, prompt: "> " });
  // Piped input (scripts, the demo): no prompt to wait at; echo each line instead so the output
  // reads as a transcript. The loop ends at EOF.
  const prompt = () => terminal && rl.prompt();
  let turn: AbortController | undefined;
  let lastIdleInterrupt = 0;
  const interrupt = () => {
    if (turn) {
      turn.abort();
      return;
    }
    const now = Date.now();
    if (now - lastIdleInterrupt < 2000) {
      state.exit = true;
      rl.close();
      return;
    }
    lastIdleInterrupt = now;
    ctx.stdout.write("\n(Ctrl-C again or /exit to leave)\n");
    prompt();
  };
  rl.on("SIGINT", interrupt);
  // On a terminal, readline sees Ctrl-C as a key (above). Otherwise it arrives as the host's
  // one-shot abort (SIGINT with piped stdin, or a kill): later Ctrl-Cs would go unseen, so stop
  // the running turn and leave rather than keep reading with no way to interrupt.
  const stop = () => {
    turn?.abort();
    state.exit = true;
    rl.close();
  };
  if (ctx.signal.aborted) stop();
  else ctx.signal.addEventListener("abort", stop, { once: true });
  const render = createRenderer(ctx.stdout, ctx.stderr);
  prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === "") {
        prompt();
        continue;
      }
      if (!terminal) ctx.stdout.write(`> ${line}\n`);
      try {
        if (line.startsWith("/")) {
          ctx.stdout.write(`${await runSlashCommand(agent, state, line, cwd)}\n`);
        } else {
          turn = new AbortController();
          for await (const event of agent.send(state.sessionId, line, { signal: turn.signal })) render(event);
        }
      } catch (error) {
        const e = error as { describe?: () => string; message?: string };
        ctx.stderr.write(`error: ${typeof e.describe === "function" ? e.describe() : e.message ?? String(error)}\n`);
      } finally {
        turn = undefined;
      }
      if (state.exit) break;
      prompt();
    }
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    rl.close();
    await agent.close();
  }
  return 0;
}
