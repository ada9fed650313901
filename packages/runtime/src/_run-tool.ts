import { redactSecrets } from "@genesis/core";
import type { ToolContext, ToolDefinition } from "./tool-registry.js";

/**
 * Execute one tool call and normalize its answer. Unknown tools and thrown errors become error
 * outputs the model can read and recover from; they never end the turn.
 */
export async function runToolCall(
  tool: ToolDefinition | undefined,
  name: string,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<{ output: string; isError: boolean }> {
  if (!tool) return { output: `Error: no tool named '${name}' is available.`, isError: true };
  try {
    const result = await tool.execute(args, ctx);
    if (typeof result === "string") return { output: result, isError: false };
    return { output: String(result.output), isError: result.isError === true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The hint says how to fix the call; the model can act on it (e.g. pick a supported size).
    const raw = (error as { hint?: unknown } | null)?.hint;
    const hint = typeof raw === "string" && raw ? ` Hint: ${raw}` : "";
    return { output: `Error: ${redactSecrets(message + hint)}`, isError: true };
  }
}
