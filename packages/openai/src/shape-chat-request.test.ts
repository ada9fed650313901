import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamEvent } from "@genesis/core";
import { startChatPeer, type ChatPeer } from "./__fixtures__/chat-completions-peer.js";
import { createOpenAIProvider } from "./create-openai-provider.js";
import { shapeChatRequest, toChatMessages } from "./shape-chat-request.js";
import type { OpenAIRoute } from "./openai-route.js";

let peer: ChatPeer;
beforeAll(async () => {
  peer = await startChatPeer();
});
afterAll(async () => {
  await peer.close();
});

const route = (over: Partial<OpenAIRoute> = {}): OpenAIRoute => ({
  ref: "openrouter/openai/gpt-5.5", provider: "openrouter", modelId: "openai/gpt-5.5", endpointClass: "compat", api: "chat-completions",
  baseUrl: peer.url, params: {}, ...over,
});

async function collect(r: OpenAIRoute, tools = false): Promise<StreamEvent[]> {
  const provider = createOpenAIProvider({ route: r, apiKey: "sk-chat-test-123456" });
  const events: StreamEvent[] = [];
  const input = [
    { type: "message", role: "user", content: "what is in a.txt?" },
    { type: "function_call", call_id: "call_a", name: "read_file", arguments: '{"path":"a.txt"}' },
    { type: "function_call_output", call_id: "call_a", output: "hello" },
  ] as const;
  for await (const e of provider.streamTurn(
    { instructions: "sys", input, ...(tools ? { tools: [{ name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } } }] } : {}) },
    { sessionId: "s" },
  )) events.push(e);
  await provider.close();
  return events;
}

describe("Chat Completions proxies", () => {
  it("strip store, merge extra_body, keep tools loose, and stream text + usage", async () => {
    peer.script({ text: "It says hello.", usage: { prompt: 30, cached: 10, completion: 4 } });
    const events = await collect(route({ params: { extraBody: { store: true, top_k: 20, temperature: 0.2, model: "hijack" }, fastMode: true } }), true);
    const body = peer.requests.at(-1)!.body;
    expect(body.store).toBeUndefined();
    expect(body).toMatchObject({ model: "openai/gpt-5.5", stream: true, stream_options: { include_usage: true }, top_k: 20, temperature: 0.2 });
    expect(body.service_tier).toBeUndefined();
    expect(body.tools[0].function.strict).toBeUndefined();
    expect(body.messages).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "what is in a.txt?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_a", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } }] },
      { role: "tool", tool_call_id: "call_a", content: "hello" },
    ]);
    expect(peer.requests.at(-1)!.headers.originator).toBeUndefined();
    const text = events.filter((e) => e.type === "text.delta").map((e) => (e as { delta: string }).delta).join("");
    expect(text).toBe("It says hello.");
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed", usage: { input: 20, cacheRead: 10, output: 4, total: 34 } });
  });

  it("the extra_body spelling works too", () => {
    const shaped = shapeChatRequest(route({ params: { extra_body: { repetition_penalty: 1.1 } } }), { input: [] });
    expect(shaped.body.repetition_penalty).toBe(1.1);
  });

  it("turns streamed tool calls into function_call items", async () => {
    peer.script({ toolCalls: [{ name: "read_file", arguments: '{"path":"b.txt"}', id: "call_b" }] });
    const events = await collect(route(), true);
    expect(events).toContainEqual({ type: "tool_call.done", itemId: "fc_call_b", callId: "call_b", name: "read_file", arguments: '{"path":"b.txt"}' });
    const done = events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
    expect(done.output).toEqual([{ type: "function_call", id: "fc_call_b", call_id: "call_b", name: "read_file", arguments: '{"path":"b.txt"}', status: "completed" }]);
  });

  it("a stream without finish_reason or [DONE] is an error, not a silent success", async () => {
    peer.script({ text: "partial", truncate: true });
    await expect(collect(route())).rejects.toMatchObject({ code: "stream_incomplete" });
  });

  it("reasoning effort none is dropped on proxies", () => {
    expect(shapeChatRequest(route(), { input: [], reasoning: { effort: "none" } }).body.reasoning_effort).toBeUndefined();
    expect(shapeChatRequest(route(), { input: [], reasoning: { effort: "low" } }).body.reasoning_effort).toBe("low");
  });

  it("developer messages become system messages; reasoning items are skipped", () => {
    expect(toChatMessages(undefined, [{ type: "reasoning", id: "rs_1", summary: [] }, { type: "message", role: "developer", content: "note" }])).toEqual([{ role: "system", content: "note" }]);
  });
});
