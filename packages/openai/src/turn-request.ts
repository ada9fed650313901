/**
 * A provider-neutral description of one model call, built by the runtime and shaped into a
 * Responses or Chat Completions body by this package.
 */

/** A function tool offered to the model. `parameters` is a JSON Schema object. */
export interface FunctionToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/**
 * One input item in Responses form: a message, or an item the server produced earlier
 * (function_call, reasoning, compaction, ...) replayed verbatim, or a function_call_output.
 */
export type TurnInputItem =
  | { type: "message"; role: "user" | "assistant" | "system" | "developer"; content: string | unknown[] }
  | { type: "function_call_output"; call_id: string; output: string }
  | ({ type: string } & Record<string, unknown>);

/** What the runtime asks for; shaping adds the route's rules on top. */
export interface TurnRequest {
  /** System/developer instructions (sent as `instructions`, or a system message on Chat Completions). */
  instructions?: string;
  input: readonly TurnInputItem[];
  tools?: readonly FunctionToolSpec[];
  /** e.g. `{ effort: "none" }`; an unsupported `none` is dropped on shaping. */
  reasoning?: { effort?: string; summary?: string };
  /** e.g. `{ verbosity: "low" }`; never rewritten by fast mode. */
  text?: { verbosity?: string };
  /** An explicit tier for this call; preserved over fast mode and `params.serviceTier`. */
  serviceTier?: string;
  maxOutputTokens?: number;
  /** Forwarded as `previous_response_id` (Responses only). */
  previousResponseId?: string;
}

/** A shaped request: the exact body and extra headers (auth excluded) to send. */
export interface ShapedRequest {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
