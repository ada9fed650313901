import { COMMANDS, type CommandEntry } from "./commands.js";

/**
 * The `genesis` entry point. Deliberately tiny: it imports no package until a command
 * is chosen, so `genesis --help` costs little more than starting Node.
 */

function helpText(): string {
  const rows = COMMANDS.map((c) => `  ${c.path.join(" ").padEnd(28)}${c.summary}`);
  return [
    "Usage: genesis <command> [options]",
    "",
    "Route an agent's model traffic to the OpenAI family (API key, ChatGPT/Codex sign-in,",
    "the Codex app-server, Azure and OpenAI-compatible endpoints).",
    "",
    "Commands:",
    ...rows,
    "",
    "Options:",
    "  -h, --help                  Show help (also after a command)",
    "  -v, --version               Print the version",
    "",
    "Environment: GENESIS_HOME (default ~/.genesis), GENESIS_CONFIG (config file override).",
  ].join("\n");
}

function findCommand(words: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const entry of COMMANDS) {
    const matches = entry.path.every((w, i) => words[i] === w);
    if (matches && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best ? { entry: best, rest: words.slice(best.path.length) } : undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  const first = argv[0];
  const stdout = exitQuietlyOnEpipe(process.stdout);
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    stdout.write(`${helpText()}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v") {
    stdout.write(`${__GENESIS_VERSION__}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const stderr = exitQuietlyOnEpipe(process.stderr);
    const group = COMMANDS.filter((c) => c.path[0] === first);
    if (group.length > 0) {
      stderr.write(`genesis ${first}: choose a subcommand:\n${group.map((c) => `  genesis ${c.path.join(" ")}  ${c.summary}`).join("\n")}\n`);
    } else if (first.startsWith("-")) {
      stderr.write(`genesis: unknown option '${first}'. Options go after the command; run 'genesis --help'.\n`);
    } else {
      stderr.write(`genesis: unknown command '${first}'. Run 'genesis --help' for the list.\n`);
    }
    return 2;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("interrupted"));
  process.on("SIGINT", onSigint);
  try {
    // The parser is shared with the commands, so it is a chunk of its own: import it only now.
    const [mod, { parseArgs }] = await Promise.all([found.entry.load(), import("./_args.js")]);
    const args = parseArgs(found.rest, new Set(mod.valueFlags ?? []));
    if (args.flags.get("help") === true) {
      stdout.write(`${mod.usage}\n`);
      return 0;
    }
    return await mod.run({
      argv: found.rest,
      args,
      env: process.env,
      stdout,
      // Getters: a command that never uses stderr or stdin never creates their streams
      // (a pipe socket or TTY handle each, several ms of start-up).
      get stderr() {
        return exitQuietlyOnEpipe(process.stderr);
      },
      get stdin() {
        return process.stdin;
      },
      signal: controller.signal,
    });
  } catch (error) {
    // Errors from outside Genesis (a fetch failure quoting a URL, say) may carry secrets;
    // our own are built redacted, but scrub every message on its way out regardless.
    const { redactSecrets } = await import("@genesis/core/lite");
    return reportError(error, redactSecrets);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/**
 * Print an error the way users should see it and pick the exit code: 2 for usage errors
 * (`UsageError` from _args.ts and core's `invalid_argument`), 1 for everything else.
 */
export function reportError(error: unknown, redact: (text: string) => string = (t) => t): number {
  const e = error as { describe?: () => string; message?: string; code?: string };
  const text = typeof e?.describe === "function" ? e.describe() : String(e?.message ?? error);
  process.stderr.write(`genesis: ${redact(text)}\n`);
  return e?.code === "usage" || e?.code === "invalid_argument" ? 2 : 1;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * `genesis models list | head` closes our stdout early; that is the reader's choice, not a
 * failure. Called per stream as it is first needed: merely touching `process.stderr` builds
 * a pipe socket (~5 ms), which `--help` and a quiet `models list` have no reason to pay for.
 */
function exitQuietlyOnEpipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return stream;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
