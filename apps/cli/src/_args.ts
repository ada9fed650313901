/**
 * A dependency-free argv parser: `--flag`, `--key value`, `--key=value`, `-h`, positionals,
 * and `--` to end options. Commands declare which flags take values so `--json` never
 * swallows the next positional.
 */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Thrown for malformed command lines; the CLI exits 2. */
export class UsageError extends Error {
  readonly code = "usage";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseArgs(argv: readonly string[], valueFlags: ReadonlySet<string> = new Set()): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) {
        flags.set(name, arg.slice(eq + 1));
      } else if (valueFlags.has(name)) {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, next);
        i++;
      } else {
        flags.set(name, true);
      }
    } else if (arg === "-h") {
      flags.set("help", true);
    } else if (arg === "-v") {
      flags.set("version", true);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}

/** Reject flags a command does not know, naming the first offender. */
export function assertKnownFlags(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (name !== "help" && !known.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}

/** A string flag's value, or undefined; `--flag` without a value is a usage error. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}
