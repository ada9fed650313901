import type { OutputItem } from "@genesis/core";

/** A function tool offered to the model (JSON Schema parameters). */
export interface CodexToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/**
 * One input item: a plain message, a tool result, or an item the server produced earlier
 * (reasoning with `encrypted_content`, function_call, message ...) replayed verbatim.
 */
export type CodexInputItem =
  | { type: "message"; role: "user" | "assistant" | "system" | "developer"; content: string | unknown[] }
  | { type: "function_call_output"; call_id: string; output: string }
  | OutputItem;

/** Native web search on the Codex backend (core's `RouteWebSearch` when its status is `native`). */
export interface CodexWebSearch {
  /** `live` (default) lets the search fetch pages; `cached` answers from OpenAI's index only. */
  mode?: "cached" | "live";
  /** Sent as `search_context_size`. */
  contextSize?: "low" | "medium" | "high";
  /** Sent as `filters.allowed_domains`. */
  allowedDomains?: readonly string[];
}

/** What a caller asks the openai-codex provider for in one model call. */
export interface CodexTurnRequest {
  /** The provider's model id, e.g. `gpt-5.5` (from `openai-codex/gpt-5.5`). */
  model: string;
  /** Conversation id: sent as `prompt_cache_key` and the `session_id` header. */
  sessionId: string;
  /** Stable across retries of this turn; default a random UUID. */
  turnId?: string;
  /** Sent as `instructions` (the Codex backend requires it; never duplicated into input). */
  instructions?: string;
  /** The whole history plus the new input: the backend keeps no state (`store: false`). */
  input: readonly CodexInputItem[];
  tools?: readonly CodexToolSpec[];
  reasoning?: { effort?: string; summary?: string };
  text?: { verbosity?: string };
  /** Explicit tier; wins over `fastMode`. Only sent to native Codex endpoints. */
  serviceTier?: "auto" | "default" | "flex" | "priority";
  /** Maps to `service_tier: "priority"` when no tier is set (native endpoints only). */
  fastMode?: boolean;
  /** Offer the hosted `web_search` tool (see {@link codexWebSearchTool}). */
  webSearch?: CodexWebSearch;
}

/** Instructions used when the caller gives none: the backend rejects an empty field. */
export const DEFAULT_CODEX_INSTRUCTIONS = "You are a helpful assistant.";

/** True for ChatGPT's own Codex backend (`chatgpt.com/backend-api`), where `service_tier` is honoured. */
export function isNativeCodexEndpoint(baseUrl: string): boolean {
  try {
    const url = new URL(baseUrl);
    const host = url.hostname.toLowerCase();
    return url.protocol === "https:" && (host === "chatgpt.com" || host.endsWith(".chatgpt.com")) && url.pathname.startsWith("/backend-api");
  } catch {
    return false;
  }
}

/**
 * The Codex backend's `web_search` tool. The mode maps to `external_web_access` exactly as
 * the Codex CLI does it (openai/codex `codex-rs/core/src/tools/hosted_spec.rs`,
 * `create_web_search_tool`: `WebSearchMode::Cached` → `false`, `WebSearchMode::Live` → `true`;
 * the field is declared on `ToolSpec::WebSearch` in `codex-rs/tools/src/tool_spec.rs` next to
 * `filters`, `user_location` and `search_context_size`, which the CLI fills from its web
 * search config). The public OpenAPI `WebSearchTool` declares the same field (default true).
 */
export function codexWebSearchTool(search: CodexWebSearch): Record<string, unknown> {
  return {
    type: "web_search",
    external_web_access: (search.mode ?? "live") === "live",
    ...(search.contextSize ? { search_context_size: search.contextSize } : {}),
    ...(search.allowedDomains && search.allowedDomains.length > 0 ? { filters: { allowed_domains: [...search.allowedDomains] } } : {}),
  };
}

/**
 * The CreateResponse body for the Codex backend: `store: false` (it rejects stored
 * responses), `stream: true`, encrypted reasoning requested so it can be replayed next turn,
 * `prompt_cache_key` = session id, and `service_tier` only on native endpoints.
 */
export function buildCodexRequestBody(request: CodexTurnRequest, options: { native: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    instructions: request.instructions?.trim() ? request.instructions : DEFAULT_CODEX_INSTRUCTIONS,
    input: request.input.map(replayable),
    store: false,
    stream: true,
    include: ["reasoning.encrypted_content"],
    prompt_cache_key: request.sessionId,
  };
  const tools: Record<string, unknown>[] = (request.tools ?? []).map((t) => ({
    type: "function",
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    parameters: t.parameters,
    // Codex compat: schemas are not forced strict (optional fields would become required).
    strict: false,
  }));
  if (request.webSearch) tools.push(codexWebSearchTool(request.webSearch));
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = "auto";
    body.parallel_tool_calls = true;
  }
  if (request.reasoning && (request.reasoning.effort || request.reasoning.summary)) {
    body.reasoning = { ...(request.reasoning.effort ? { effort: request.reasoning.effort } : {}), summary: request.reasoning.summary ?? "auto" };
  }
  if (request.text?.verbosity) body.text = { verbosity: request.text.verbosity };
  const tier = request.serviceTier ?? (request.fastMode ? "priority" : undefined);
  if (tier && options.native) body.service_tier = tier;
  return body;
}

/**
 * Replay an item as input, verbatim: reasoning keeps `encrypted_content` (the backend stores
 * nothing, so this is the only way the model sees its earlier reasoning). The input schema
 * requires `summary` on reasoning items, so a missing one becomes `[]`.
 */
function replayable(item: CodexInputItem): Record<string, unknown> {
  if (item.type === "reasoning") {
    const rest = item as Record<string, unknown>;
    return Array.isArray(rest.summary) ? rest : { ...rest, summary: [] };
  }
  return item as Record<string, unknown>;
}
