import type { OpenAIRoute } from "./openai-route.js";
import { extraBodyOf, isOpenAINativeHost } from "./openai-route.js";
import type { ShapedRequest, TurnInputItem, TurnRequest } from "./turn-request.js";
import { attributionHeaders } from "./attribution-headers.js";
import { resolveServiceTier, shapeReasoning, useStrictTools } from "./shape-responses-request.js";
import { toStrictSchema } from "./_strict-schema.js";

/** Body fields `extra_body` may not override: they are what makes the call this call. */
const PINNED = new Set(["model", "messages", "stream", "stream_options", "tools"]);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) {
    const p = part as { text?: unknown };
    if (typeof p?.text === "string") out += p.text;
  }
  return out;
}

/**
 * Responses-form history to Chat Completions messages: consecutive function_call items fold
 * into one assistant message with `tool_calls`; reasoning and compaction items have no Chat
 * Completions form and are skipped.
 */
export function toChatMessages(instructions: string | undefined, input: readonly TurnInputItem[]): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  if (instructions) messages.push({ role: "system", content: instructions });
  let pendingCalls: Record<string, unknown>[] | undefined;
  const flush = () => {
    if (pendingCalls) messages.push({ role: "assistant", content: null, tool_calls: pendingCalls });
    pendingCalls = undefined;
  };
  for (const raw of input) {
    const item = raw as Record<string, unknown>;
    if (item.type === "function_call") {
      pendingCalls ??= [];
      pendingCalls.push({
        id: String(item.call_id),
        type: "function",
        function: { name: String(item.name), arguments: String(item.arguments ?? "{}") },
      });
      continue;
    }
    flush();
    if (item.type === "function_call_output") {
      messages.push({ role: "tool", tool_call_id: String(item.call_id), content: textOf(item.output) || String(item.output ?? "") });
    } else if (item.type === "message") {
      const role = item.role === "developer" ? "system" : String(item.role);
      messages.push({ role, content: textOf(item.content) });
    }
  }
  flush();
  return messages;
}

/**
 * Shape one Chat Completions call (OpenAI-compatible proxies, `api: "chat-completions"`).
 * `store` is stripped on non-native routes; `params.extra_body`/`extraBody` is merged last
 * (except model/messages/stream/tools).
 */
export function shapeChatRequest(route: OpenAIRoute, request: TurnRequest, ctx: { version?: string } = {}): ShapedRequest {
  const body: Record<string, unknown> = {
    model: route.modelId,
    messages: toChatMessages(request.instructions, request.input),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools && request.tools.length > 0) {
    const strict = useStrictTools(route);
    body.tools = request.tools.map((t) => {
      const strictSchema = strict ? toStrictSchema(t.parameters) : undefined;
      return {
        type: "function",
        function: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          parameters: strictSchema ?? t.parameters,
          ...(strictSchema ? { strict: true } : {}),
        },
      };
    });
  }
  const effort = shapeReasoning(route, request.reasoning)?.effort;
  if (typeof effort === "string") body.reasoning_effort = effort;
  if (request.text?.verbosity) body.verbosity = request.text.verbosity;
  if (request.maxOutputTokens !== undefined) body.max_completion_tokens = request.maxOutputTokens;
  const tier = resolveServiceTier(route, request.serviceTier);
  if (tier) body.service_tier = tier;
  const extra = extraBodyOf(route);
  if (extra) for (const [key, value] of Object.entries(extra)) if (!PINNED.has(key)) body[key] = value;
  // Proxies reject or mis-handle OpenAI's `store`; only native hosts keep it.
  if (!isOpenAINativeHost(route) && route.endpointClass !== "azure") delete body.store;
  return { body, headers: attributionHeaders(route, ctx.version) };
}
