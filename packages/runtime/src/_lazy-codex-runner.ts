import type { CodexTurnRunnerOptions } from "./codex/codex-turn-runner.js";
import { RUNTIME_LABELS, type RunnerStatus, type TurnRunner } from "./turn-runner.js";

/**
 * The `codex` runner {@link createAgent} uses when none is given: the Codex app-server harness,
 * imported on the first codex turn, so agents that never run a codex session load none of it
 * and need no `codex` binary. Status is the real runner's once loaded (transport `app-server`).
 */
export function lazyCodexRunner(options: CodexTurnRunnerOptions): TurnRunner {
  let loading: Promise<TurnRunner> | undefined;
  let loaded: TurnRunner | undefined;
  const load = () =>
    (loading ??= import("./codex/codex-turn-runner.js").then((m) => (loaded = m.createCodexTurnRunner(options))));
  return {
    id: "codex",
    label: RUNTIME_LABELS.codex,
    async *runTurn(input, runOptions) {
      const runner = await load();
      yield* runner.runTurn(input, runOptions);
    },
    status(sessionId): RunnerStatus {
      // Before the first turn nothing is running yet, but the wire is already known.
      return loaded?.status?.(sessionId) ?? { transport: "app-server" };
    },
    async close() {
      const runner = loading ? await loading.catch(() => undefined) : undefined;
      await runner?.close?.();
    },
  };
}
