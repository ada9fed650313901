import type { ParsedArgs } from "./_args.js";

/**
 * What a command gets: its arguments, streams and environment, injected so tests can run
 * commands in-process. Only main.ts touches `process` directly.
 */
export interface CommandContext {
  /** Arguments after the command path (e.g. after `models route`). */
  argv: readonly string[];
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Resolves when the user presses Ctrl-C; commands decide what that cancels. */
  signal: AbortSignal;
}

/** A command module's shape: `run` returns the exit code (0 ok, 1 failure, 2 usage). */
export interface CommandModule {
  /** Flags that take a value, for the parser. */
  valueFlags?: readonly string[];
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}
