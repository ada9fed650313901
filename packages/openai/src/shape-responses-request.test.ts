import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveRoute, type RouteConfig, type StreamEvent } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createOpenAIProvider } from "./create-openai-provider.js";
import type { OpenAIRoute } from "./openai-route.js";
import { shapeResponsesRequest, shapeWebSearchTool } from "./shape-responses-request.js";
import { shapeChatRequest } from "./shape-chat-request.js";

const KEY = "sk-test-websearch-0123456789";
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

const TOOL = { name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } };

/** A real core route for openai/gpt-5.4 pointed at the emulator, with `tools.web.search` as given. */
function openaiRoute(search: Record<string, unknown> | undefined, transport: "sse" | "websocket" = "sse"): OpenAIRoute {
  const config: RouteConfig = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: { defaults: { models: { "openai/gpt-5.4": { params: { transport } } } } },
    ...(search ? { tools: { web: { search } } } : {}),
  };
  return resolveRoute({ ref: "openai/gpt-5.4", config, auth: { apiKeys: { openai: { source: "env" } } } });
}

async function run(route: OpenAIRoute, tools = [TOOL]): Promise<{ events: StreamEvent[]; body: any }> {
  const provider = createOpenAIProvider({ route, apiKey: KEY });
  open.push(provider);
  const events: StreamEvent[] = [];
  for await (const e of provider.streamTurn({ input: [{ type: "message", role: "user", content: "news?" }], tools }, { sessionId: "s1" })) events.push(e);
  const rec = emu.requests.filter((q) => q.path.endsWith("/responses")).at(-1)!;
  return { events, body: rec.transport === "websocket" ? rec.frames!.at(-1) : rec.body };
}

const webTool = (body: any) => (body.tools ?? []).find((t: { type: string }) => t.type === "web_search");

describe("native web search on Responses routes", () => {
  it("adds the web_search tool over SSE with the configured context size and domains; the emulator accepts it", async () => {
    emu.script({ webSearch: { query: "genesis release" }, text: "Found it." });
    const { body, events } = await run(openaiRoute({ enabled: true, contextSize: "high", allowedDomains: ["nodejs.org"] }));
    expect(body.tools.map((t: { type: string }) => t.type)).toEqual(["function", "web_search"]);
    expect(webTool(body)).toEqual({ type: "web_search", search_context_size: "high", filters: { allowed_domains: ["nodejs.org"] } });
    expect(body.tool_choice).toBe("auto");
    // The public API is not sent the Codex-only mode switch.
    expect(webTool(body).external_web_access).toBeUndefined();
    const call = events.find((e) => e.type === "item.done" && e.item.type === "web_search_call");
    expect(call).toMatchObject({ item: { status: "completed", action: { type: "search", query: "genesis release" } } });
    const done = events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
    expect(done.output.map((o) => o.type)).toEqual(["web_search_call", "message"]);
  });

  it("adds it over WebSocket too, even without function tools", async () => {
    emu.script({ webSearch: { query: "ws" }, text: "ok" });
    const { body, events } = await run(openaiRoute({ enabled: true }, "websocket"), []);
    expect(emu.requests.at(-1)!.transport).toBe("websocket");
    expect(body.type).toBe("response.create");
    expect(body.tools).toEqual([{ type: "web_search" }]);
    expect(body.tool_choice).toBe("auto");
    expect(events.some((e) => e.type === "item.done" && e.item.type === "web_search_call")).toBe(true);
  });

  it("adds it on Azure routes (api-key on the deployment path)", async () => {
    const resolved = resolveRoute({
      ref: "azure-openai-responses/my-deployment",
      config: {
        tools: { web: { search: { enabled: true } } },
        models: { providers: { "azure-openai-responses": { baseUrl: emu.url, endpointClass: "azure", models: [{ id: "my-deployment" }] } } },
      },
      auth: { apiKeys: { "azure-openai-responses": { source: "env" } } },
    });
    const { body } = await run({ ...resolved, baseUrl: `${emu.url}/openai/v1`, transport: "sse" });
    expect(emu.requests.at(-1)!.path).toBe("/openai/v1/responses");
    expect(emu.requests.at(-1)!.headers["api-key"]).toBe("[redacted]");
    expect(webTool(body)).toEqual({ type: "web_search" });
  });

  it("leaves it out when disabled or pinned to another provider", async () => {
    for (const search of [undefined, { enabled: false }, { enabled: true, provider: "brave" }]) {
      const { body } = await run(openaiRoute(search));
      expect(body.tools.map((t: { type: string }) => t.type)).toEqual(["function"]);
    }
    const { body } = await run(openaiRoute({ enabled: false }), []);
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
  });

  it("never sends it to a proxy, even if a caller hands over a native decision", () => {
    const route = { ...openaiRoute({ enabled: true }), endpointClass: "compat" as const };
    expect(route.webSearch?.status).toBe("native");
    expect(shapeWebSearchTool(route)).toBeUndefined();
    expect(shapeResponsesRequest(route, { input: [] }).body.tools).toBeUndefined();
    expect(JSON.stringify(shapeChatRequest({ ...route, api: "chat-completions" }, { input: [], tools: [TOOL] }).body)).not.toContain("web_search");
  });

  it("on a native-codex route sends the Codex mode switch (live → true, cached → false); the public API and Azure never get it", () => {
    const codex = { ...openaiRoute({ enabled: true }), endpointClass: "native-codex" as const };
    expect(shapeWebSearchTool(codex)).toEqual({ type: "web_search", external_web_access: true });
    const cached = { ...openaiRoute({ enabled: true, mode: "cached", contextSize: "low" }), endpointClass: "native-codex" as const };
    expect(shapeWebSearchTool(cached)).toEqual({ type: "web_search", external_web_access: false, search_context_size: "low" });
    for (const endpointClass of ["native-openai", "azure"] as const) {
      expect(shapeWebSearchTool({ ...openaiRoute({ enabled: true, mode: "cached" }), endpointClass })).toEqual({ type: "web_search" });
    }
  });

  it("leaves it out on a Chat Completions proxy resolved from config (over the wire)", async () => {
    const route = resolveRoute({
      ref: "local/llama",
      config: { tools: { web: { search: { enabled: true } } }, models: { providers: { local: { baseUrl: emu.apiBase, models: [{ id: "llama" }] } } } },
      auth: { apiKeys: { local: { source: "config" } } },
    });
    const provider = createOpenAIProvider({ route, apiKey: KEY });
    open.push(provider);
    for await (const _e of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }], tools: [TOOL] }, { sessionId: "s1" })) void _e;
    const rec = emu.requests.at(-1)!;
    expect(rec.path).toBe("/v1/chat/completions");
    expect(JSON.stringify(rec.body)).not.toContain("web_search");
  });

  it("a web_search_call item from the last turn is replayed as input and accepted", async () => {
    emu.script({ webSearch: { query: "first" }, text: "one" }, { text: "two" });
    const route = openaiRoute({ enabled: true });
    const first = await run(route, []);
    const done = first.events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
    const provider = createOpenAIProvider({ route, apiKey: KEY });
    open.push(provider);
    const input = [{ type: "message" as const, role: "user" as const, content: "news?" }, ...done.output, { type: "message" as const, role: "user" as const, content: "more" }];
    const events: StreamEvent[] = [];
    for await (const e of provider.streamTurn({ input }, { sessionId: "s1" })) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    const sent = emu.requests.at(-1)!.body as { input: { type?: string; id?: string }[] };
    expect(sent.input[1]).toMatchObject({ type: "web_search_call", id: done.output[0]!.id });
  });
});
