import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createAgent, type Agent } from "./create-agent.js";
import { formatStatus } from "./agent-status.js";

let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-agent-websearch-0123456789";

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-agent-websearch-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

async function config(search: Record<string, unknown>): Promise<void> {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { transport: "sse" } } } } },
    tools: { web: { search } },
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

const bodies = () => emu.requests.filter((r) => r.path === "/v1/responses").map((r) => r.body as any);

describe("web search in an agent session", () => {
  it("sends the native tool, keeps the web_search_call in the transcript, replays it, and /status says native", async () => {
    await config({ enabled: true, allowedDomains: ["nodejs.org"] });
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    emu.script({ webSearch: { query: "node 24 release" }, text: "Node 24 is out." });
    const result = await agent.run("Is Node 24 out?");
    expect(result).toMatchObject({ outcome: "completed", text: "Node 24 is out." });
    const web = bodies()[0].tools.find((t: { type: string }) => t.type === "web_search");
    expect(web).toEqual({ type: "web_search", filters: { allowed_domains: ["nodejs.org"] } });

    const file = await readFile(join(home, "sessions", `${result.sessionId}.jsonl`), "utf8");
    const items = file.trim().split("\n").map((l) => JSON.parse(l)).at(-1).entries.filter((e: any) => e.type === "item").map((e: any) => e.item);
    expect(items.map((i: any) => i.type)).toEqual(["message", "web_search_call", "message"]);
    expect(items[1]).toMatchObject({ status: "completed", action: { type: "search", query: "node 24 release" } });

    emu.script({ text: "Yes." });
    await agent.run("Sure?", { sessionId: result.sessionId });
    const second = bodies().at(-1);
    expect(second.input.map((i: any) => i.type)).toEqual(["message", "web_search_call", "message", "message"]);
    expect(second.input[1].id).toBe(items[1].id);

    const status = await agent.status(result.sessionId);
    expect(status.webSearch).toBe("native");
    expect(formatStatus(status)).toContain("Web search: native");
  });

  it("a pinned provider keeps the tool out and /status names it", async () => {
    await config({ enabled: true, provider: "brave" });
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    emu.script({ text: "ok" });
    const result = await agent.run("hi");
    expect(JSON.stringify(bodies()[0].tools ?? [])).not.toContain("web_search");
    const status = await agent.status(result.sessionId);
    expect(formatStatus(status)).toContain("Web search: pinned to brave");
  });

  it("off by default: no status line", async () => {
    await config({});
    agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: KEY }, cwd: home });
    emu.script({ text: "ok" });
    const result = await agent.run("hi");
    const status = await agent.status(result.sessionId);
    expect(status.webSearch).toBe("off");
    expect(formatStatus(status)).not.toContain("Web search");
  });
});
