import type { CommandContext } from "../_context.js";

/** The user pressed Ctrl-C or Ctrl-D at a prompt. */
export class PromptCancelledError extends Error {
  readonly code = "prompt_cancelled";
  constructor() {
    super("cancelled");
    this.name = "PromptCancelledError";
  }
}

/**
 * Ask for a secret on a TTY without echoing it: raw mode, no characters written back
 * (not even asterisks, which would reveal the length). Backspace edits; Enter finishes;
 * Ctrl-C / Ctrl-D cancel. The prompt goes to stderr so stdout stays clean for scripts.
 */
export function promptHidden(ctx: CommandContext, question: string): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise<string>((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      ctx.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) return finish(new PromptCancelledError());
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    // Raw mode first: once the prompt is visible the user may type, and echo must be off by then.
    stdin.setRawMode?.(true);
    ctx.stderr.write(question);
    stdin.on("data", onData);
    stdin.resume();
  });
}

/** Read the first line of a piped (non-TTY) stdin, up to 16 KiB. Empty when stdin is empty. */
export function readFirstLine(ctx: CommandContext): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise<string>((resolve, reject) => {
    let text = "";
    const done = () => {
      stdin.removeListener("data", onData);
      stdin.removeListener("end", done);
      stdin.removeListener("error", reject);
      stdin.pause();
      resolve(text.split(/\r?\n/)[0] ?? "");
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString("utf8");
      if (text.includes("\n") || text.length > 16_384) done();
    };
    stdin.on("data", onData);
    stdin.once("end", done);
    stdin.once("error", reject);
    stdin.resume();
  });
}
