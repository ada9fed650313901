import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore, resolveRoute, type Route, type StreamEvent } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexCredentialStore } from "./codex-credential-store.js";
import { buildCodexRequestBody, codexWebSearchTool } from "./codex-request.js";
import { createCodexStreamers } from "./codex-streamers.js";
import { fakeJwt } from "./__fixtures__/oauth-peer.js";

let emu: Emulator;
let home: string;
let streamers: ReturnType<typeof createCodexStreamers>;
const exp = Math.floor(Date.now() / 1000) + 3600;
const AUTH = { oauth: { "openai-codex": { accountId: "acct_ws", expiresAt: exp * 1000 } } };

beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-codex-websearch-"));
  await codexCredentialStore(openAuthStore({ home, env: {} })).save({
    kind: "oauth", provider: "openai-codex", access: fakeJwt({ accountId: "acct_ws", exp }), refresh: "rt", accountId: "acct_ws", expiresAt: exp * 1000, updatedAt: 0,
  });
  streamers = createCodexStreamers({ env: { GENESIS_HOME: home } });
});
afterEach(async () => {
  streamers.close();
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

/** The route core resolves for openai-codex/gpt-5.5 on the emulator's Codex backend. */
function codexRoute(search: Record<string, unknown> | undefined, opts: { transport?: "sse" | "websocket"; native?: boolean } = {}): Route {
  const config = {
    auth: { openaiCodex: { codexBaseUrl: `${emu.url}/backend-api` } },
    agents: { defaults: { models: { "openai-codex/gpt-5.5": { params: { transport: opts.transport ?? "sse" } } } } },
    models: { providers: { "openai-codex": opts.native === false ? {} : { endpointClass: "native-codex" } } },
    ...(search ? { tools: { web: { search } } } : {}),
  };
  return resolveRoute({ ref: "openai-codex/gpt-5.5", config, auth: AUTH, env: {} });
}

async function turn(route: Route, input: unknown[] = [{ type: "message", role: "user", content: "news?" }]): Promise<{ events: StreamEvent[]; body: any }> {
  const events: StreamEvent[] = [];
  for await (const e of streamers(route).streamTurn({ input }, { sessionId: "sess-ws" })) events.push(e);
  const rec = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").at(-1)!;
  return { events, body: rec.transport === "websocket" ? rec.frames!.at(-1) : rec.body };
}

describe("Codex native web search", () => {
  it("live mode (default) sends external_web_access: true over SSE; the call arrives as item.done", async () => {
    emu.script({ webSearch: { query: "codex news" }, text: "Here." });
    const { body, events } = await turn(codexRoute({ enabled: true }));
    expect(body.tools).toEqual([{ type: "web_search", external_web_access: true }]);
    expect(body.tool_choice).toBe("auto");
    expect(events.find((e) => e.type === "item.done" && e.item.type === "web_search_call")).toMatchObject({ item: { status: "completed", action: { query: "codex news" } } });
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
  });

  it("cached mode sends external_web_access: false over WebSocket, with context size and domains", async () => {
    emu.script({ webSearch: { query: "cached" }, text: "ok" });
    const { body } = await turn(codexRoute({ enabled: true, mode: "cached", contextSize: "medium", allowedDomains: ["openai.com"] }, { transport: "websocket" }));
    expect(emu.requests.at(-1)!.transport).toBe("websocket");
    expect(body).toMatchObject({ type: "response.create", store: false });
    expect(body.tools).toEqual([{ type: "web_search", external_web_access: false, search_context_size: "medium", filters: { allowed_domains: ["openai.com"] } }]);
  });

  it("is not sent when disabled, pinned to another provider, or the backend is not native", async () => {
    for (const [search, native] of [[undefined, true], [{ enabled: true, provider: "brave" }, true], [{ enabled: true }, false]] as const) {
      emu.script({ text: "ok" });
      const route = codexRoute(search, { native });
      const { body } = await turn(route);
      expect(body.tools).toBeUndefined();
      expect(route.webSearch.status).not.toBe("native");
    }
  });

  it("replays the web_search_call item on the next turn (store: false) and the backend accepts it", async () => {
    emu.script({ webSearch: { query: "first" }, text: "one" }, { text: "two" });
    const route = codexRoute({ enabled: true });
    const first = await turn(route);
    const done = first.events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
    const second = await turn(route, [{ type: "message", role: "user", content: "news?" }, ...done.output, { type: "message", role: "user", content: "more" }]);
    expect(second.events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    expect(second.body.input.map((i: { type: string }) => i.type)).toEqual(["message", "web_search_call", "message", "message"]);
  });

  it("shapes the tool purely, and leaves tools out when nothing is offered", () => {
    expect(codexWebSearchTool({})).toEqual({ type: "web_search", external_web_access: true });
    expect(codexWebSearchTool({ mode: "cached", allowedDomains: [] })).toEqual({ type: "web_search", external_web_access: false });
    const body = buildCodexRequestBody({ model: "gpt-5.5", sessionId: "s", input: [] }, { native: true });
    expect([body.tools, body.tool_choice]).toEqual([undefined, undefined]);
  });
});
