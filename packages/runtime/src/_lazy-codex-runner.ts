import type { CodexTurnRunnerOptions } from "./codex/codex-turn-runner.js";
// Plain planning (no client, no process): /status must not load the harness.
import { planCodexServiceTier } from "./codex/codex-service-tier.js";
import { RUNTIME_LABELS, type RunnerStatus, type TurnRunner } from "./turn-runner.js";

/**
 * The `codex` runner {@link createAgent} uses when none is given: the Codex app-server harness,
 * imported on the first codex turn, so agents that never run a codex session load none of it
 * and need no `codex` binary. Status is the real runner's once loaded (transport `app-server`);
 * before that, the route's service tier as Codex would treat it (priority not yet confirmed).
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
    status(sessionId, route): RunnerStatus {
      // Before the first turn nothing is running yet, but the wire is already known, and so is
      // the tier plan: with Codex's catalog unread, priority is "unconfirmed", never claimed.
      return loaded?.status?.(sessionId, route) ?? {
        transport: "app-server",
        ...(route ? { serviceTier: planCodexServiceTier(route.serviceTier, route.modelId, undefined) } : {}),
      };
    },
    async close() {
      const runner = loading ? await loading.catch(() => undefined) : undefined;
      await runner?.close?.();
    },
  };
}
