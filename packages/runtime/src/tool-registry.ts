import { ValidationError } from "@genesis/core";

/** JSON Schema (draft 2020-12 subset OpenAI accepts) describing a tool's arguments object. */
export type JsonSchema = Record<string, unknown>;

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  sessionId: string;
  /** Root directory file tools must stay inside. */
  cwd: string;
  /** Aborted when the user cancels the turn; long tools must honour it. */
  signal: AbortSignal;
}

/** A tool's answer: plain text, or text flagged as an error (fed back to the model either way). */
export type ToolResult = string | { output: string; isError?: boolean };

/**
 * A function tool the model can call. `parameters` is a JSON Schema object; providers make it
 * strict (all properties required, no extra properties) on native OpenAI routes.
 */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> | ToolResult;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The set of tools an agent offers. Packages (image_generate, ...) and embedding apps register
 * into it; the runtime reads it at the start of every turn, so later registrations apply to the
 * next turn.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, ToolDefinition>();

  /**
   * Add a tool. Throws `ValidationError` for a bad name or a duplicate (pass `replace: true` to
   * swap an existing tool on purpose). Returns a function that removes it again.
   */
  register(tool: ToolDefinition, options: { replace?: boolean } = {}): () => void {
    if (!NAME.test(tool.name)) {
      throw new ValidationError(`tool name '${tool.name.slice(0, 80)}' is not valid`, {
        path: "name",
        hint: "Use 1-64 letters, digits, '_' or '-' (the limit OpenAI puts on function names).",
      });
    }
    if (typeof tool.execute !== "function") {
      throw new ValidationError(`tool '${tool.name}' has no execute function`, { path: "execute" });
    }
    if (tool.parameters?.type !== "object") {
      throw new ValidationError(`tool '${tool.name}' parameters must be a JSON Schema with type "object"`, {
        path: "parameters",
        hint: 'Describe the arguments as { type: "object", properties: {...} }.',
      });
    }
    if (this.#tools.has(tool.name) && !options.replace) {
      throw new ValidationError(`tool '${tool.name}' is already registered`, {
        code: "tool_duplicate",
        hint: "Pass { replace: true } to replace it.",
      });
    }
    this.#tools.set(tool.name, tool);
    return () => {
      if (this.#tools.get(tool.name) === tool) this.#tools.delete(tool.name);
    };
  }

  /** Remove a tool by name; returns whether it was present. */
  unregister(name: string): boolean {
    return this.#tools.delete(name);
  }

  get(name: string): ToolDefinition | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Every tool, in registration order. */
  list(): ToolDefinition[] {
    return [...this.#tools.values()];
  }
}
