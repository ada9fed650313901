import type { Agent } from "@genesis/runtime";
import { UsageError } from "../_args.js";

/** Split `/tool name key="a b" n=3` into words, honouring single and double quotes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === "\\" && line[i + 1] === quote) cur += line[++i];
      else if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) words.push(cur);
      cur = "";
      any = false;
    } else {
      cur += ch;
    }
  }
  if (quote) throw new UsageError("unterminated quote");
  if (cur || any) words.push(cur);
  return words;
}

/**
 * `key=value` pairs; values that read as JSON numbers, booleans or null become those. A key given
 * more than once becomes an array in order (`image=a.png image=b.png`), which is how a tool that
 * takes a list (several reference images) is called from the prompt.
 */
export function parseToolArgs(words: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const repeated = new Set<string>();
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected key=value, got '${word}'`);
    const key = word.slice(0, eq);
    const raw = word.slice(eq + 1);
    const value: unknown = /^(?:-?\d+(?:\.\d+)?|true|false|null)$/.test(raw) ? JSON.parse(raw) : raw;
    if (!Object.hasOwn(args, key)) args[key] = value;
    else if (repeated.has(key)) (args[key] as unknown[]).push(value);
    else {
      repeated.add(key);
      args[key] = [args[key], value];
    }
  }
  return args;
}

/** The chat session's mutable state. */
export interface ChatState {
  sessionId: string;
  /** Set by `/exit`. */
  exit: boolean;
}

/** What `/help` prints. */
export const CHAT_HELP = [
  "/status                 model, route, runtime, transport, fast mode, tokens",
  "/fast status|on|off     fast mode (priority processing) for this session; /fast default clears it",
  "/new, /reset            start a fresh session (picks up config changes)",
  "/model REF              switch this session's model",
  "/tool NAME key=value    run a tool directly (repeat a key for a list: image=a.png image=b.png)",
  "/exit                   leave (Ctrl-C aborts a running turn)",
].join("\n");

/**
 * Run one slash command. Returns the text to print. Errors the user can fix come back as
 * thrown `UsageError`/`GenesisError`s, which the chat loop prints without exiting.
 */
export async function runSlashCommand(agent: Agent, state: ChatState, line: string, cwd: string): Promise<string> {
  const words = splitWords(line.slice(1));
  const [name = "", ...rest] = words;
  switch (name) {
    case "help":
      return CHAT_HELP;
    case "exit":
    case "quit":
      state.exit = true;
      return "bye";
    case "status": {
      const { formatStatus } = await import("@genesis/runtime");
      return formatStatus(await agent.status(state.sessionId));
    }
    case "fast": {
      const sub = (rest[0] ?? "status").toLowerCase();
      if (sub === "on" || sub === "off") await agent.setOverride(state.sessionId, "fastMode", sub === "on");
      else if (sub === "default" || sub === "clear") await agent.clearOverride(state.sessionId, "fastMode");
      else if (sub !== "status") throw new UsageError("usage: /fast status|on|off|default");
      const s = await agent.status(state.sessionId);
      // The runner knows best whether the tier reaches the wire (the Codex harness drops it for
      // models its catalog offers no priority tier for): its note wins over the generic one.
      const tier = s.serviceTier ? `; service_tier: ${s.serviceTier}` : "";
      const note = s.serviceTierNote ? `; service_tier ${s.serviceTierNote}` : !s.serviceTier && s.fastMode ? "; service_tier not sent on this endpoint" : "";
      return `Fast mode: ${s.fastMode ? "on" : "off"} (${s.fastModeSource})${tier}${note}`;
    }
    case "new":
    case "reset": {
      const session = await agent.createSession();
      state.sessionId = session.id;
      const s = await agent.status(session.id);
      return `New session ${session.id}: ${s.model} (Runtime: ${s.runtimeLabel})`;
    }
    case "model": {
      if (!rest[0]) throw new UsageError("usage: /model REF (e.g. /model openai/gpt-5.4-mini)");
      const route = await agent.setModel(state.sessionId, rest[0]);
      return `Model: ${route.ref} via ${route.endpointClass} (${route.baseUrl})${route.blockers[0] ? `\n  warning: ${route.blockers[0].message} ${route.blockers[0].hint}` : ""}`;
    }
    case "tool": {
      const toolName = rest[0];
      if (!toolName) throw new UsageError(`usage: /tool NAME key=value ... (tools: ${agent.tools.list().map((t) => t.name).join(", ")})`);
      const tool = agent.tools.get(toolName);
      if (!tool) throw new UsageError(`no tool '${toolName}' (tools: ${agent.tools.list().map((t) => t.name).join(", ")})`);
      const result = await tool.execute(parseToolArgs(rest.slice(1)), { sessionId: state.sessionId, cwd, signal: new AbortController().signal });
      return typeof result === "string" ? result : `${result.isError ? "error: " : ""}${result.output}`;
    }
    default:
      throw new UsageError(`unknown command /${name}; /help lists them`);
  }
}
