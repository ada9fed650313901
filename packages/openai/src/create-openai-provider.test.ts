import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import type { StreamEvent } from "@genesis/core";
import { createOpenAIProvider } from "./create-openai-provider.js";
import type { OpenAIRoute } from "./openai-route.js";
import type { TurnRequest } from "./turn-request.js";

const KEY = "sk-test-provider-0123456789";
let emu: Emulator;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  emu.reset();
});
afterAll(async () => {
  await emu.close();
});

function route(over: Partial<OpenAIRoute> = {}): OpenAIRoute {
  return {
    ref: "openai/gpt-5.4", provider: "openai", modelId: "gpt-5.4", endpointClass: "native-openai", api: "responses",
    baseUrl: emu.apiBase, transport: "sse", contextWindow: 1_050_000, params: {}, ...over,
  };
}

const TOOL = {
  name: "read_file",
  description: "Read a file",
  parameters: { type: "object", properties: { path: { type: "string" }, limit: { type: "integer" } }, required: ["path"] },
};

async function turn(r: OpenAIRoute, request: Partial<TurnRequest> = {}): Promise<{ events: StreamEvent[]; body: any; headers: Record<string, string> }> {
  const provider = createOpenAIProvider({ route: r, apiKey: KEY });
  open.push(provider);
  const events: StreamEvent[] = [];
  for await (const e of provider.streamTurn({ instructions: "be brief", input: [{ type: "message", role: "user", content: "hi" }], ...request }, { sessionId: "sess-1" })) events.push(e);
  const rec = emu.requests.filter((q) => q.path === "/v1/responses").at(-1)!;
  return { events, body: rec.transport === "websocket" ? rec.frames!.at(-1) : rec.body, headers: rec.headers };
}

describe("createOpenAIProvider (Responses, against the emulator)", () => {
  it("native OpenAI: store, compaction at 70% of the window, cache key, attribution headers, bearer auth", async () => {
    const { events, body, headers } = await turn(route());
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    expect(body).toMatchObject({
      model: "gpt-5.4", instructions: "be brief", store: true, stream: true, prompt_cache_key: "sess-1",
      context_management: [{ type: "compaction", compact_threshold: 735_000 }],
    });
    expect(body.service_tier).toBeUndefined();
    expect(headers.originator).toBe("genesis");
    expect(headers["user-agent"]).toMatch(/^genesis\/\S+ \(node /);
    expect(headers.authorization).toBe("Bearer [redacted]");
    expect(emu.authHeaderOf(emu.requests.at(-1)!.id)).toBe(`Bearer ${KEY}`);
  });

  it("fast mode maps to priority; reasoning and text.verbosity are untouched", async () => {
    const { body } = await turn(route({ params: { fastMode: true } }), { reasoning: { effort: "low" }, text: { verbosity: "low" } });
    expect(body.service_tier).toBe("priority");
    expect(body.reasoning).toEqual({ effort: "low" });
    expect(body.text).toEqual({ verbosity: "low" });
  });

  it("an explicit service tier is preserved over fast mode; params.serviceTier is forwarded on native hosts", async () => {
    expect((await turn(route({ params: { fastMode: true } }), { serviceTier: "flex" })).body.service_tier).toBe("flex");
    expect((await turn(route({ params: { serviceTier: "default", fastMode: true } }))).body.service_tier).toBe("default");
  });

  it("a proxy gets no service_tier, store, compaction, cache key or attribution, and loose tools", async () => {
    const { body, headers } = await turn(route({ endpointClass: "compat", params: { fastMode: true, serviceTier: "priority" } }), { tools: [TOOL] });
    for (const key of ["service_tier", "store", "context_management", "prompt_cache_key"]) expect(body[key]).toBeUndefined();
    expect(headers.originator).toBeUndefined();
    expect(headers["user-agent"] ?? "").not.toMatch(/^genesis\//);
    expect(body.tools[0]).toEqual({ type: "function", name: "read_file", description: "Read a file", parameters: TOOL.parameters, strict: false });
  });

  it("native routes send strict tool schemas (optional params become nullable)", async () => {
    const { body } = await turn(route(), { tools: [TOOL] });
    expect(body.tools[0]).toMatchObject({ strict: true, parameters: { additionalProperties: false, required: ["path", "limit"] } });
    expect(body.tools[0].parameters.properties.limit.type).toEqual(["integer", "null"]);
  });

  it("compaction: custom threshold, disabled, unknown window, and supportsStore:false", async () => {
    expect((await turn(route({ params: { responsesCompactThreshold: 120_000 } }))).body.context_management).toEqual([{ type: "compaction", compact_threshold: 120_000 }]);
    const off = (await turn(route({ params: { responsesServerCompaction: false } }))).body;
    expect(off.context_management).toBeUndefined();
    expect(off.store).toBe(true); // the flag only controls context_management
    const unknown = { ...route() };
    delete unknown.contextWindow;
    expect((await turn(unknown)).body.context_management).toEqual([{ type: "compaction", compact_threshold: 80_000 }]);
    const noStore = (await turn(route({ model: { compat: { supportsStore: false } } }))).body;
    expect(noStore.store).toBe(false);
    expect(noStore.context_management).toBeUndefined();
  });

  it("Azure: api-key header, store + explicit compaction, no attribution or service tier", async () => {
    const { body, headers } = await turn(route({ provider: "azure-openai-responses", endpointClass: "azure", params: { responsesServerCompaction: true, fastMode: true }, contextWindow: 400_000 }));
    expect(headers["api-key"]).toBe("[redacted]");
    expect(headers.authorization).toBeUndefined();
    expect(headers.originator).toBeUndefined();
    expect(body).toMatchObject({ store: true, context_management: [{ type: "compaction", compact_threshold: 280_000 }] });
    expect(body.service_tier).toBeUndefined();
  });

  it("reasoning effort none is kept only where supported", async () => {
    expect((await turn(route(), { reasoning: { effort: "none" } })).body.reasoning).toEqual({ effort: "none" });
    expect((await turn(route({ modelId: "gpt-5", model: { capabilities: { supportsReasoningEffortNone: false } } }), { reasoning: { effort: "none" } })).body.reasoning).toBeUndefined();
    expect((await turn(route({ endpointClass: "compat" }), { reasoning: { effort: "none", summary: "auto" } })).body.reasoning).toEqual({ summary: "auto" });
  });

  it("streams over WebSocket in auto mode and reports the wire in state()", async () => {
    const provider = createOpenAIProvider({ route: route({ transport: "auto" }), apiKey: KEY });
    open.push(provider);
    emu.script({ text: "over the socket" });
    let text = "";
    for await (const e of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "ws-1" })) if (e.type === "text.delta") text += e.delta;
    expect(text).toBe("over the socket");
    const rec = emu.requests.find((q) => q.transport === "websocket")!;
    expect(rec.frames!.at(-1)).toMatchObject({ type: "response.create", model: "gpt-5.4", store: true });
    expect(provider.state()).toMatchObject({ mode: "auto", lastTransport: "websocket", wsDegraded: false });
  });

  it("warm() opens the session's socket with a generate:false warm-up shaped for the route; the turn reuses it", async () => {
    const provider = createOpenAIProvider({ route: route({ transport: "auto", params: { fastMode: true } }), apiKey: KEY });
    open.push(provider);
    await provider.warm("warm-1");
    await (async () => {
      for await (const _ of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "warm-1" })) void _;
    })();
    const sockets = emu.requests.filter((q) => q.transport === "websocket");
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.frames).toMatchObject([
      { type: "response.create", model: "gpt-5.4", generate: false, input: [], store: true, prompt_cache_key: "warm-1" },
      { type: "response.create", model: "gpt-5.4", input: [{ role: "user", content: "hi" }] },
    ]);
    expect(sockets[0]!.frames![0]).not.toHaveProperty("service_tier"); // a warm-up is never billed at priority
    expect(sockets[0]!.frames![1]).toMatchObject({ service_tier: "priority" });
    expect(sockets[0]!.frames![1]).not.toHaveProperty("generate");
  });

  it("never shows the key in inspect output; a missing key is a typed error", () => {
    const provider = createOpenAIProvider({ route: route(), apiKey: KEY });
    open.push(provider);
    expect(inspect(provider)).not.toContain(KEY);
    expect(() => createOpenAIProvider({ route: route(), apiKey: "" })).toThrow(expect.objectContaining({ code: "no_api_key" }));
  });

  it("local endpoints may run without a key: no auth header is sent", async () => {
    const provider = createOpenAIProvider({ route: route({ endpointClass: "local" }), apiKey: "" });
    open.push(provider);
    const error = await (async () => {
      for await (const _ of provider.streamTurn({ input: [] }, { sessionId: "local" })) void _;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth_failed" }); // the emulator insists on a key
    expect(emu.requests.at(-1)!.headers.authorization).toBeUndefined();
  });
});
