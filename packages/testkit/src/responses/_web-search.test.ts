import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSocket, post, sseFrames } from "../__fixtures__/clients.js";
import { signJwt } from "../_jwt.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ now: () => 1_800_000_000_000 });
});
afterEach(() => emu.close());

type Event = { type: string; sequence_number: number; item?: Record<string, any>; item_id?: string; output_index?: number };

const SEARCH_EVENTS = ["response.web_search_call.in_progress", "response.web_search_call.searching", "response.web_search_call.completed"];
const SOURCES = [
  { url: "https://nodejs.org/api/fs.html", title: "File system | Node.js" },
  { url: "https://blog.example.net/fs", title: "A blog" },
];

function request(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: "gpt-5.4", input: "how do I read a file in node?", tools: [{ type: "web_search" }], stream: true, ...extra };
}

async function sse(url: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Event[]> {
  const r = await post(url, body, headers);
  expect(r.status, r.text).toBe(200);
  return sseFrames(r.text).map((f) => JSON.parse(f.data) as Event);
}

describe("web_search hosted tool", () => {
  it("streams a web_search_call item with its progress events before the text", async () => {
    emu.script({ webSearch: { query: "node read file", sources: SOURCES }, text: "Use fs.readFile." });
    const events = await sse(`${emu.apiBase}/responses`, request());
    expect(events.map((e) => e.type).slice(2, 7)).toEqual(["response.output_item.added", ...SEARCH_EVENTS, "response.output_item.done"]);
    const added = events[2]!;
    expect(added.item).toMatchObject({ type: "web_search_call", status: "in_progress" });
    for (const e of events.filter((x) => SEARCH_EVENTS.includes(x.type))) expect([e.item_id, e.output_index]).toEqual([added.item!.id, 0]);
    const done = events[6]!.item!;
    // Without include, the sources stay out of the action (like the real API).
    expect(done).toEqual({ type: "web_search_call", id: added.item!.id, status: "completed", action: { type: "search", query: "node read file", queries: ["node read file"] } });
    const final = events.at(-1) as unknown as { type: string; response: { output: Record<string, any>[] } };
    expect(final.type).toBe("response.completed");
    expect(final.response.output.map((o) => o.type)).toEqual(["web_search_call", "message"]);
    const part = final.response.output[1]!.content[0];
    expect(part.text).toBe("Use fs.readFile.");
    expect(part.annotations.map((a: { url: string }) => a.url)).toEqual(SOURCES.map((s) => s.url));
  });

  it("fills action.sources when include asks, honouring filters.allowed_domains", async () => {
    emu.script({ webSearch: { query: "node fs", sources: SOURCES } });
    const body = request({ stream: false, include: ["web_search_call.action.sources"], tools: [{ type: "web_search", filters: { allowed_domains: ["nodejs.org"] }, search_context_size: "low" }] });
    const r = await post(`${emu.apiBase}/responses`, body);
    const response = JSON.parse(r.text) as { output: Record<string, any>[] };
    expect(response.output[0]!.action.sources).toEqual([{ type: "url", url: "https://nodejs.org/api/fs.html" }]);
    expect(response.output[1]!.content[0].text).toBe("Here is what I found about node fs.");
    expect(response.output[1]!.content[0].annotations).toEqual([
      { type: "url_citation", url: "https://nodejs.org/api/fs.html", title: "File system | Node.js", start_index: 0, end_index: 35 },
    ]);
  });

  it("accepts the call item back as input on the next turn (spec validation on)", async () => {
    emu.script({ webSearch: { query: "q" }, text: "found it" });
    const first = JSON.parse((await post(`${emu.apiBase}/responses`, request({ stream: false, include: ["web_search_call.action.sources"] }))).text) as { output: unknown[] };
    const replay = await post(`${emu.apiBase}/responses`, request({ stream: false, input: [{ role: "user", content: "q" }, ...first.output, { role: "user", content: "more" }] }));
    expect(replay.status, replay.text).toBe(200);
    // The same check fails a call item without its action, so the 200 above means something.
    const broken = await post(`${emu.apiBase}/responses`, request({ stream: false, input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] }));
    expect(broken.status).toBe(400);
  });

  it("does nothing when the request offers no web_search tool", async () => {
    emu.script({ webSearch: { query: "ignored" }, text: "plain" });
    const events = await sse(`${emu.apiBase}/responses`, request({ tools: undefined }));
    expect(events.some((e) => e.type.startsWith("response.web_search_call"))).toBe(false);
    expect((events.at(-1) as unknown as { response: { output: { type: string }[] } }).response.output.map((o) => o.type)).toEqual(["message"]);
  });

  it("rejects a tool that breaks the spec, naming the field", async () => {
    const r = await post(`${emu.apiBase}/responses`, request({ tools: [{ type: "web_search", search_context_size: "huge" }] }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.param).toMatch(/^tools\[0\]/);
  });

  it("works the same over WebSocket and on the Codex backend (external_web_access)", async () => {
    const s = await openSocket(emu.wsUrl("/v1/responses"));
    emu.script({ webSearch: { query: "ws" } });
    s.ws.send(JSON.stringify({ type: "response.create", ...request({ stream: undefined }) }));
    const overWs = await s.untilTerminal();
    expect(overWs.map((m) => m.type).filter((t) => t.startsWith("response.web_search_call"))).toEqual(SEARCH_EVENTS);
    s.ws.close();

    const token = signJwt({ exp: 1_800_003_600, "https://api.openai.com/auth": { chatgpt_account_id: "acct_1" } });
    emu.script({ webSearch: { query: "codex" }, text: "ok" });
    const codexBody = { ...request(), instructions: "x", store: false, tools: [{ type: "web_search", external_web_access: false }] };
    const events = await sse(`${emu.codexBase}/responses`, codexBody, { authorization: `Bearer ${token}`, "chatgpt-account-id": "acct_1" });
    expect(events.filter((e) => e.type.startsWith("response.web_search_call")).map((e) => e.type)).toEqual(SEARCH_EVENTS);
  });
});
