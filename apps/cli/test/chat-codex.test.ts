import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEntry, ensureBuilt, root } from "./_cli.js";

// `genesis chat` on a session created while embeddedHarness.runtime is "codex": the turn runs
// in the real Codex app-server (from the built @genesis/runtime) against the emulator, and
// /status names the runtime. Needs the workspace built (`pnpm test` / `npx turbo run build`).
const KEY = "sk-cli-codex-chat-0123456789";
let emu: Emulator;
let home: string;

beforeAll(async () => {
  await ensureBuilt();
  const runtimeDist = join(root, "packages", "runtime", "dist", "index.js");
  if (!existsSync(runtimeDist) || !readFileSync(runtimeDist, "utf8").includes("createCodexTurnRunner")) {
    throw new Error("packages/runtime/dist is missing or stale: run `npx turbo run build` first.");
  }
  // Bodies are validated against the official spec: one turn replays no reasoning item (whose
  // `"content": null` from Codex 0.169.0 the spec would reject).
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-cli-codex-"));
  const config = {
    models: { providers: { openai: { baseUrl: emu.apiBase } } },
    agents: { defaults: { model: { primary: "openai/gpt-5.4" }, embeddedHarness: { runtime: "codex" } } },
  };
  await writeFile(join(home, "genesis.json5"), JSON.stringify(config));
}, 180_000);
afterAll(async () => {
  await emu?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("genesis chat with the Codex app-server harness", () => {
  it("runs the turn in the app-server and shows Runtime: OpenAI Codex in /status", async () => {
    emu.script({ text: "Hello from Codex in the CLI" });
    const child = spawn(process.execPath, [cliEntry, "chat"], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, GENESIS_HOME: home, OPENAI_API_KEY: KEY },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const waitFor = async (text: string) => {
      const until = Date.now() + 20_000;
      while (!stdout.includes(text)) {
        if (Date.now() > until) throw new Error(`no "${text}" in:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await waitFor("Runtime: OpenAI Codex");
    child.stdin.write("/status\n");
    await waitFor("Runtime: OpenAI Codex\n");
    child.stdin.write("Say hello\n");
    await waitFor("Hello from Codex in the CLI");
    child.stdin.write("/exit\n");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/\(Runtime: OpenAI Codex\)/);

    const call = emu.requests.find((r) => r.path === "/v1/responses")!;
    expect(emu.authHeaderOf(call.id)).toBe(`Bearer ${KEY}`);
    expect(call.headers.originator).toBe("genesis");
    // The CLI's exit took its app-server down with it.
    const left = spawnSync("pgrep", ["-f", "codex app-server"]).stdout.toString().trim().split("\n").filter(Boolean);
    const environ = (pid: string) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8");
      } catch {
        return ""; // exited meanwhile, or not ours to read
      }
    };
    for (const pid of left) expect(environ(pid)).not.toContain(`CODEX_HOME=${join(home, "codex")}`);
  });
});
