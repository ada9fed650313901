import { PassThrough } from "node:stream";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { parseArgs } from "../_args.js";
import type { CommandContext } from "../_context.js";
import { run, valueFlags } from "./models-list.js";

let emu: Emulator;
let home: string;
beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-live-"));
  await writeFile(join(home, "genesis.json5"), JSON.stringify({ models: { providers: { openai: { baseUrl: emu.apiBase } } } }));
});
afterAll(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

async function list(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d));
  stderr.on("data", (d: Buffer) => (err += d));
  const argv = ["--provider", "openai", "--json", "--all"];
  const ctx: CommandContext = { argv, args: parseArgs(argv, new Set(valueFlags)), env, stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal };
  const code = await run(ctx);
  return { code, out, err };
}

describe("models list --provider openai (live merge)", () => {
  it("merges GET /v1/models into the catalog when a key is configured", async () => {
    emu.reset();
    const { code, out } = await list({ GENESIS_HOME: home, OPENAI_API_KEY: "sk-live-0123456789" });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { ref: string; live?: string }[];
    expect(rows.find((r) => r.ref === "openai/gpt-5.4")?.live).toBe("listed");
    const req = emu.requests.find((r) => r.path === "/v1/models")!;
    expect(req.method).toBe("GET");
    expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-live-0123456789");
  });

  it("makes no live call without a key", async () => {
    emu.reset();
    const { code, out } = await list({ GENESIS_HOME: home });
    expect(code).toBe(0);
    expect(emu.requests.filter((r) => r.path === "/v1/models")).toHaveLength(0);
    expect((JSON.parse(out) as { live?: string }[]).every((r) => r.live === undefined)).toBe(true);
  });

  it("a failing live call falls back to the catalog with a note", async () => {
    emu.reset();
    emu.fault({ kind: "http-status", status: 500, times: 5, match: { path: "/v1/models" } });
    const { code, out, err } = await list({ GENESIS_HOME: home, OPENAI_API_KEY: "sk-live-0123456789" });
    expect(code).toBe(0);
    expect(err).toMatch(/live model listing failed/);
    expect(err).not.toContain("sk-live-0123456789");
    expect(JSON.parse(out).length).toBeGreaterThan(0);
  });
});
