import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppServerProcess, RpcReplyError } from "./app-server-process.js";
import { CodexHarnessError } from "./errors.js";
import { resolveCodexBinary } from "./resolve-codex-binary.js";
import { bundleHarness } from "./__fixtures__/bundle-harness.js";
import { codexLeftUnder, isLive } from "./__fixtures__/process-state.js";

const bin = resolveCodexBinary();
const peer = join(import.meta.dirname, "__fixtures__", "asking-peer.mjs");
const scratch = mkdtempSync(join(tmpdir(), "genesis-codex-proc-"));
const started: AppServerProcess[] = [];
const start = (opts: Parameters<typeof AppServerProcess.start>[0]) => {
  const p = AppServerProcess.start(opts);
  started.push(p);
  return p;
};

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close(200)));
});
afterAll(async () => {
  // Every app-server this file started, including the hosts' children, is gone.
  expect(await codexLeftUnder(scratch)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

describe("AppServerProcess with the real codex binary", () => {
  it("initializes as genesis, in a Genesis-owned CODEX_HOME", async () => {
    const home = join(scratch, "home-init");
    const proc = start({ bin, codexHome: home });
    const res = await proc.request<{ userAgent: string; codexHome: string }>("initialize", {
      clientInfo: { name: "genesis", title: "Genesis", version: "1.2.3" },
      capabilities: null,
    });
    expect(res.userAgent).toMatch(/^genesis\/0\.169\.0 /);
    expect(res.codexHome).toBe(home);
    expect(existsSync(home)).toBe(true);
  });

  it("turns a JSON-RPC error answer into a typed codex_rpc_error", async () => {
    const proc = start({ bin, codexHome: join(scratch, "home-rpc") });
    const err = await proc.request("thread/start", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodexHarnessError);
    expect(err).toMatchObject({ code: "codex_rpc_error", method: "thread/start", rpcCode: expect.any(Number) });
    expect((err as Error).message).toMatch(/not initialized/i);
  });

  it("fails in-flight requests with codex_app_server_exited when the process dies", async () => {
    // `node app-server` fails to find that script and exits: a server that dies early.
    const proc = start({ bin: process.execPath, codexHome: join(scratch, "home-die") });
    const err = await proc.request("initialize", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "codex_app_server_exited" });
    expect(proc.alive).toBe(false);
    await expect(proc.request("initialize", {})).rejects.toMatchObject({ code: "codex_app_server_exited" });
  });
});

describe("AppServerProcess against a scripted JSON-RPC peer", () => {
  // The peer ignores the `app-server` argument; node runs it as the "binary".
  const peerOpts = (env: Record<string, string> = {}) => ({
    bin: process.execPath,
    codexHome: join(scratch, "home-peer"),
    env: { ...process.env, ...env },
  });

  it("times out a request the server never answers", async () => {
    const proc = start({ ...peerOpts({ PEER_SILENT: "1" }), command: [peer], requestTimeoutMs: 150 });
    const t0 = Date.now();
    await expect(proc.request("initialize", {})).rejects.toMatchObject({ code: "codex_request_timeout", method: "initialize" });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("answers an unknown server request with a well-formed method-not-found error", async () => {
    const notes: Array<[string, any]> = [];
    const proc = start({ ...peerOpts(), command: [peer], onNotification: (m, p) => notes.push([m, p]) });
    await proc.request("ask", { x: 1 });
    await waitFor(() => notes.some(([m]) => m === "echo"));
    const echo = notes.find(([m]) => m === "echo")![1];
    expect(echo).toEqual({ id: "srv-1", error: { code: -32601, message: "Genesis does not handle the server request genesis/unknownThing." } });
  });

  it("answers with the handler's result, or its RpcReplyError", async () => {
    const notes: Array<[string, any]> = [];
    const proc = start({
      ...peerOpts({ PEER_ASK: "item/tool/requestUserInput" }),
      command: [peer],
      onNotification: (m, p) => notes.push([m, p]),
      onServerRequest: async (method, params) => {
        if ((params as { fail?: boolean }).fail) throw new RpcReplyError(-32000, "nope");
        return { handled: method };
      },
    });
    await proc.request("ask", {});
    await waitFor(() => notes.length === 1);
    expect(notes[0]![1]).toEqual({ id: "srv-1", result: { handled: "item/tool/requestUserInput" } });
    await proc.request("ask", { fail: true });
    await waitFor(() => notes.length === 2);
    expect(notes[1]![1]).toEqual({ id: "srv-1", error: { code: -32000, message: "nope" } });
  });
});

describe("no orphans", () => {
  const child = join(import.meta.dirname, "__fixtures__", "exit-hook-child.mjs");
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleHarness(join(scratch, "bundle"));
  });

  it("kills the app-server when the host process exits", async () => {
    const out = execFileSync(process.execPath, [child, bundle, bin, join(scratch, "home-exit"), "exit"], { encoding: "utf8" });
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    // The exit hook SIGKILLs the group synchronously: nothing is left by the time we look.
    expect(isLive(pid)).toBe(false);
  });

  it("leaves no app-server behind when the host is SIGKILLed (the server exits on stdin EOF)", async () => {
    const host = spawn(process.execPath, [child, bundle, bin, join(scratch, "home-crash"), "hang"], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(host.stdout, "data")) as [Buffer];
    const pid = Number(line.toString().trim());
    expect(isLive(pid)).toBe(true);
    host.kill("SIGKILL");
    await waitFor(() => !isLive(pid), 10_000);
    expect(isLive(pid)).toBe(false);
  });

  it("close() leaves no process in the server's group", async () => {
    const proc = start({ bin, codexHome: join(scratch, "home-close") });
    await proc.request("initialize", { clientInfo: { name: "genesis", title: null, version: "0" }, capabilities: null });
    const pid = proc.pid;
    await new Promise((r) => setTimeout(r, 300)); // let it spawn its helpers (git, ...)
    await proc.close();
    expect(isLive(pid)).toBe(false);
    // Live members of its process group; killed helpers may linger a moment as zombies.
    const group = () =>
      spawnSync("ps", ["-o", "pid=,stat=,cmd=", "-g", String(pid)])
        .stdout.toString()
        .split("\n")
        .filter((l) => l.trim() && !/^\s*\d+\s+Z/.test(l));
    expect(group()).toEqual([]);
  });
});

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
