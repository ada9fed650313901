import type { CommandModule } from "./_context.js";

/** One entry of the lazy command table. `path` is the words that select it. */
export interface CommandEntry {
  path: readonly string[];
  summary: string;
  /** Loaded only when the command runs, so `--help` imports nothing heavy. */
  load: () => Promise<CommandModule>;
}

/**
 * Every command. Longest path wins, so `models auth list` beats `models`.
 * Keep summaries short: they are the whole of `genesis --help`.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { path: ["config", "path"], summary: "Print the config file path", load: () => import("./commands/config-path.js") },
];
