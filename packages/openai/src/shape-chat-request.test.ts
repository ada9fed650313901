import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StreamEvent } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createOpenAIProvider } from "./create-openai-provider.js";
import { shapeChatRequest, toChatMessages } from "./shape-chat-request.js";
import { chatStreamEvents } from "./_chat-stream.js";
import type { OpenAIRoute } from "./openai-route.js";

// The emulator validates every Chat Completions body against the official spec (400 otherwise),
// so each passing turn below also proves the shaped body is a valid CreateChatCompletionRequest.
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.reset());
afterAll(async () => {
  await emu.close();
});

const route = (over: Partial<OpenAIRoute> = {}): OpenAIRoute => ({
  ref: "openrouter/openai/gpt-5.5", provider: "openrouter", modelId: "openai/gpt-5.5", endpointClass: "compat", api: "chat-completions",
  baseUrl: emu.apiBase, params: {}, ...over,
});

async function collect(r: OpenAIRoute, tools = false): Promise<StreamEvent[]> {
  const provider = createOpenAIProvider({ route: r, apiKey: "sk-chat-test-123456" });
  const events: StreamEvent[] = [];
  const input = [
    { type: "message", role: "user", content: "what is in a.txt?" },
    { type: "function_call", call_id: "call_a", name: "read_file", arguments: '{"path":"a.txt"}' },
    { type: "function_call_output", call_id: "call_a", output: "hello" },
  ] as const;
  try {
    for await (const e of provider.streamTurn(
      { instructions: "sys", input, ...(tools ? { tools: [{ name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } } }] } : {}) },
      { sessionId: "s" },
    )) events.push(e);
  } finally {
    await provider.close();
  }
  return events;
}

const lastChat = () => emu.requests.filter((r) => r.path === "/v1/chat/completions").at(-1)!;

describe("Chat Completions proxies (against the emulator)", () => {
  it("strip store, merge extra_body, keep tools loose, and stream text + usage", async () => {
    emu.script({ text: "It says hello.", usage: { input: 30, cached: 10, output: 4 } });
    const events = await collect(route({ params: { extraBody: { store: true, top_k: 20, temperature: 0.2, model: "hijack" }, fastMode: true } }), true);
    const req = lastChat();
    expect(req).toMatchObject({ method: "POST", transport: "http", headers: { accept: "text/event-stream", "content-type": "application/json" } });
    expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-chat-test-123456");
    const body = req.body as any;
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
    expect(req.headers.originator).toBeUndefined();
    expect(req.headers["user-agent"] ?? "").not.toMatch(/^genesis\//);
    const text = events.filter((e) => e.type === "text.delta").map((e) => (e as { delta: string }).delta).join("");
    expect(text).toBe("It says hello.");
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed", usage: { input: 20, cacheRead: 10, output: 4, total: 34 } });
  });

  it("the extra_body spelling works too, and the body it makes is accepted by the spec", async () => {
    const shaped = shapeChatRequest(route({ params: { extra_body: { repetition_penalty: 1.1 } } }), { input: [] });
    expect(shaped.body.repetition_penalty).toBe(1.1);
    await collect(route({ params: { extra_body: { repetition_penalty: 1.1 } } }));
    expect((lastChat().body as any).repetition_penalty).toBe(1.1);
  });

  it("native OpenAI Chat Completions keep service_tier and strict tools, with attribution", async () => {
    await collect(route({ provider: "openai", modelId: "gpt-5.4", endpointClass: "native-openai", params: { fastMode: true } }), true);
    const req = lastChat();
    const body = req.body as any;
    expect(body.service_tier).toBe("priority");
    expect(body.tools[0].function).toMatchObject({ strict: true, parameters: { additionalProperties: false, required: ["path"] } });
    expect(req.headers.originator).toBe("genesis");
  });

  it("turns streamed tool calls into function_call items", async () => {
    emu.script({ toolCalls: [{ name: "read_file", arguments: '{"path":"b.txt"}', callId: "call_b" }] });
    const events = await collect(route(), true);
    expect(events).toContainEqual({ type: "tool_call.done", itemId: "fc_call_b", callId: "call_b", name: "read_file", arguments: '{"path":"b.txt"}' });
    const done = events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
    expect(done.output).toEqual([{ type: "function_call", id: "fc_call_b", call_id: "call_b", name: "read_file", arguments: '{"path":"b.txt"}', status: "completed" }]);
  });

  it("a connection cut mid-stream is a typed stream_interrupted error carrying the partial text", async () => {
    emu.script({ text: "partial answer that is cut off" });
    emu.fault({ kind: "sse-destroy", afterEvents: 3, match: { path: "/v1/chat/completions" } });
    const error = await collect(route()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "stream_interrupted", transport: "sse" });
    const partial = (error as { partial: { text: string } }).partial.text;
    expect(partial.length).toBeGreaterThan(0);
    expect("partial answer that is cut off".startsWith(partial)).toBe(true);
  });

  it("an abort mid-stream ends the call promptly with the abort reason", async () => {
    emu.script({ text: "a reply that stalls after a few chunks" });
    emu.fault({ kind: "stall", afterEvents: 3, ms: 10_000, match: { path: "/v1/chat/completions" } });
    const provider = createOpenAIProvider({ route: route(), apiKey: "sk-chat-test-123456" });
    const ctl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const t0 = Date.now();
    const run = async () => {
      for await (const e of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s", signal: ctl.signal })) {
        // Abort while the next read waits on the stalled socket, not between two events.
        if (e.type === "text.delta" && !timer) timer = setTimeout(() => ctl.abort(new Error("user abort")), 100);
      }
    };
    await expect(run()).rejects.toThrow("user abort");
    expect(Date.now() - t0).toBeLessThan(2_000);
    await provider.close();
  });

  it("a stream that ends cleanly without finish_reason or [DONE] is stream_incomplete, not a silent success", async () => {
    const chunk = { id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "half" }, finish_reason: null }] };
    const body = new Response(`data: ${JSON.stringify(chunk)}\n\n`).body!;
    const run = async () => {
      for await (const _ of chatStreamEvents(body)) void _;
    };
    await expect(run()).rejects.toMatchObject({ code: "stream_incomplete", partial: { text: "half" } });
  });

  it("a server error is a typed error", async () => {
    const provider = createOpenAIProvider({ route: route(), apiKey: "sk-chat-test-123456" });
    const run = async () => {
      for await (const _ of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s" })) void _;
    };
    emu.fault({ kind: "http-status", status: 400, body: { error: { message: "bad field", type: "invalid_request_error", code: "bad_field" } }, match: { path: "/v1/chat/completions" } });
    await expect(run()).rejects.toMatchObject({ code: "api_error", status: 400, serverCode: "bad_field" });
    await provider.close();
  });

  it("reasoning effort none is dropped on proxies", () => {
    expect(shapeChatRequest(route(), { input: [], reasoning: { effort: "none" } }).body.reasoning_effort).toBeUndefined();
    expect(shapeChatRequest(route(), { input: [], reasoning: { effort: "low" } }).body.reasoning_effort).toBe("low");
  });

  it("developer messages become system messages; reasoning items are skipped", () => {
    expect(toChatMessages(undefined, [{ type: "reasoning", id: "rs_1", summary: [] }, { type: "message", role: "developer", content: "note" }])).toEqual([{ role: "system", content: "note" }]);
  });
});
