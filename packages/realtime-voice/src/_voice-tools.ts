import { ValidationError, redactSecrets } from "@genesis/core";
import { z } from "zod";
import { RealtimeToolError } from "./realtime-errors.js";

/** A function the model may call during a voice session. */
export interface RealtimeTool {
  /** 1-64 letters, digits, `_` or `-`. */
  name: string;
  /** Tells the model when to call it. */
  description?: string;
  /** JSON Schema of the arguments object; default `{type: "object", properties: {}}`. */
  parameters?: Record<string, unknown>;
  /**
   * Runs the call. A string result is sent as is, anything else as JSON; a throw is reported
   * to the model as `{"error": message}` and as a `tool-call` event with `error` set.
   * `signal` aborts when the session closes.
   */
  execute(args: unknown, context: { callId: string; signal: AbortSignal }): unknown;
}

const toolSchema = z.object({
  name: z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1-64 letters, digits, _ or -" }),
  description: z.string({ error: "must be a string" }).optional(),
  parameters: z.record(z.string(), z.unknown(), { error: "must be a JSON Schema object" }).optional(),
  execute: z.custom<RealtimeTool["execute"]>((v) => typeof v === "function", { error: "must be a function" }),
});

/** Validates the tool list; returns it keyed by name. */
export function checkTools(tools: unknown): Map<string, RealtimeTool> {
  const out = new Map<string, RealtimeTool>();
  if (tools === undefined) return out;
  if (!Array.isArray(tools)) throw new ValidationError("options.tools must be an array of tools.", { path: "options.tools", hint: "Pass [{ name, description, parameters, execute }]." });
  tools.forEach((tool, index) => {
    const result = toolSchema.safeParse(tool);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const path = `options.tools[${index}].${issue.path.join(".")}`;
      throw new ValidationError(`${path}: ${issue.message}.`, { path, hint: "Each tool needs a name, an execute function and optionally a JSON Schema in parameters." });
    }
    if (out.has(result.data.name)) {
      throw new ValidationError(`options.tools[${index}].name: "${result.data.name}" is used twice.`, { path: `options.tools[${index}].name`, hint: "Give every tool a distinct name." });
    }
    out.set(result.data.name, tool as RealtimeTool);
  });
  return out;
}

/** The GA session `tools` entries. */
export function wireTools(tools: Map<string, RealtimeTool>): Record<string, unknown>[] {
  return [...tools.values()].map((t) => ({
    type: "function",
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    parameters: t.parameters ?? { type: "object", properties: {} },
  }));
}

/** The outcome of one call: what is sent back to the model, and the error if it failed. */
export interface ToolRun {
  callId: string;
  name: string;
  arguments: string;
  output: string;
  error: RealtimeToolError | undefined;
}

/** Runs one function call; never throws (failures become the output the model sees). */
export async function runTool(
  tools: Map<string, RealtimeTool>,
  call: { callId: string; name: string; arguments: string },
  signal: AbortSignal,
  secrets: string[],
): Promise<ToolRun> {
  const fail = (message: string, cause?: unknown): ToolRun => {
    const error = new RealtimeToolError({ toolName: call.name, callId: call.callId, message, secrets, cause });
    return { ...call, output: JSON.stringify({ error: redactSecrets(message, secrets) }), error };
  };
  const tool = tools.get(call.name);
  if (!tool) return fail(`unknown tool "${call.name}"`);
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch (cause) {
    return fail("the arguments are not valid JSON", cause);
  }
  try {
    const result = await tool.execute(args, { callId: call.callId, signal });
    const output = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return { ...call, output, error: undefined };
  } catch (cause) {
    return fail(cause instanceof Error ? cause.message : String(cause), cause);
  }
}
