import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { post } from "../__fixtures__/clients.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
let client: OpenAI;
beforeEach(async () => {
  emu = await startEmulator();
  client = new OpenAI({ apiKey: "sk-test-chat", baseURL: emu.apiBase, maxRetries: 0 });
});
afterEach(() => emu.close());

describe("POST /v1/chat/completions", () => {
  it("answers non-streaming with the default echo and usage in Chat Completions shape", async () => {
    const r = await client.chat.completions.create({ model: "gpt-5.4", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }] });
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]!.message.content).toBe("Echo: hello");
    expect(r.choices[0]!.finish_reason).toBe("stop");
    expect(r.usage).toMatchObject({ prompt_tokens: expect.any(Number), prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    expect(emu.requests.at(-1)).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "gpt-5.4" } });
  });

  it("streams text and tool calls; the official client accumulates them; usage arrives with include_usage", async () => {
    emu.script({ text: "Checking now.", toolCalls: [{ name: "lookup", arguments: { q: "weather in Paris" }, callId: "call_9" }], usage: { input: 2000, cached: 1536, output: 25 } });
    const stream = await client.chat.completions.create({
      model: "gpt-5.4",
      messages: [{ role: "user", content: "weather?" }],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
    });
    let text = "";
    let args = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? "";
      args += choice?.delta.tool_calls?.[0]?.function?.arguments ?? "";
      finish = choice?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("Checking now.");
    expect(JSON.parse(args)).toEqual({ q: "weather in Paris" });
    expect(finish).toBe("tool_calls");
    expect(usage).toMatchObject({ prompt_tokens: 2000, completion_tokens: 25, prompt_tokens_details: { cached_tokens: 1536 } });
  });

  it("ends the raw stream with data: [DONE] and no event: lines", async () => {
    const r = await post(`${emu.apiBase}/chat/completions`, { model: "gpt-5.4", messages: [{ role: "user", content: "x" }], stream: true });
    expect(r.text).not.toContain("event:");
    expect(r.text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("validates against the spec and reports failed turns as 500", async () => {
    const bad = await post(`${emu.apiBase}/chat/completions`, { model: "gpt-5.4", messages: [{ role: "wizard", content: "x" }] });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { param: expect.stringContaining("messages[0]") } });
    emu.script({ status: "failed", error: { code: "server_error", message: "down" } });
    const err = await client.chat.completions.create({ model: "gpt-5.4", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it("applies stream faults (sse-no-terminal drops [DONE])", async () => {
    emu.fault({ kind: "sse-no-terminal" });
    const r = await post(`${emu.apiBase}/chat/completions`, { model: "gpt-5.4", messages: [{ role: "user", content: "x" }], stream: true });
    expect(r.text).not.toContain("[DONE]");
    expect(r.text).toContain('"finish_reason":"stop"');
  });
});
