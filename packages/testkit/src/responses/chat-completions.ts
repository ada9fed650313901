import type { CoreReply, EmulatorCore } from "../_core.js";
import { openaiError } from "../_router.js";
import type { EmulatorRequest } from "../_types.js";
import { chunkText, type Frame } from "./_lifecycle.js";
import { sseHeaders, streamSseChunks, writeSse } from "./_sse-writer.js";
import { defaultTurn, estimateTokens, lastUserText, type ScriptedTurn } from "./_turn.js";

/**
 * `POST /v1/chat/completions` (what OpenAI-compatible endpoints speak): the same scripted
 * turns as the Responses endpoints, as a `chat.completion` object or a stream of
 * `chat.completion.chunk` frames (bare `data:` lines, then `data: [DONE]`).
 */

const FINISH: Record<string, string> = { completed: "stop", incomplete: "length" };

function usageOf(body: Record<string, unknown>, turn: ScriptedTurn, outChars: number): Record<string, unknown> {
  const prompt = turn.usage?.input ?? estimateTokens(body["messages"]) + estimateTokens(body["tools"]);
  const reasoning = turn.usage?.reasoning ?? (turn.reasoning ? 16 + estimateTokens(turn.reasoning.summary) : 0);
  const completion = turn.usage?.output ?? Math.ceil(outChars / 4) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: Math.min(turn.usage?.cached ?? 0, prompt), audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Builds the chunk frames and the equivalent non-streaming completion. */
function build(body: Record<string, unknown>, turn: ScriptedTurn, id: string, created: number, sink: (type: string, json: string) => void): Record<string, unknown> {
  const model = JSON.stringify(body["model"] ?? "gpt-5.4");
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${model},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const chunk = (delta: string, finish = "null"): void => sink("", `${head}${delta},"logprobs":null,"finish_reason":${finish}}]}`);
  const tools = turn.toolCalls ?? [];
  const text = turn.text ?? (tools.length > 0 ? undefined : "");
  chunk(`{"role":"assistant","content":${text === undefined ? "null" : '""'},"refusal":null}`);
  let outChars = 0;
  if (text !== undefined) {
    for (const d of turn.events !== undefined ? padded(text, turn.events) : chunkText(text)) {
      chunk(`{"content":${JSON.stringify(d)}}`);
      outChars += d.length;
    }
  }
  const calls = tools.map((c, n) => {
    const args = typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments);
    const callId = c.callId ?? `call_${id.slice(9)}_${n}`;
    chunk(`{"tool_calls":[{"index":${n},"id":"${callId}","type":"function","function":{"name":${JSON.stringify(c.name)},"arguments":""}}]}`);
    for (let i = 0; i < args.length; i += 16) chunk(`{"tool_calls":[{"index":${n},"function":{"arguments":${JSON.stringify(args.slice(i, i + 16))}}}]}`);
    outChars += args.length + c.name.length;
    return { id: callId, type: "function", function: { name: c.name, arguments: args } };
  });
  const finish = tools.length > 0 && turn.status !== "incomplete" ? "tool_calls" : (FINISH[turn.status ?? "completed"] ?? "stop");
  chunk("{}", `"${finish}"`);
  const usage = usageOf(body, turn, outChars);
  const opts = body["stream_options"] as { include_usage?: unknown } | undefined;
  if (opts?.include_usage === true) sink("", `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${model},"system_fingerprint":null,"choices":[],"usage":${JSON.stringify(usage)}}`);
  sink("", "[DONE]");
  const message: Record<string, unknown> = { role: "assistant", content: text ?? null, refusal: null, annotations: [] };
  if (calls.length > 0) message["tool_calls"] = calls;
  const tier = body["service_tier"];
  return {
    id,
    object: "chat.completion",
    created,
    model: body["model"] ?? "gpt-5.4",
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
    service_tier: tier === undefined || tier === null || tier === "auto" ? "default" : tier,
    system_fingerprint: null,
  };
}

function padded(text: string, events: number): string[] {
  const chunks = chunkText(text || "lorem");
  for (let i = 0; chunks.length < events - 3; i++) chunks.push(` ${chunks[i % chunks.length]!.trim()}`);
  return chunks;
}

/** The `POST /v1/chat/completions` handler. */
export function createChatCompletionHandler(core: EmulatorCore): (req: EmulatorRequest) => CoreReply {
  let count = 0;
  return (req) => {
    const body = req.json as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return { status: 400, body: openaiError("We could not parse the JSON body of your request. The body must be a JSON object.", "invalid_request_error", "invalid_json") };
    }
    const turn = core.turns.next(body) ?? defaultTurn({ input: lastUserText(body["messages"]) ?? "" }, core.defaultReply);
    if (turn.status === "failed") {
      const err = turn.error ?? { code: "server_error", message: "The model failed to generate a response." };
      return { status: 500, body: openaiError(err.message, "server_error", err.code) };
    }
    const id = `chatcmpl-${(++count).toString(16).padStart(20, "0")}`;
    const created = Math.floor(core.ctx.now() / 1000);
    const requestId = `req_${req.id}`;
    if (body["stream"] !== true) return { status: 200, headers: { "x-request-id": requestId }, body: build(body, turn, id, created, () => {}) };
    const faults = core.faults.take("stream", req.path, "http");
    if (faults.length === 0) {
      return { stream: async (res) => streamSseChunks(res, sseHeaders(requestId), (add) => void build(body, turn, id, created, add)) };
    }
    const frames: Frame[] = [];
    build(body, turn, id, created, (type, json) => void frames.push({ type, json }));
    return { stream: (res) => writeSse(res, frames, faults, core.signal, sseHeaders(requestId)) };
  };
}
