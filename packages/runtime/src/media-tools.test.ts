import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pngSize, startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent, type Agent } from "./create-agent.js";

let emu: Emulator;
let home: string;
let agent: Agent | undefined;
const KEY = "sk-media-tools-test-0123456789";

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-media-tools-"));
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  emu.reset();
  await rm(home, { recursive: true, force: true });
});

/** The emulator is on 127.0.0.1, a private address: image calls need the documented opt-in. */
async function config(allowPrivate: boolean) {
  const doc = {
    models: { providers: { openai: { baseUrl: emu.apiBase, apiKey: KEY, endpointClass: "native-openai" } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, models: { "openai/gpt-5.4": { params: { transport: "sse" } } } } },
    browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: allowPrivate } },
  };
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
}

const toolResults = (result: Awaited<ReturnType<Agent["run"]>>) =>
  result.events.filter((e): e is Extract<typeof e, { type: "tool.result" }> => e.type === "tool.result");

describe("media tools in createAgent", () => {
  it("offers image_generate and video_generate by default, with their schemas sent to the model", async () => {
    await config(true);
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    expect(agent.tools.list().map((t) => t.name)).toEqual(["get_time", "read_file", "image_generate", "video_generate"]);
    emu.script({ text: "ok" });
    await agent.run("hi");
    const body = emu.requests.find((r) => r.path === "/v1/responses")!.body as { tools: { name: string; parameters: { properties: object } }[] };
    const image = body.tools.find((t) => t.name === "image_generate")!;
    expect(Object.keys(image.parameters.properties)).toEqual(expect.arrayContaining(["prompt", "size", "count", "image"]));
    expect(body.tools.some((t) => t.name === "video_generate")).toBe(true);
  });

  it("runs a model's image_generate call against the Images API and hands back the file", async () => {
    await config(true);
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    emu.script({ toolCalls: [{ name: "image_generate", arguments: { prompt: "a glass fox", size: "1536x864", count: 1 }, callId: "img_1" }] }, { text: "Here it is." });
    const result = await agent.run("Draw a glass fox");
    expect(result.outcome).toBe("completed");
    const images = emu.requests.filter((r) => r.path === "/v1/images/generations");
    expect(images).toHaveLength(1);
    expect(images[0]!.headers.authorization).toBe("Bearer [redacted]");
    expect(images[0]!.body).toMatchObject({ model: "gpt-image-2", prompt: "a glass fox", size: "1536x864", n: 1 });
    const [toolResult] = toolResults(result);
    expect(toolResult).toMatchObject({ name: "image_generate", isError: false });
    const answer = JSON.parse(toolResult!.output) as { images: { path: string }[] };
    const bytes = await readFile(answer.images[0]!.path);
    expect(pngSize(bytes)).toEqual({ width: 1536, height: 864 });
    expect(answer.images[0]!.path.startsWith(join(home, "media", "images"))).toBe(true);
    // The model saw the tool's answer on the next request.
    const followUp = emu.requests.filter((r) => r.path === "/v1/responses").at(-1)!.body as { input: { type: string; output?: string }[] };
    expect(followUp.input.find((i) => i.type === "function_call_output")!.output).toContain(answer.images[0]!.path);
  });

  it("keeps the private-network block unless config opts in, and tells the model how to fix it", async () => {
    await config(false);
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    emu.script({ toolCalls: [{ name: "image_generate", arguments: { prompt: "x" }, callId: "img_2" }] }, { text: "Blocked." });
    const result = await agent.run("Draw");
    const [toolResult] = toolResults(result);
    expect(toolResult!.isError).toBe(true);
    expect(toolResult!.output).toMatch(/dangerouslyAllowPrivateNetwork/);
    expect(toolResult!.output).not.toContain(KEY);
    expect(emu.requests.filter((r) => r.path.startsWith("/v1/images"))).toHaveLength(0);
  });

  it("rejects a bad video_generate call before any request, with the reason in the tool output", async () => {
    await config(true);
    agent = createAgent({ env: { GENESIS_HOME: home }, cwd: home });
    emu.script({ toolCalls: [{ name: "video_generate", arguments: { prompt: "waves", seconds: "5" }, callId: "vid_1" }] }, { text: "Fixing." });
    const result = await agent.run("Make a clip");
    const [toolResult] = toolResults(result);
    expect(toolResult).toMatchObject({ name: "video_generate", isError: true });
    expect(toolResult!.output).toMatch(/seconds/);
    expect(emu.requests.filter((r) => r.path.startsWith("/v1/videos"))).toHaveLength(0);
    await expect(stat(join(home, "media", "videos"))).rejects.toThrow();
  });

  it("plugins.entries.openai.enabled: false makes both tools answer the switch and the fix, with no media request", async () => {
    // The agent itself runs on an Azure deployment: only openai/* routes and the media tools are switched off.
    const doc = {
      models: { providers: { "azure-openai-responses": { baseUrl: emu.url, endpointClass: "azure", models: [{ id: "chat-dep" }] }, openai: { baseUrl: emu.apiBase, apiKey: KEY } } },
      agents: { defaults: { model: { primary: "azure-openai-responses/chat-dep" }, models: { "azure-openai-responses/chat-dep": { params: { transport: "sse" } } } } },
      browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } },
      plugins: { entries: { openai: { enabled: false } } },
    };
    await writeFile(join(home, "genesis.json5"), JSON.stringify(doc));
    agent = createAgent({ env: { GENESIS_HOME: home, AZURE_OPENAI_API_KEY: "azure-key-0123456789abcdef" }, cwd: home });
    emu.script(
      { toolCalls: [{ name: "image_generate", arguments: { prompt: "x" }, callId: "img_off" }, { name: "video_generate", arguments: { prompt: "y" }, callId: "vid_off" }] },
      { text: "Both are off." },
    );
    const result = await agent.run("Draw and film");
    expect(result.outcome).toBe("completed");
    const results = toolResults(result);
    expect(results.map((r) => [r.name, r.isError])).toEqual([["image_generate", true], ["video_generate", true]]);
    for (const r of results) {
      expect(r.output).toContain("plugins.entries.openai.enabled is false");
      expect(r.output).toContain("genesis config set plugins.entries.openai.enabled true");
      expect(r.output).not.toContain(KEY);
    }
    expect(emu.requests.filter((r) => r.path.startsWith("/v1/images") || r.path.startsWith("/v1/videos"))).toEqual([]);
    expect(emu.requests.filter((r) => r.path === "/openai/v1/responses")).toHaveLength(2);
  });
});
