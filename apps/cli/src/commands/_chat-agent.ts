import type { Agent, AgentEvent } from "@genesis/runtime";

/**
 * Build the agent the CLI uses: JSONL sessions under $GENESIS_HOME, the built-in tools, the
 * default `pi` runtime, and the Codex app-server runtime (createAgent's default, loaded only
 * when a codex session runs a turn, with the CLI's environment).
 */
export async function createCliAgent(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Promise<Agent> {
  const runtime = await import("@genesis/runtime");
  return runtime.createAgent({ env, cwd });
}

/** Writes a turn's events for people: streamed text on stdout, tool activity on stderr. */
export function createRenderer(out: NodeJS.WritableStream, err: NodeJS.WritableStream): (event: AgentEvent) => void {
  let midLine = false;
  const text = (s: string) => {
    out.write(s);
    midLine = !s.endsWith("\n");
  };
  const note = (s: string) => {
    if (midLine) text("\n");
    err.write(`${s}\n`);
  };
  return (event) => {
    switch (event.type) {
      case "text.delta":
        return text(event.delta);
      case "tool.call":
        return note(`[tool] ${event.name} ${event.arguments}`);
      case "tool.result":
        return note(`[tool] ${event.name} ${event.isError ? "failed" : "->"} ${event.output.length > 200 ? `${event.output.slice(0, 200)}...` : event.output}`.trimEnd());
      case "plan.updated":
        return note(`[plan] ${event.plan.map((s) => `${s.status === "completed" ? "x" : s.status === "in_progress" ? ">" : " "} ${s.step}`).join(" | ")}`);
      case "turn.retry":
        return note(`[strict-agentic] plan-only reply; retrying with an act-now steer (${event.attempt})`);
      case "notice":
        return note(`[note] ${event.message}`);
      case "turn.done":
        if (midLine) text("\n");
        if (event.outcome === "aborted") note("[aborted]");
        else if (event.outcome !== "completed") note(`[${event.outcome}] ${event.reason ?? ""}`.trimEnd());
        return;
      default:
        return;
    }
  };
}
