import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPng, startEmulator, type Emulator } from "@genesis/testkit";
import { createAgent, type Agent } from "@genesis/runtime";
import { parseToolArgs, runSlashCommand, splitWords, type ChatState } from "./_chat-commands.js";

let emu: Emulator;
let home: string;
let agent: Agent;
let state: ChatState;

beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-slash-"));
  await writeFile(join(home, "genesis.json5"), JSON.stringify({
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
    // The emulator is on loopback: the image tool's SSRF guard needs the opt-in.
    browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } },
    agents: { defaults: { models: { "openai/gpt-5.4": { params: { fastMode: true } } } } },
  }));
  agent = createAgent({ env: { GENESIS_HOME: home, OPENAI_API_KEY: "sk-slash-0123456789" }, cwd: home });
  state = { sessionId: (await agent.createSession()).id, exit: false };
});
afterAll(async () => {
  await agent.close();
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

const slash = (line: string) => runSlashCommand(agent, state, line, home);

describe("chat slash commands", () => {
  it("parses quoted words and typed key=value arguments", () => {
    expect(splitWords('tool image_generate prompt="A poster, with commas" size=1024x1024 count=1 note=\'it\\\'s\'')).toEqual([
      "tool", "image_generate", "prompt=A poster, with commas", "size=1024x1024", "count=1", "note=it's",
    ]);
    expect(parseToolArgs(["count=1", "hd=true", "size=1024x1024", "x=null"])).toEqual({ count: 1, hd: true, size: "1024x1024", x: null });
    expect(() => parseToolArgs(["oops"])).toThrow(/key=value/);
    // A repeated key is a list, in order; a single one stays a plain value.
    expect(parseToolArgs(["image=a.png", "n=1", "image=b.png", "image=c.png"])).toEqual({ image: ["a.png", "b.png", "c.png"], n: 1 });
    expect(parseToolArgs(["constructor=x", "toString=y"])).toEqual({ constructor: "x", toString: "y" });
    expect(() => splitWords('a "b')).toThrow(/unterminated/);
  });

  it("/fast follows config, overrides per session, and /fast default clears the override", async () => {
    expect(await slash("/fast")).toBe("Fast mode: on (config); service_tier: priority");
    expect(await slash("/fast off")).toBe("Fast mode: off (session)");
    expect(await slash("/fast default")).toBe("Fast mode: on (config); service_tier: priority");
    await expect(slash("/fast maybe")).rejects.toThrow(/\/fast status\|on\|off/);
  });

  it("/model switches the session's model; /new and /reset start fresh sessions", async () => {
    expect(await slash("/model openai/gpt-5.4-mini")).toMatch(/^Model: openai\/gpt-5\.4-mini via native-openai/);
    const before = state.sessionId;
    expect(await slash("/new")).toMatch(/^New session s-\S+: openai\/gpt-5\.4 \(Runtime: Genesis Pi Default\)$/);
    expect(state.sessionId).not.toBe(before);
    const mid = state.sessionId;
    await slash("/reset");
    expect(state.sessionId).not.toBe(mid);
  });

  it("/tool image_generate sends every repeated image= as a reference image of one edit", async () => {
    await writeFile(join(home, "ref-a.png"), renderPng(64, 64, "a"));
    await writeFile(join(home, "ref-b.png"), renderPng(64, 64, "b"));
    const out = await slash('/tool image_generate prompt="Make them glass" image=ref-a.png image=ref-b.png size=1024x1024');
    const rec = emu.requests.at(-1)!;
    expect([rec.method, rec.path]).toEqual(["POST", "/v1/images/edits"]);
    const body = rec.body as { fields: Record<string, string>; files: { field: string; filename: string }[] };
    expect(body.files.map((f) => [f.field, f.filename])).toEqual([["image[]", "ref-a.png"], ["image[]", "ref-b.png"]]);
    expect(body.fields).toMatchObject({ model: "gpt-image-2", prompt: "Make them glass", size: "1024x1024" });
    expect(out).toMatch(/\.png/);
  });

  it("/tool runs a registered tool directly; unknown commands and tools are usage errors", async () => {
    await writeFile(join(home, "hello.txt"), "hi there");
    expect(await slash('/tool read_file path="hello.txt"')).toBe("hi there");
    await expect(slash("/tool nope")).rejects.toThrow(/no tool 'nope' \(tools: get_time, read_file, image_generate, video_generate\)/);
    await expect(slash("/frobnicate")).rejects.toThrow(/unknown command/);
    expect(await slash("/status")).toContain("Runtime: Genesis Pi Default");
    expect(await slash("/exit")).toBe("bye");
    expect(state.exit).toBe(true);
  });
});
