import type { ScriptedWebSearch } from "./_web-search.js";

/**
 * Scripted turns: what the emulator answers on the Responses endpoints, plus the helpers that
 * derive a default reply and token estimates from a request body.
 */

/** One scripted model reply, streamed (or returned) by the Responses endpoints. */
export interface ScriptedTurn {
  /** Assistant text, streamed as several `response.output_text.delta` events. */
  text?: string;
  /** Function calls, each streamed with `response.function_call_arguments.delta` events. */
  toolCalls?: { name: string; arguments: string | object; callId?: string }[];
  /** A reasoning item (summary streamed as summary deltas; encrypted content when included). */
  reasoning?: { summary?: string; encryptedContent?: string };
  /** Token counts; omitted fields are estimated from the request and the reply. */
  usage?: { input?: number; cached?: number; output?: number; reasoning?: number };
  /** Terminal status; default `completed`. */
  status?: "completed" | "incomplete" | "failed";
  /** `incomplete_details.reason` for `incomplete` (default `max_output_tokens`). */
  incompleteReason?: string;
  /** `response.error` for `failed` (default `server_error`). */
  error?: { code: string; message: string };
  /** Emit a compaction output item (also automatic when `context_management` is exceeded). */
  compaction?: boolean;
  /**
   * Emit an `image_generation_call` item (needs an `image_generation` tool in the request).
   * Default: only when `tool_choice` forces that tool.
   */
  imageGeneration?: boolean;
  /**
   * A server-side web search before the text: a `web_search_call` item with its
   * `response.web_search_call.*` events. Needs a `web_search` tool in the request (ignored
   * otherwise). `sources` default to one example.com page; `filters.allowed_domains` applies.
   */
  webSearch?: ScriptedWebSearch;
  /** Pad the stream to roughly this many events with extra text deltas (benchmarks). */
  events?: number;
}

/** A scripted turn, or a function of the request body that returns one. */
export type ScriptedTurnInput = ScriptedTurn | ((body: Record<string, unknown>) => ScriptedTurn);

/** FIFO of scripted turns shared by `/v1/responses` and the Codex backend. */
export class TurnQueue {
  #queue: ScriptedTurnInput[] = [];

  push(...turns: ScriptedTurnInput[]): void {
    this.#queue.push(...turns);
  }

  get pending(): number {
    return this.#queue.length;
  }

  clear(): void {
    this.#queue = [];
  }

  /** The next scripted turn for `body`, or undefined when the queue is empty. */
  next(body: Record<string, unknown>): ScriptedTurn | undefined {
    const t = this.#queue.shift();
    return typeof t === "function" ? t(body) : t;
  }
}

function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const p of content) {
    if (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string") {
      const type = (p as { type?: unknown }).type;
      if (type === undefined || type === "input_text" || type === "text") out += (out ? " " : "") + (p as { text: string }).text;
    }
  }
  return out;
}

/** The text of the last user message in a Responses `input` (string or item list). */
export function lastUserText(input: unknown): string | undefined {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return undefined;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i] as { role?: unknown; type?: unknown; content?: unknown } | null;
    if (item && item.role === "user" && (item.type === undefined || item.type === "message")) return partsText(item.content);
  }
  return undefined;
}

/** The reply used when no turn is scripted: `defaultReply`, else `Echo: <last user text>`. */
export function defaultTurn(body: Record<string, unknown>, defaultReply: string | undefined): ScriptedTurn {
  if (defaultReply !== undefined) return { text: defaultReply };
  const text = lastUserText(body["input"]);
  return { text: text ? `Echo: ${text}` : "Hello from the Genesis emulator." };
}

/** Rough token count (4 characters per token), deterministic and cheap. */
export function estimateTokens(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return Math.ceil(s.length / 4);
}
