import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { StreamEvent } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultApprovalPolicy, type ApprovalRequest } from "./approval-policy.js";
import type { AgentEvent } from "../turn-runner.js";
import { CodexAppServerClient, type CodexThreadSettings } from "./client.js";
import { createCodexTurnRunner } from "./codex-turn-runner.js";
import { CodexHarnessError } from "./errors.js";
import { bundleHarness } from "./__fixtures__/bundle-harness.js";
import { codexLeftUnder, isLive } from "./__fixtures__/process-state.js";

// End-to-end with the REAL codex binary against the testkit emulator. One emulator and one
// shared app-server serve the whole file (that is also what production does). Every body Codex
// sends is validated against the official OpenAPI spec. Reasoning is off here
// (model_reasoning_effort="none") because Codex 0.169.0 replays earlier reasoning items with
// `"content": null`, which the spec's ReasoningItem (`content`: array, not nullable) rejects;
// codex-agent.test.ts runs with reasoning on (and validation off) and covers that path.
const KEY = "sk-genesis-harness-test-0123456789";
const CONTRACT = "GENESIS-GPT5-CONTRACT: follow through; verify before you finish.";
let emu: Emulator;
let client: CodexAppServerClient;
let scratch: string;
let settings: CodexThreadSettings;
const pids = new Set<number>();
const approvals: ApprovalRequest[] = [];
let approve = false;
let useDefaultPolicy = false;

const inputText = (body: any): string => JSON.stringify(body?.input ?? []);

async function collect(it: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (client.pid) pids.add(client.pid);
  }
  return out;
}
const text = (events: StreamEvent[]) =>
  events.flatMap((e) => (e.type === "text.delta" ? [e.delta] : [])).join("");

beforeAll(async () => {
  emu = await startEmulator();
  scratch = mkdtempSync(join(tmpdir(), "genesis-codex-e2e-"));
  settings = { cwd: join(scratch, "work"), model: "gpt-5.4", developerInstructions: CONTRACT };
  mkdirSync(settings.cwd, { recursive: true });
  client = new CodexAppServerClient({
    codexHome: join(scratch, "codex-home"),
    endpoint: { baseUrl: emu.apiBase, apiKey: KEY, requestMaxRetries: 0, streamMaxRetries: 0 },
    extraArgs: ["-c", 'model_reasoning_effort="none"'],
    approvalHandler: (req) => {
      approvals.push(req);
      return useDefaultPolicy ? defaultApprovalPolicy(req) : approve ? "accept" : "decline";
    },
  });
});
beforeEach(() => {
  emu.reset();
  approvals.length = 0;
  approve = false;
  useDefaultPolicy = false;
});
afterAll(async () => {
  await client?.close();
  await emu?.close();
  // No app-server this file started may outlive it.
  for (const pid of pids) expect(isLive(pid), `codex pid ${pid} still alive`).toBe(false);
  // Nor any process at all running with one of this file's CODEX_HOMEs (helpers included).
  expect(await codexLeftUnder(scratch)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

describe("Codex app-server harness (real binary, emulator upstream)", () => {
  let threadId: string;

  it("streams a turn and sends it to the configured endpoint with our key and identity", async () => {
    threadId = await client.startThread(settings);
    emu.script({ text: "Hello from the emulator", usage: { input: 120, cached: 20, output: 9 } });
    const events = await collect(client.runTurn({ threadId, text: "Say hello", settings }));

    expect(events[0]).toMatchObject({ type: "response.started", transport: "app-server", model: "gpt-5.4" });
    expect(text(events)).toBe("Hello from the emulator");
    expect(events.filter((e) => e.type === "text.delta").length).toBeGreaterThan(1);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "response.done", status: "completed" });
    if (done.type !== "response.done") throw new Error("unreachable");
    expect(done.usage).toEqual({ input: 100, cacheRead: 20, output: 9, reasoning: 0, total: 129 });
    expect(done.output.at(-1)).toMatchObject({ type: "message", role: "assistant", content: [{ type: "output_text", text: "Hello from the emulator" }] });

    const calls = emu.requests.filter((r) => r.path === "/v1/responses");
    expect(calls).toHaveLength(1);
    const req = calls[0]!;
    expect(req.method).toBe("POST");
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
    expect(req.headers.originator).toBe("genesis");
    expect(req.headers["user-agent"]).toMatch(/^genesis\/0\.169\.0/);
    const body = req.body as any;
    expect(body).toMatchObject({ model: "gpt-5.4", stream: true, store: false, reasoning: { effort: "none" } });
    // The GPT-5 contract arrives as developer instructions; Codex keeps its own base prompt.
    const developer = body.input.filter((i: any) => i.role === "developer").map((i: any) => JSON.stringify(i.content));
    expect(developer.join("\n")).toContain(CONTRACT);
    expect(inputText(body)).toContain("You are a coding agent");
    expect(body.input.at(-1)).toMatchObject({ role: "user", content: [{ type: "input_text", text: "Say hello" }] });
  });

  it("runs a second turn on the same thread, replaying the first", async () => {
    emu.script({ text: "Second answer" });
    const events = await collect(client.runTurn({ threadId, text: "And again?", settings }));
    expect(text(events)).toBe("Second answer");
    const body = emu.requests.find((r) => r.path === "/v1/responses")!.body;
    const replay = inputText(body);
    expect(replay).toContain("Say hello");
    expect(replay).toContain("Hello from the emulator");
    expect(replay).toContain("And again?");
  });

  it("resumes the recorded thread from a new host process", async () => {
    const bundle = await bundleHarness(join(scratch, "bundle"));
    // Codex lets one process write a thread at a time: this host's server goes away first
    // (as when a CLI exits); the shared client starts a new one on its next call.
    await client.stop();
    emu.script({ text: "Resumed fine" });
    const opts = {
      codexHome: join(scratch, "codex-home"),
      endpoint: { baseUrl: emu.apiBase, apiKey: KEY, requestMaxRetries: 0, streamMaxRetries: 0 },
      sessionId: "s-resume",
      model: "gpt-5.4",
      message: "Third, from another process",
      instructions: CONTRACT,
      runnerState: { codexThreadId: threadId },
      cwd: settings.cwd,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, "__fixtures__", "resume-child.mjs"), bundle, JSON.stringify(opts)], {
      timeout: 20_000,
    });
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    const childPid = events.find((e) => e.type === "pid")!.pid as number;
    pids.add(childPid);
    expect(childPid).not.toBe(client.pid);
    // A recorded thread is resumed, not replaced: no new runner state is reported.
    expect(events.some((e) => e.type === "runner.state")).toBe(false);
    expect(events.filter((e) => e.type === "text.delta").map((e) => e.delta).join("")).toBe("Resumed fine");
    expect(events.find((e) => e.type === "turn.done")).toMatchObject({ outcome: "completed", text: "Resumed fine" });
    const replay = inputText(emu.requests.find((r) => r.path === "/v1/responses")!.body);
    expect(replay).toContain("Say hello");
    expect(replay).toContain("Second answer");
    expect(isLive(childPid)).toBe(false);
  });

  it("interrupts a running turn on abort", async () => {
    emu.fault({ kind: "stall", afterEvents: 6, ms: 15_000 });
    emu.script({ text: "This reply will be cut off somewhere in the middle of its sentence" });
    const ac = new AbortController();
    const events: StreamEvent[] = [];
    const t0 = Date.now();
    for await (const e of client.runTurn({ threadId, text: "Long one", settings, signal: ac.signal })) {
      events.push(e);
      if (e.type === "response.started") setTimeout(() => ac.abort(), 150);
    }
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "incomplete", reason: "interrupted" });

    // Already aborted: nothing is sent upstream at all.
    emu.reset();
    const pre = await collect(client.runTurn({ threadId, text: "Never sent", settings, signal: AbortSignal.abort() }));
    expect(pre).toEqual([expect.objectContaining({ type: "response.done", status: "incomplete", reason: "interrupted" })]);
    expect(emu.requests).toHaveLength(0);
  });

  it("routes a command approval through the policy: declined, then accepted", async () => {
    const call = (callId: string) => ({
      name: "exec_command",
      callId,
      arguments: { cmd: "echo approved-by-genesis > out.txt", sandbox_permissions: "require_escalated", justification: "write a file" },
    });
    emu.script({ toolCalls: [call("call_decline")] }, { text: "It was declined." });
    const declined = await collect(client.runTurn({ threadId, text: "Write out.txt", settings }));
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ kind: "command", threadId, workingDirectory: settings.cwd });
    expect((approvals[0] as { command: string }).command).toContain("echo approved-by-genesis > out.txt");
    expect(declined.find((e) => e.type === "item.done" && e.item.type === "codex.commandExecution")).toMatchObject({ item: { status: "declined" } });
    expect(existsSync(join(settings.cwd, "out.txt"))).toBe(false);
    const followUp = emu.requests.filter((r) => r.path === "/v1/responses")[1]!.body as any;
    expect(followUp.input.some((i: any) => i.type === "function_call_output" && i.call_id === "call_decline")).toBe(true);

    approve = true;
    emu.script({ toolCalls: [call("call_accept")] }, { text: "Done." });
    const accepted = await collect(client.runTurn({ threadId, text: "Write out.txt again", settings }));
    expect(approvals).toHaveLength(2);
    expect(accepted.find((e) => e.type === "tool_call.done")).toMatchObject({ name: "shell" });
    expect(readFileSync(join(settings.cwd, "out.txt"), "utf8").trim()).toBe("approved-by-genesis");
    expect(text(accepted)).toBe("Done.");
  });

  it("routes apply_patch file changes through the default policy: outside declined, inside accepted", async () => {
    useDefaultPolicy = true;
    const patch = (path: string, line: string) => `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ${path}\n+${line}\n*** End Patch\nEOF\n`;
    // scratch lies in /tmp, which Codex's sandbox would let it write unasked; Genesis turns that off.
    const outside = join(scratch, "outside.txt");
    emu.script({ toolCalls: [{ name: "exec_command", callId: "call_patch_out", arguments: { cmd: patch(outside, "escaped") } }] }, { text: "Declined." });
    const declined = await collect(client.runTurn({ threadId, text: "Patch outside", settings }));
    expect(approvals).toEqual([expect.objectContaining({ kind: "fileChange", threadId, paths: [outside], workingDirectory: settings.cwd })]);
    expect(existsSync(outside)).toBe(false);
    expect(declined.find((e) => e.type === "item.done" && e.item.type === "codex.fileChange")).toMatchObject({ item: { status: "declined", changes: [{ path: outside }] } });
    const followUp = emu.requests.filter((r) => r.path === "/v1/responses")[1]!.body as any;
    expect(followUp.input.some((i: any) => i.type === "function_call_output" && i.call_id === "call_patch_out")).toBe(true);

    // Inside the working directory Codex applies patches unasked under on-request; untrusted asks.
    approvals.length = 0;
    const strict: CodexThreadSettings = { ...settings, approvalPolicy: "untrusted" };
    const strictThread = await client.startThread(strict);
    emu.script({ toolCalls: [{ name: "exec_command", callId: "call_patch_in", arguments: { cmd: patch("inside.txt", "patched inside") } }] }, { text: "Patched." });
    const accepted = await collect(client.runTurn({ threadId: strictThread, text: "Patch inside", settings: strict }));
    expect(approvals).toEqual([expect.objectContaining({ kind: "fileChange", threadId: strictThread, paths: [join(settings.cwd, "inside.txt")] })]);
    expect(readFileSync(join(settings.cwd, "inside.txt"), "utf8")).toBe("patched inside\n");
    expect(accepted.find((e) => e.type === "tool_call.done")).toMatchObject({ name: "apply_patch" });
    expect(accepted.find((e) => e.type === "item.done" && e.item.type === "codex.fileChange")).toMatchObject({ item: { status: "completed" } });
  });

  it("turns a usage-limit answer into codex_usage_limit with the reset time", async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    emu.fault({ kind: "usage-limit", planType: "plus", resetsAt });
    const err = await collect(client.runTurn({ threadId, text: "One more", settings })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodexHarnessError);
    // API-key mode knows no plan; Codex's wording for Plus ("Upgrade to Pro") names it.
    expect(err).toMatchObject({ code: "codex_usage_limit", codexErrorInfo: "usageLimitExceeded", threadId, planType: "plus" });
    expect((err as CodexHarnessError).message).toMatch(
      /^You’ve hit your usage limit\. Upgrade to Pro \(https:\/\/chatgpt\.com\/explore\/pro\), visit https:\/\/chatgpt\.com\/settings\/usage to purchase more credits or try again at .+\.$/,
    );
    // Codex words the reset as a local wall-clock minute; we recover it to within a minute.
    expect(Math.abs((err as CodexHarnessError).resetsAt! - resetsAt)).toBeLessThanOrEqual(60);
    expect((err as CodexHarnessError).hint).toBeTruthy();
  });

  it("fails the turn clearly when the app-server is killed mid-turn, then restarts for the next", async () => {
    emu.fault({ kind: "stall", afterEvents: 6, ms: 15_000 });
    emu.script({ text: "This reply never finishes because the server dies" });
    const before = client.starts;
    const victim = client.pid!;
    const events: StreamEvent[] = [];
    const err = await (async () => {
      for await (const e of client.runTurn({ threadId, text: "Doomed", settings })) {
        events.push(e);
        // First streamed delta (the emulator sends a reasoning summary before the text).
        if ((e.type === "text.delta" || e.type === "reasoning.delta") && isLive(victim)) process.kill(victim, "SIGKILL");
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "codex_app_server_exited", threadId, signal: "SIGKILL" });
    expect(isLive(victim)).toBe(false);

    emu.script({ text: "Back again" });
    const next = await collect(client.runTurn({ threadId, text: "Still there?", settings }));
    expect(text(next)).toBe("Back again");
    expect(client.starts).toBe(before + 1);
    expect(client.pid).not.toBe(victim);
    // The new process resumed the same thread: the history is replayed.
    expect(inputText(emu.requests.find((r) => r.path === "/v1/responses")!.body)).toContain("Say hello");
  });
});

describe("error mapping and the codex TurnRunner", () => {
  it("maps a context-window failure to codex_context_window_exceeded", async () => {
    const threadId = await client.startThread(settings);
    emu.script({ status: "failed", error: { code: "context_length_exceeded", message: "Your input exceeds the context window of this model." } });
    const err = await collect(client.runTurn({ threadId, text: "Huge", settings })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "codex_context_window_exceeded", codexErrorInfo: "contextWindowExceeded", threadId });
    expect((err as CodexHarnessError).hint).toMatch(/\/new/);
  });

  it("records the thread id as runner state on a session's first turn and reuses it after", async () => {
    const runner = createCodexTurnRunner({ client });
    expect(runner).toMatchObject({ id: "codex", label: "OpenAI Codex" });
    const input = {
      sessionId: "s-runner",
      turnId: "t1",
      route: { ref: "openai/gpt-5.4", provider: "openai", model: "gpt-5.4", runtime: "codex" as const },
      message: "First runner turn",
      instructions: CONTRACT,
      history: [],
      tools: [],
      params: {},
      runnerState: {} as Record<string, unknown>,
      cwd: settings.cwd,
    };
    emu.script({ text: "Runner says hi" });
    const first: AgentEvent[] = [];
    for await (const e of runner.runTurn(input)) first.push(e);
    const state = first.find((e) => e.type === "runner.state");
    expect(state).toMatchObject({ state: { codexThreadId: expect.any(String) } });
    expect(first.at(-1)).toMatchObject({ type: "turn.done", outcome: "completed", text: "Runner says hi", transport: "app-server" });

    emu.script({ text: "Runner again" });
    const second: AgentEvent[] = [];
    const runnerState = (state as { state: Record<string, unknown> }).state;
    for await (const e of runner.runTurn({ ...input, turnId: "t2", message: "Second runner turn", runnerState })) second.push(e);
    expect(second.some((e) => e.type === "runner.state")).toBe(false);
    expect(second.at(-1)).toMatchObject({ type: "turn.done", outcome: "completed", text: "Runner again" });
    expect(inputText(emu.requests.filter((r) => r.path === "/v1/responses").at(-1)!.body)).toContain("First runner turn");

    emu.fault({ kind: "usage-limit", planType: "pro" });
    const failed: AgentEvent[] = [];
    for await (const e of runner.runTurn({ ...input, turnId: "t3", message: "Third", runnerState })) failed.push(e);
    expect(failed.at(-1)).toMatchObject({ type: "turn.done", outcome: "failed", errorCode: "codex_usage_limit" });
    await runner.close(); // does not close a client it was given
    expect(client.pid).toBeDefined();
  });
});
