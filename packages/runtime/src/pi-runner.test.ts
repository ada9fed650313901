import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createOpenAIProvider, type OpenAIProvider, type OpenAIRoute } from "@genesis/openai";
import { createPiRunner } from "./pi-runner.js";
import { builtinTools } from "./builtin-tools.js";
import type { AgentEvent, TurnInput, TurnRoute } from "./turn-runner.js";
import type { ToolDefinition } from "./tool-registry.js";
import { ACT_NOW_STEER } from "./strict-agentic.js";

let emu: Emulator;
let dir: string;
const providers: OpenAIProvider[] = [];

beforeAll(async () => {
  emu = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), "genesis-pi-"));
  await writeFile(join(dir, "notes.txt"), "the answer is 42\n");
});
afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  emu.reset();
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

function setup(over: Partial<TurnRoute> = {}, tools: ToolDefinition[] = builtinTools()) {
  const openaiRoute: OpenAIRoute = {
    provider: "openai", modelId: "gpt-5.4", endpointClass: "native-openai", api: "responses", baseUrl: emu.apiBase, transport: "sse", contextWindow: 400_000, params: {},
  };
  const runner = createPiRunner({
    provider: () => {
      const p = createOpenAIProvider({ route: openaiRoute, apiKey: "sk-runner-0123456789" });
      providers.push(p);
      return p;
    },
  });
  const route: TurnRoute = { ref: "openai/gpt-5.4", provider: "openai", model: "gpt-5.4", runtime: "pi", ...over };
  const input = (message: string): TurnInput => ({
    sessionId: "sess-pi", turnId: "turn-1", route, message, instructions: "You are a test agent.", history: [], tools, params: {}, runnerState: {}, cwd: dir,
  });
  return { runner, input };
}

async function collect(it: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const bodies = () => emu.requests.filter((r) => r.path === "/v1/responses").map((r) => r.body as any);

describe("pi runner: the agent loop", () => {
  it("runs a tool call, feeds the result back as function_call_output, then answers", async () => {
    emu.script({ toolCalls: [{ name: "read_file", arguments: { path: "notes.txt" }, callId: "call_1" }] }, { text: "The file says 42." });
    const { runner, input } = setup();
    const events = await collect(runner.runTurn(input("What does notes.txt say?")));
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "turn.done", outcome: "completed", text: "The file says 42.", steps: 2 });
    expect(events).toContainEqual({ type: "tool.call", callId: "call_1", name: "read_file", arguments: '{"path":"notes.txt"}' });
    expect(events).toContainEqual({ type: "tool.result", callId: "call_1", name: "read_file", output: "the answer is 42\n", isError: false });
    const [first, second] = bodies();
    expect(first.instructions).toBe("You are a test agent.");
    expect(first.tools.map((t: any) => t.name)).toEqual(["get_time", "read_file"]);
    expect(first.input).toEqual([{ type: "message", role: "user", content: "What does notes.txt say?" }]);
    expect(second.input.at(-1)).toEqual({ type: "function_call_output", call_id: "call_1", output: "the answer is 42\n" });
    expect(second.input.some((i: any) => i.type === "function_call" && i.call_id === "call_1")).toBe(true);
    expect(events.filter((e) => e.type === "text.delta").map((e: any) => e.delta).join("")).toBe("The file says 42.");
  });

  it("reports tool errors to the model instead of failing (outside cwd, unknown tool, bad JSON)", async () => {
    emu.script(
      { toolCalls: [{ name: "read_file", arguments: { path: "../../etc/passwd" }, callId: "c1" }, { name: "nope", arguments: {}, callId: "c2" }, { name: "get_time", arguments: "{not json", callId: "c3" }] },
      { text: "done" },
    );
    const { runner, input } = setup();
    const events = await collect(runner.runTurn(input("try things")));
    const results = events.filter((e) => e.type === "tool.result") as Extract<AgentEvent, { type: "tool.result" }>[];
    expect(results.map((r) => r.isError)).toEqual([true, true, true]);
    expect(results[0]!.output).toMatch(/outside the working directory|no file/);
    expect(results[1]!.output).toMatch(/no tool named 'nope'/);
    expect(results[2]!.output).toMatch(/not valid JSON/);
    expect(events.at(-1)).toMatchObject({ outcome: "completed", text: "done" });
  });

  it("aborts mid-stream with outcome aborted", async () => {
    emu.fault({ kind: "stall", afterEvents: 2, ms: 5_000 });
    emu.script({ text: "a long answer that stalls" });
    const { runner, input } = setup();
    const ctl = new AbortController();
    const events: AgentEvent[] = [];
    setTimeout(() => ctl.abort(), 150);
    const t0 = Date.now();
    for await (const e of runner.runTurn(input("hi"), { signal: ctl.signal })) events.push(e);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(events.at(-1)).toMatchObject({ type: "turn.done", outcome: "aborted" });
  });

  it("a server failure ends the turn as failed with the error code", async () => {
    emu.script({ status: "failed", error: { code: "server_error", message: "boom" } });
    const { runner, input } = setup();
    const events = await collect(runner.runTurn(input("hi")));
    expect(events.at(-1)).toMatchObject({ outcome: "failed", errorCode: expect.any(String) });
  });
});

describe("pi runner: strict-agentic contract", () => {
  const strict = { executionContract: "strict-agentic" } as const;

  it("a plan-only reply is retried with an act-now steer, then the model acts", async () => {
    emu.script({ text: "I will read the file and then tell you what it says." }, { toolCalls: [{ name: "read_file", arguments: { path: "notes.txt" } }] }, { text: "It says 42." });
    const { runner, input } = setup(strict);
    const events = await collect(runner.runTurn(input("What does notes.txt say?")));
    expect(events).toContainEqual({ type: "turn.retry", reason: "plan_only", attempt: 1 });
    expect(events.at(-1)).toMatchObject({ outcome: "completed", text: "It says 42." });
    expect(bodies()[1].input.at(-1)).toEqual({ type: "message", role: "user", content: ACT_NOW_STEER });
  });

  it("repeated plan-only replies end in an explicit blocked state", async () => {
    for (let i = 0; i < 3; i++) emu.script({ text: "Here's the plan: 1. read the file 2. summarize it. I'll start soon." });
    const { runner, input } = setup(strict);
    const events = await collect(runner.runTurn(input("Summarize notes.txt")));
    expect(events.filter((e) => e.type === "turn.retry")).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: "turn.done", outcome: "blocked", errorCode: "strict_agentic_blocked" });
    expect(bodies()).toHaveLength(3);
  });

  it("offers update_plan for substantial work, surfaces plans and rate-limits the tool", async () => {
    const plan = { plan: [{ step: "read", status: "in_progress" }, { step: "report", status: "pending" }] };
    emu.script(
      { toolCalls: Array.from({ length: 5 }, (_, i) => ({ name: "update_plan", arguments: plan, callId: `p${i}` })) },
      { text: "Finished: the file says 42." },
    );
    const { runner, input } = setup(strict);
    const events = await collect(runner.runTurn(input("Investigate notes.txt, then summarize it, then list the steps you took to check it.")));
    expect(bodies()[0].tools.map((t: any) => t.name)).toContain("update_plan");
    expect(events.filter((e) => e.type === "plan.updated")).toHaveLength(4);
    const results = events.filter((e) => e.type === "tool.result") as Extract<AgentEvent, { type: "tool.result" }>[];
    expect(results.at(-1)).toMatchObject({ isError: true, output: expect.stringMatching(/limit reached/) });
    expect(events.at(-1)).toMatchObject({ outcome: "completed" });
  });

  it("does not apply to non-GPT-5 models or without the contract", async () => {
    emu.script({ text: "I will do it later." });
    const { runner, input } = setup({ executionContract: "strict-agentic", model: "gpt-4.1", ref: "openai/gpt-4.1" });
    expect((await collect(runner.runTurn(input("do it")))).at(-1)).toMatchObject({ outcome: "completed" });
    emu.script({ text: "I will do it later." });
    const plain = setup();
    expect((await collect(plain.runner.runTurn(plain.input("do it")))).at(-1)).toMatchObject({ outcome: "completed" });
    expect(bodies().every((b) => !b.tools.some((t: any) => t.name === "update_plan"))).toBe(true);
  });
});
