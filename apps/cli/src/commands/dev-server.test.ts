import { PassThrough } from "node:stream";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../_args.js";
import type { CommandContext } from "../_context.js";
import { run, valueFlags } from "./dev-server.js";

function context(argv: string[], signal: AbortSignal): { ctx: CommandContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const ctx: CommandContext = { argv, args: parseArgs(argv, new Set(valueFlags)), env: {}, stdout, stderr, stdin: new PassThrough(), signal };
  return { ctx, out: () => out, err: () => err };
}

async function waitFor(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("genesis dev-server", () => {
  it("serves the emulator, prints the setup, logs requests and stops on Ctrl-C", async () => {
    const abort = new AbortController();
    const c = context(["--reply", "hello from dev"], abort.signal);
    const done = run(c.ctx);
    await waitFor(() => c.out().includes("Ctrl-C"));
    const base = /export OPENAI_BASE_URL=(\S+)/.exec(c.out())![1]!;
    expect(c.out()).toContain(`genesis config set models.providers.openai.baseUrl ${base}`);
    expect(c.out()).toMatch(/GENESIS_CODEX_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/backend-api\/codex/);
    const res = await fetch(`${base}/responses`, { method: "POST", headers: { authorization: "Bearer sk-test", "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.4", input: "hi" }) });
    const body = (await res.json()) as { output: { content: { text: string }[] }[] };
    expect(body.output[0]!.content[0]!.text).toBe("hello from dev");
    expect(c.err()).toContain("POST /v1/responses");
    abort.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${base}/models`)).rejects.toThrow();
  });

  it("--no-validate accepts bodies the spec rejects; --quiet logs nothing", async () => {
    const bad = { model: "gpt-5.4", input: "hi", service_tier: "turbo" };
    const send = (base: string): Promise<Response> => fetch(`${base}/responses`, { method: "POST", headers: { authorization: "Bearer sk-test", "content-type": "application/json" }, body: JSON.stringify(bad) });
    for (const [argv, status] of [[["--quiet"], 400], [["--quiet", "--no-validate"], 200]] as const) {
      const abort = new AbortController();
      const c = context([...argv], abort.signal);
      const done = run(c.ctx);
      await waitFor(() => c.out().includes("Ctrl-C"));
      const res = await send(/export OPENAI_BASE_URL=(\S+)/.exec(c.out())![1]!);
      expect(res.status, argv.join(" ")).toBe(status);
      if (status === 400) expect(await res.json()).toMatchObject({ error: { param: "service_tier" } });
      abort.abort();
      expect(await done).toBe(0);
      expect(c.err()).toBe("");
    }
  });

  it("reports a busy port with a hint, and rejects a bad --port", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const c = context(["--port", String(port)], new AbortController().signal);
      expect(await run(c.ctx)).toBe(1);
      expect(c.err()).toContain("port in use");
      expect(c.err()).toContain("hint:");
    } finally {
      blocker.close();
    }
    await expect(run(context(["--port", "99999"], new AbortController().signal).ctx)).rejects.toThrow(/--port/);
  });
});
