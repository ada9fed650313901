import { imageToolForced, renderImageCall } from "./_image-generation.js";
import { estimateTokens, type ScriptedTurn } from "./_turn.js";
import { allowedSources, citations, defaultSources, renderWebSearchCall, webSearchTool } from "./_web-search.js";

/**
 * Builds the full, pre-serialized event sequence of one Responses stream: created,
 * in_progress, each output item with its deltas, then the terminal event. Serializing up
 * front keeps the writers to one string concatenation and one write per frame.
 */

/** One pre-serialized stream event. */
export interface Frame {
  type: string;
  json: string;
}

/** Inputs besides the body and the turn. */
export interface LifecycleOptions {
  /** Response id (`resp_...`); item ids derive from it. */
  id: string;
  /** Seconds since epoch for `created_at`. */
  createdAt: number;
  /** Attach `encrypted_content` to reasoning items even when `include` does not ask (Codex backend). */
  alwaysEncryptReasoning?: boolean;
  /** WebSocket warm-up (`generate: false`): no output, no tokens. */
  warmup?: boolean;
  /**
   * Receives each event as it is built instead of collecting them in `frames` (which then
   * stays empty). The SSE fast path serializes straight into output buffers this way, so a
   * long stream never keeps thousands of young objects alive across GC scavenges.
   */
  sink?: (type: string, json: string) => void;
}

/** The built stream and the final Response object (what a non-streaming call returns). */
export interface Lifecycle {
  frames: Frame[];
  response: Record<string, unknown>;
}

/** Splits text into word-ish deltas ("Hello", " world", "!") without losing characters. */
export function chunkText(text: string): string[] {
  const out = text.match(/\s*\S+|\s+$/g);
  return out && out.length > 0 ? out : [text];
}

function padChunks(chunks: string[], target: number): string[] {
  if (chunks.length >= target) return chunks;
  const words = chunks.length > 0 && chunks.join("").trim() !== "" ? chunks : ["lorem"];
  const out = chunks.slice();
  for (let i = 0; out.length < target; i++) {
    const w = words[i % words.length]!;
    out.push(/^\s/.test(w) ? w : ` ${w}`);
  }
  return out;
}

const NO_REASONING = new Set(["none", "minimal"]);

function baseResponse(body: Record<string, unknown>, o: LifecycleOptions): Record<string, unknown> {
  const reasoning = body["reasoning"] as { effort?: unknown; summary?: unknown } | null | undefined;
  const tier = body["service_tier"];
  return {
    id: o.id,
    object: "response",
    created_at: o.createdAt,
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body["instructions"] ?? null,
    max_output_tokens: body["max_output_tokens"] ?? null,
    max_tool_calls: body["max_tool_calls"] ?? null,
    model: body["model"] ?? "gpt-5.4",
    output: [],
    parallel_tool_calls: body["parallel_tool_calls"] ?? true,
    previous_response_id: body["previous_response_id"] ?? null,
    prompt_cache_key: body["prompt_cache_key"] ?? null,
    reasoning: { effort: reasoning?.effort ?? null, summary: reasoning?.summary ?? null },
    safety_identifier: body["safety_identifier"] ?? null,
    // Like the real API, `auto` is reported as the tier actually used.
    service_tier: tier === undefined || tier === null || tier === "auto" ? "default" : tier,
    store: body["store"] ?? true,
    temperature: body["temperature"] ?? 1,
    text: body["text"] ?? { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body["tool_choice"] ?? "auto",
    tools: body["tools"] ?? [],
    top_logprobs: body["top_logprobs"] ?? 0,
    top_p: body["top_p"] ?? 1,
    truncation: body["truncation"] ?? "disabled",
    usage: null,
    user: body["user"] ?? null,
    metadata: body["metadata"] ?? {},
  };
}

function compactionDue(body: Record<string, unknown>, inputTokens: number): boolean {
  const cm = body["context_management"];
  if (!Array.isArray(cm)) return false;
  return cm.some((e: { type?: unknown; compact_threshold?: unknown }) => e?.type === "compaction" && (typeof e.compact_threshold !== "number" || inputTokens > e.compact_threshold));
}

/** Builds the event sequence for `turn` answering `body`. */
export function buildLifecycle(body: Record<string, unknown>, turn: ScriptedTurn, o: LifecycleOptions): Lifecycle {
  const frames: Frame[] = [];
  let seq = 0;
  const sink = o.sink ?? ((type: string, json: string): void => void frames.push({ type, json }));
  const push = (type: string, fields: string): void => {
    sink(type, `{"type":"${type}","sequence_number":${seq++}${fields}}`);
  };
  const response = baseResponse(body, o);
  push("response.created", `,"response":${JSON.stringify(response)}`);
  // A warm-up is acknowledged with created + completed only.
  if (!o.warmup) push("response.in_progress", `,"response":${JSON.stringify(response)}`);

  const status = o.warmup ? "completed" : (turn.status ?? "completed");
  const output: Record<string, unknown>[] = [];
  const suffix = o.id.startsWith("resp_") ? o.id.slice(5) : o.id;
  const inputTokens = turn.usage?.input ?? (o.warmup ? 0 : estimateTokens(body["input"]) + estimateTokens(body["instructions"]) + estimateTokens(body["tools"]));
  let outputChars = 0;
  let reasoningTokens = 0;

  const addItem = (item: Record<string, unknown>, stream: (idx: number, itemId: string) => Record<string, unknown>): void => {
    const idx = output.length;
    push("response.output_item.added", `,"output_index":${idx},"item":${JSON.stringify(item)}`);
    const done = stream(idx, item["id"] as string);
    push("response.output_item.done", `,"output_index":${idx},"item":${JSON.stringify(done)}`);
    output.push(done);
  };

  const produce = !o.warmup && (status !== "failed" || turn.text !== undefined || turn.toolCalls !== undefined);
  if (produce && (turn.compaction || compactionDue(body, inputTokens))) {
    const item = { type: "compaction", id: `cmp_${suffix}`, encrypted_content: Buffer.from(`compacted:${o.id}:${inputTokens}`).toString("base64") };
    addItem(item, () => item);
  }

  const reasoningParam = body["reasoning"] as { effort?: unknown; summary?: unknown } | null | undefined;
  const wantsReasoning = turn.reasoning !== undefined || (reasoningParam != null && !NO_REASONING.has(String(reasoningParam.effort)));
  if (produce && wantsReasoning) {
    const include = Array.isArray(body["include"]) ? (body["include"] as unknown[]) : [];
    const encrypted = o.alwaysEncryptReasoning || include.includes("reasoning.encrypted_content");
    const summaryText = turn.reasoning?.summary ?? (reasoningParam?.summary ? "Considering the request." : undefined);
    const id = `rs_${suffix}`;
    addItem({ id, type: "reasoning", summary: [] }, (idx) => {
      if (summaryText !== undefined) {
        const head = `,"item_id":"${id}","output_index":${idx},"summary_index":0`;
        push("response.reasoning_summary_part.added", `${head},"part":{"type":"summary_text","text":""}`);
        for (const d of chunkText(summaryText)) push("response.reasoning_summary_text.delta", `${head},"delta":${JSON.stringify(d)}`);
        push("response.reasoning_summary_text.done", `${head},"text":${JSON.stringify(summaryText)}`);
        push("response.reasoning_summary_part.done", `${head},"part":{"type":"summary_text","text":${JSON.stringify(summaryText)}}`);
      }
      reasoningTokens = turn.usage?.reasoning ?? 16 + estimateTokens(summaryText);
      const done: Record<string, unknown> = { id, type: "reasoning", summary: summaryText === undefined ? [] : [{ type: "summary_text", text: summaryText }] };
      if (encrypted) done["encrypted_content"] = turn.reasoning?.encryptedContent ?? Buffer.from(`reasoning:${o.id}`).toString("base64");
      return done;
    });
  }

  // The hosted image_generation tool, when forced by tool_choice or asked for by the script.
  const wantsImage = produce && (turn.imageGeneration ?? imageToolForced(body));
  if (wantsImage) {
    const id = `ig_${suffix}`;
    addItem({ type: "image_generation_call", id, status: "in_progress", result: null }, (idx) => {
      const head = `,"output_index":${idx},"item_id":"${id}"`;
      push("response.image_generation_call.in_progress", head);
      push("response.image_generation_call.generating", head);
      const done = renderImageCall(body, id);
      push("response.image_generation_call.completed", head);
      outputChars += 1024;
      return done;
    });
  }

  // The hosted web_search tool: only when the script asks for a search and the request offers it.
  const searchTool = produce && turn.webSearch ? webSearchTool(body) : undefined;
  let cited: { url: string; title?: string }[] = [];
  if (searchTool && turn.webSearch) {
    const search = turn.webSearch;
    const id = `ws_${suffix}`;
    cited = allowedSources(searchTool, search.sources ?? defaultSources(search.query));
    addItem({ type: "web_search_call", id, status: "in_progress", action: { type: "search" } }, (idx) => {
      const head = `,"output_index":${idx},"item_id":"${id}"`;
      push("response.web_search_call.in_progress", head);
      push("response.web_search_call.searching", head);
      push("response.web_search_call.completed", head);
      return renderWebSearchCall(body, id, search, cited);
    });
  }

  const hasTools = (turn.toolCalls?.length ?? 0) > 0 || wantsImage;
  const scriptedText = turn.text ?? (hasTools ? undefined : searchTool ? `Here is what I found about ${turn.webSearch!.query}.` : "");
  if (produce && scriptedText !== undefined && (scriptedText !== "" || !hasTools)) {
    let text = scriptedText;
    const id = `msg_${suffix}`;
    const itemStatus = status === "incomplete" ? "incomplete" : "completed";
    addItem({ id, type: "message", status: "in_progress", role: "assistant", content: [] }, (idx) => {
      const head = `,"item_id":"${id}","output_index":${idx},"content_index":0`;
      push("response.content_part.added", `${head},"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}`);
      let chunks = chunkText(text);
      if (turn.events !== undefined) {
        chunks = padChunks(chunks, turn.events - seq - 6);
        text = chunks.join("");
      }
      for (const d of chunks) push("response.output_text.delta", `${head},"delta":${JSON.stringify(d)},"logprobs":[]`);
      const t = JSON.stringify(text);
      push("response.output_text.done", `${head},"text":${t},"logprobs":[]`);
      const part = `{"type":"output_text","text":${t},"annotations":${JSON.stringify(citations(text, cited))},"logprobs":[]}`;
      push("response.content_part.done", `${head},"part":${part}`);
      outputChars += text.length;
      return { id, type: "message", status: itemStatus, role: "assistant", content: [JSON.parse(part) as unknown] };
    });
  }

  if (produce) {
    turn.toolCalls?.forEach((call, n) => {
      const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
      const id = `fc_${suffix}_${n}`;
      const callId = call.callId ?? `call_${suffix}_${n}`;
      addItem({ id, type: "function_call", status: "in_progress", arguments: "", call_id: callId, name: call.name }, (idx) => {
        const head = `,"item_id":"${id}","output_index":${idx}`;
        for (let i = 0; i < args.length; i += 16) push("response.function_call_arguments.delta", `${head},"delta":${JSON.stringify(args.slice(i, i + 16))}`);
        push("response.function_call_arguments.done", `${head},"name":${JSON.stringify(call.name)},"arguments":${JSON.stringify(args)}`);
        outputChars += args.length + call.name.length;
        return { id, type: "function_call", status: "completed", arguments: args, call_id: callId, name: call.name };
      });
    });
  }

  const cached = Math.min(turn.usage?.cached ?? 0, inputTokens);
  const outputTokens = turn.usage?.output ?? (o.warmup ? 0 : Math.ceil(outputChars / 4) + reasoningTokens);
  const final: Record<string, unknown> = {
    ...response,
    status,
    output,
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: inputTokens + outputTokens,
    },
  };
  if (status === "incomplete") final["incomplete_details"] = { reason: turn.incompleteReason ?? "max_output_tokens" };
  if (status === "failed") final["error"] = turn.error ?? { code: "server_error", message: "The model failed to generate a response." };
  push(`response.${status}`, `,"response":${JSON.stringify(final)}`);
  return { frames, response: final };
}
