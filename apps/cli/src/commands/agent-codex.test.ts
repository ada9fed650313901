import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs } from "../_args.js";
import type { CommandContext } from "../_context.js";
import * as agent from "./agent.js";

// `genesis agent --model openai-codex/gpt-5.5` with nothing but config
// `auth.openaiCodex.{issuer,codexBaseUrl}` pointing at the emulator: no models.providers
// override and no GENESIS_CODEX_* variables. The stored token is expired, so the turn must
// refresh against the configured issuer (the default issuer is unreachable here) and then
// reach the configured Codex backend.
let emu: Emulator;
let home: string;
beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-cli-agent-codex-"));
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

function context(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const env = { GENESIS_HOME: home, HOME: home, PATH: process.env.PATH ?? "" };
  const ctx: CommandContext = { argv, args: parseArgs(argv, new Set(agent.valueFlags)), env, stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal };
  return { ctx, out: () => out, err: () => err };
}

describe("genesis agent --model openai-codex/gpt-5.5", () => {
  it.each([
    ["…/backend-api", ""],
    ["…/backend-api/codex", "/codex"],
    ["…/codex/responses", "/codex/responses"],
  ])("runs a turn with only auth.openaiCodex configured (codexBaseUrl %s), refreshing at the configured issuer", async (_label, suffix) => {
    const issued = emu.auth.issueTokens({ accountId: "acct_cli", expiresInSec: 3600 });
    await mkdir(join(home, "auth"), { recursive: true, mode: 0o700 });
    const profile = {
      kind: "oauth", provider: "openai-codex", access: issued.access_token, refresh: issued.refresh_token, accountId: "acct_cli",
      expiresAt: Date.now() - 1000, updatedAt: Date.now() - 2000,
    };
    await writeFile(join(home, "auth", "profiles.json"), JSON.stringify({ version: 1, profiles: { "openai-codex": profile } }), { mode: 0o600 });
    const config = { auth: { openaiCodex: { issuer: emu.authIssuer, codexBaseUrl: `${emu.url}/backend-api${suffix}` } } };
    await writeFile(join(home, "genesis.json5"), JSON.stringify(config));
    emu.script({ text: "pong from codex" });

    const c = context(["--model", "openai-codex/gpt-5.5", "--message", "ping"]);
    expect(await agent.run(c.ctx), c.err()).toBe(0);
    expect(c.out()).toContain("pong from codex");

    // Exactly one refresh, at the configured issuer, with the stored refresh token.
    const token = emu.requests.filter((r) => r.path === "/oauth/token");
    expect(token).toHaveLength(1);
    expect(emu.auth.refreshCount).toBe(1);
    const saved = JSON.parse(await readFile(join(home, "auth", "profiles.json"), "utf8")).profiles["openai-codex"];
    expect(saved.refresh).not.toBe(issued.refresh_token);
    // The turn went to the Codex backend with the refreshed token and the Codex body rules.
    const turns = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
    expect(turns.length).toBeGreaterThanOrEqual(1);
    const turn = turns.find((r) => r.transport === "http") ?? turns[0]!;
    expect(turn.headers["chatgpt-account-id"]).toBe("acct_cli");
    expect(emu.authHeaderOf(turn.id)).toBe(`Bearer ${saved.access}`);
    const body = (turn.transport === "http" ? turn.body : (turn.frames ?? []).find((f) => (f as { generate?: boolean }).generate !== false)) as Record<string, unknown>;
    expect(body).toMatchObject({ model: "gpt-5.5", store: false, include: ["reasoning.encrypted_content"] });
    expect(typeof body.prompt_cache_key).toBe("string");
    for (const secret of [issued.access_token, issued.refresh_token, saved.access, saved.refresh]) {
      expect(c.out()).not.toContain(secret);
      expect(c.err()).not.toContain(secret);
    }
  });
});
