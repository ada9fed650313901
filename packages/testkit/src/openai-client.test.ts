import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";

// The official `openai` client is the referee: if it parses our answers, real code will too.
let emu: Emulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startEmulator();
  client = new OpenAI({ apiKey: "sk-test-official-client", baseURL: emu.apiBase, maxRetries: 0 });
});
afterAll(() => emu.close());

describe("official openai client against the emulator", () => {
  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("gpt-5.5");
    const req = emu.requests.at(-1)!;
    expect(req).toMatchObject({ method: "GET", path: "/v1/models", transport: "http" });
    expect(req.headers["authorization"]).toBe("Bearer [redacted]");
    expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-test-official-client");
  });

  it("retrieves one model and 404s an unknown one in OpenAI's error shape", async () => {
    expect((await client.models.retrieve("gpt-5.4")).id).toBe("gpt-5.4");
    const err = await client.models.retrieve("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  });

  it("creates a non-streaming response with the default echo reply", async () => {
    const r = await client.responses.create({ model: "gpt-5.4", input: "ping", service_tier: "priority" });
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe("Echo: ping");
    expect(r.service_tier).toBe("priority");
    expect(r.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(emu.requests.at(-1)!.body).toEqual({ model: "gpt-5.4", input: "ping", service_tier: "priority" });
  });

  it("streams a scripted turn with reasoning and a tool call; every event parses, in order", async () => {
    emu.script({
      text: "Let me check the weather.",
      reasoning: { summary: "User wants weather." },
      toolCalls: [{ name: "get_weather", arguments: { city: "Paris" }, callId: "call_1" }],
      usage: { input: 1200, cached: 1024, output: 40, reasoning: 12 },
    });
    const stream = await client.responses.create({
      model: "gpt-5.5",
      input: [{ role: "user", content: "weather in Paris?" }],
      stream: true,
      include: ["reasoning.encrypted_content"],
      reasoning: { effort: "medium", summary: "auto" },
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false }],
    });
    const types: string[] = [];
    let lastSeq = -1;
    let text = "";
    let args = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      expect(ev.sequence_number).toBe(lastSeq + 1);
      lastSeq = ev.sequence_number;
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.function_call_arguments.delta") args += ev.delta;
      if (ev.type === "response.completed") final = ev.response;
    }
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types).toContain("response.reasoning_summary_text.delta");
    expect(types.filter((t) => t === "response.output_text.delta").length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe("response.completed");
    expect(text).toBe("Let me check the weather.");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
    expect(final!.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    const reasoning = final!.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.encrypted_content).toBeTypeOf("string");
    expect(final!.usage).toMatchObject({ input_tokens: 1200, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 1240 });
  });

  it("drives the responses.stream() helper to a final response", async () => {
    emu.script({ text: "streamed through the helper" });
    const stream = client.responses.stream({ model: "gpt-5.4", input: "x" });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("streamed through the helper");
  });

  it("rejects a spec violation with 400 naming the field", async () => {
    const err = await client.responses
      .create({ model: "gpt-5.4", input: "x", context_management: [{ type: "compaction", compact_threshold: 10 }] } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.param).toBe("context_management[0].compact_threshold");
    expect(e.message).toContain("context_management[0].compact_threshold: 10");
  });

  it("reports incomplete and failed turns", async () => {
    emu.script({ text: "cut", status: "incomplete" }, { status: "failed", error: { code: "server_error", message: "boom" } });
    const inc = await client.responses.create({ model: "gpt-5.4", input: "x" });
    expect(inc.status).toBe("incomplete");
    expect(inc.incomplete_details?.reason).toBe("max_output_tokens");
    const events: string[] = [];
    for await (const ev of await client.responses.create({ model: "gpt-5.4", input: "x", stream: true })) events.push(ev.type);
    expect(events).toEqual(["response.created", "response.in_progress", "response.failed"]);
  });
});
