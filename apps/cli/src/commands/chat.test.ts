import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";

// These tests drive the built CLI (apps/cli/dist) in a real terminal (tmux) against the emulator.
const BIN = resolve(import.meta.dirname, "../../dist/genesis.js");
const KEY = "sk-test-chat-0123456789";
const built = existsSync(BIN);
const hasTmux = (() => {
  try {
    execFileSync("tmux", ["-V"]);
    return built;
  } catch {
    return false;
  }
})();

let emu: Emulator;
let home: string;
const tmuxSession = `genesis-chat-${process.pid}`;

// A private tmux server (-L), so the test neither sees nor disturbs anyone else's sessions.
const socket = `genesis-test-${process.pid}`;
function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
}
const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", tmuxSession);
async function waitFor(pred: (s: string) => boolean, what: string, ms = 8_000): Promise<string> {
  const end = Date.now() + ms;
  let s = "";
  while (Date.now() < end) {
    s = screen();
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; requests: ${emu.requests.map((r) => `${r.transport} ${r.path}`).join(", ")}; screen:\n${s}`);
}
const count = (s: string, needle: string) => s.split(needle).length - 1;
function send(text: string): void {
  tmux("send-keys", "-t", tmuxSession, "-l", text);
  tmux("send-keys", "-t", tmuxSession, "Enter");
}

beforeAll(async () => {
  if (!built) return;
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-chat-"));
  await writeFile(join(home, "genesis.json5"), JSON.stringify({
    models: { providers: { openai: { baseUrl: emu.apiBase, endpointClass: "native-openai" } } },
  }));
});
afterAll(async () => {
  if (!built) return;
  try {
    if (hasTmux) tmux("kill-server");
  } catch {
    // already gone
  }
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)("genesis chat in a real terminal", () => {
  it("shows /status and /fast, and Ctrl-C aborts a turn without leaving", async () => {
    // Keep the pane open after the program exits so its exit status can be read.
    const cmd = `GENESIS_HOME=${home} OPENAI_API_KEY=${KEY} ${process.execPath} ${BIN} chat; echo "[exited $?]"; sleep 60`;
    tmux("new-session", "-d", "-s", tmuxSession, "-c", home, "-x", "200", "-y", "80", cmd);
    await waitFor((s) => s.includes("Genesis chat: session"), "the banner");

    send("hello there");
    await waitFor((s) => s.includes("Echo: hello there"), "the first reply");

    send("/status");
    let s = await waitFor((x) => x.includes("Tokens:"), "/status");
    expect(s).toContain("Model: openai/gpt-5.4");
    expect(s).toContain("Runtime: Genesis Pi Default");
    expect(s).toMatch(/Transport: auto \(last turn: websocket\); WebSocket: ok/);
    expect(s).toContain("Fast mode: off (default)");
    expect(s).toMatch(/Tokens: \d+ total .* over 1 turn\(s\)/);

    send("/fast on");
    await waitFor((x) => x.includes("Fast mode: on (session); service_tier: priority"), "/fast on");
    send("fast turn");
    await waitFor((x) => x.includes("Echo: fast turn"), "the fast reply");
    const frames = emu.requests.filter((r) => r.transport === "websocket").flatMap((r) => r.frames ?? []) as { input?: { content?: unknown }[]; service_tier?: string; generate?: boolean }[];
    const turns = frames.filter((f) => f.generate !== false);
    expect(turns.at(-1)?.service_tier).toBe("priority");
    expect(turns[0]?.service_tier).toBeUndefined();

    send("/fast status");
    await waitFor((x) => count(x, "Fast mode: on (session)") >= 2, "/fast status");
    send("/fast off");
    await waitFor((x) => x.includes("Fast mode: off (session)"), "/fast off");

    // A turn that stalls mid-stream: Ctrl-C aborts it, the program stays.
    emu.fault({ kind: "stall", afterEvents: 3, ms: 20_000 });
    emu.script({ text: "this reply will stall halfway through its stream" });
    send("stall please");
    await new Promise((r) => setTimeout(r, 400));
    tmux("send-keys", "-t", tmuxSession, "C-c");
    await waitFor((x) => x.includes("[aborted]"), "the abort notice");
    send("/status");
    s = await waitFor((x) => (x.match(/^Tokens: .*$/gm) ?? []).length >= 2, "/status after abort");
    expect(s).toMatch(/over 3 turn\(s\)/);

    send("/tool read_file path=genesis.json5");
    await waitFor((x) => x.includes("endpointClass"), "/tool read_file");

    send("/exit");
    await waitFor((x) => x.includes("bye") && x.includes("[exited 0]"), "exit");
  }, 40_000);
});

describe.skipIf(!hasTmux)("genesis agent", () => {
  it("streams one turn with a tool call and prints the session id", async () => {
    emu.script({ toolCalls: [{ name: "get_time", arguments: {} }] }, { text: "It is time." });
    const child = spawn(process.execPath, [BIN, "agent", "--message", "what time is it?"], {
      env: { PATH: process.env.PATH, GENESIS_HOME: home, OPENAI_API_KEY: KEY },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    expect(code).toBe(0);
    expect(out).toBe("It is time.\n");
    expect(err).toMatch(/\[tool\] get_time \{\}/);
    expect(err).toMatch(/session: s-\S+/);
  });

  it("--json prints one event per line; --session continues a session and --model switches it", async () => {
    const first = await runPiped(["agent", "--json", "--message", "one"], "");
    expect(first.code, first.err).toBe(0);
    const events = first.out.trim().split("\n").map((l) => JSON.parse(l) as { type: string; sessionId?: string; outcome?: string; text?: string });
    expect(events[0]).toMatchObject({ type: "turn.started", runtime: "pi", model: "openai/gpt-5.4" });
    expect(events.find((e) => e.type === "turn.done")).toMatchObject({ outcome: "completed", text: "Echo: one" });
    const sessionId = events.at(-1)!.sessionId!;
    expect(events.at(-1)).toEqual({ type: "session", sessionId: expect.stringMatching(/^s-/) });

    const second = await runPiped(["agent", "--session", sessionId, "--model", "openai/gpt-5.4-mini", "--message", "two"], "");
    expect(second.code, second.err).toBe(0);
    expect(second.out).toBe("Echo: two\n");
    expect(second.err).toContain(`session: ${sessionId}`);
    const last = emu.requests.filter((r) => r.path === "/v1/responses").flatMap((r) => (r.transport === "websocket" ? r.frames ?? [] : [r.body])).at(-1) as { model: string; input: { role?: string; content?: unknown }[] };
    expect(last.model).toBe("gpt-5.4-mini");
    // the history of the continued session is replayed
    expect(last.input.map((i) => i.role)).toEqual(["user", "assistant", "user"]);
    expect([last.input[0]!.content, last.input[2]!.content]).toEqual(["one", "two"]);
  });

  it("fails with the route's hint when no key is configured", async () => {
    const child = spawn(process.execPath, [BIN, "agent", "--message", "hi"], { env: { PATH: process.env.PATH, GENESIS_HOME: home } });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    expect(code).toBe(1);
    expect(err).toMatch(/needs an API key/);
    expect(err).toMatch(/OPENAI_API_KEY/);
  });
});

/** Run the built CLI with `input` piped to stdin (not a terminal); resolves at exit. */
function runPiped(args: string[], input: string): Promise<{ code: number; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: home, env: { PATH: process.env.PATH, GENESIS_HOME: home, OPENAI_API_KEY: KEY } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (err += d));
  child.stdin.end(input);
  return new Promise((r) => child.on("close", (c) => r({ code: c ?? -1, out, err })));
}

describe.skipIf(!built)("genesis chat with piped stdin (scripts, pnpm demo)", () => {
  it("runs slash commands and turns as a transcript and leaves on /exit", async () => {
    emu.reset();
    const { code, out, err } = await runPiped(["chat"], "/status\n/fast on\n/status\nhello piped\n/exit\nnever read\n");
    expect(code, err).toBe(0);
    expect(out).not.toMatch(/^> $/m); // no bare prompts in a transcript
    expect(out).toContain("> /status\nSession: s-");
    expect(out).toMatch(/Runtime: Genesis Pi Default\nTransport: auto; WebSocket: ok\nFast mode: off \(default\)/);
    expect(out).toContain("> /fast on\nFast mode: on (session); service_tier: priority\n");
    expect(out).toMatch(/Fast mode: on \(session\); service_tier: priority\nExecution contract/);
    expect(out).toContain("> hello piped\nEcho: hello piped\n");
    expect(out).toMatch(/> \/exit\nbye\n$/);
    expect(out).not.toContain("never read");
    const turn = emu.requests.filter((r) => r.path === "/v1/responses").flatMap((r) => (r.transport === "websocket" ? r.frames ?? [] : [r.body])).at(-1) as { service_tier?: string };
    expect(turn.service_tier).toBe("priority");
  });

  it("Ctrl-C (SIGINT) with piped stdin aborts the running turn and leaves", async () => {
    emu.reset();
    const child = spawn(process.execPath, [BIN, "chat"], { cwd: home, env: { PATH: process.env.PATH, GENESIS_HOME: home, OPENAI_API_KEY: KEY } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const closed = new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    const waitOut = async (text: string) => {
      const until = Date.now() + 8_000;
      while (!out.includes(text)) {
        if (Date.now() > until) throw new Error(`no "${text}" in:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    child.stdin.write("first\n"); // the session's first turn carries the WebSocket warm-up
    await waitOut("Echo: first\n");
    emu.fault({ kind: "stall", afterEvents: 2, ms: 20_000 });
    emu.script({ text: "this reply will stall halfway through its stream" });
    child.stdin.write("stall please\n"); // stdin stays open: only the signal can end this
    await waitOut("> stall please\n");
    const turns = () => emu.requests.flatMap((r) => r.frames ?? []).filter((f) => (f as { generate?: boolean }).generate !== false).length;
    while (turns() < 2) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    child.kill("SIGINT");
    expect(await closed).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(err, out).toContain("[aborted]");
    expect(out).not.toContain("halfway through its stream");
  });

  it("ends cleanly at end of input without /exit", async () => {
    const { code, out } = await runPiped(["chat"], "/fast status\n");
    expect(code).toBe(0);
    expect(out).toMatch(/> \/fast status\nFast mode: off \(default\)\n$/);
  });
});
