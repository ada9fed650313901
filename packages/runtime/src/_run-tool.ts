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
    return { output: `Error: ${redactSecrets(message)}`, isError: true };
  }
}
