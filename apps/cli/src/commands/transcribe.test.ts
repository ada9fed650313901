import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { cliEntry, ensureBuilt, root } from "../../test/_cli.js";

const KEY = "sk-cli-stt-canary-0123456789";
const WAV = join(root, "packages", "speech", "src", "__fixtures__", "tone.wav");
const AIFF = join(root, "packages", "speech", "src", "__fixtures__", "tone.aiff");

/** Run the built CLI asynchronously (the emulator lives in this process) with a clean env. */
function genesis(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

interface Multipart {
  fields: Record<string, string>;
  files: { field: string; filename: string; contentType: string; size: number }[];
}

let emu: Emulator;
let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt(["core", "transport", "speech"]);
  emu = await startEmulator();
  home = mkdtempSync(join(tmpdir(), "genesis-stt-"));
  env = { HOME: home, GENESIS_HOME: home, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: emu.apiBase };
}, 300_000);
afterAll(async () => {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});

const sttCalls = () => emu.requests.filter((r) => r.path === "/v1/audio/transcriptions");

describe("genesis transcribe", () => {
  it("prints the transcript of a TTS round-trip and forwards --language/--prompt", async () => {
    emu.reset();
    const speech = await fetch(`${emu.apiBase}/audio/speech`, {
      method: "POST",
      headers: { authorization: "Bearer sk-setup-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini-tts", input: "genesis speaks", voice: "coral", response_format: "wav" }),
    });
    const file = join(home, "reply.wav");
    writeFileSync(file, Buffer.from(await speech.arrayBuffer()));
    const r = await genesis(["transcribe", file, "--language", "en", "--prompt", "Genesis"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("genesis speaks\n");
    const call = sttCalls()[0]!;
    expect(emu.authHeaderOf(call.id)).toBe(`Bearer ${KEY}`);
    expect((call.body as Multipart).fields).toEqual({ model: "gpt-4o-transcribe", response_format: "json", language: "en", prompt: "Genesis" });
    expect((call.body as Multipart).files[0]).toMatchObject({ field: "file", filename: "reply.wav", contentType: "audio/wav" });
  });

  it("--json prints the result; the config entry supplies model and language", async () => {
    emu.reset();
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-stt-cfg-"));
    try {
      writeFileSync(join(cfgHome, "genesis.json5"), `{ tools: { media: { audio: { models: [{ type: "provider", provider: "openai", model: "whisper-1", language: "de" }] } } } }`);
      const r = await genesis(["transcribe", WAV, "--json"], { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome });
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as { text: string; language: string; durationSec: number; model: string };
      expect(result).toMatchObject({ text: "Emulated transcript of tone.wav.", language: "german", model: "whisper-1" });
      expect(result.durationSec).toBeCloseTo(0.25, 2);
      expect((sttCalls()[0]!.body as Multipart).fields).toMatchObject({ model: "whisper-1", response_format: "verbose_json", language: "de" });
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });

  it("exits 2 naming the flag for bad arguments and 1 for bad files, without any request", async () => {
    emu.reset();
    const usage: [string[], RegExp][] = [
      [["transcribe"], /audio file is required/],
      [["transcribe", WAV, WAV], /one file at a time/],
      [["transcribe", WAV, "--model", "gpt-5"], /--model: unknown transcription model "gpt-5"[\s\S]*hint: Use one of: gpt-4o-transcribe/],
      [["transcribe", WAV, "--language", "English"], /--language: language "English" is not an ISO-639-1 code/],
      [["transcribe", WAV, "--model", "gpt-4o-transcribe-diarize", "--prompt", "Ada"], /--prompt: gpt-4o-transcribe-diarize does not take a prompt/],
      [["transcribe", WAV, "--speed", "2"], /unknown option --speed/],
      [["transcribe", WAV, "--prompt"], /--prompt needs a value/],
    ];
    for (const [args, message] of usage) {
      const r = await genesis(args, env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const missing = await genesis(["transcribe", join(home, "missing.wav")], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/audio file not found: .*missing\.wav/);
    const aiff = await genesis(["transcribe", AIFF], env);
    expect(aiff.code).toBe(1);
    expect(aiff.stderr).toMatch(/not in a supported audio container[\s\S]*hint: Convert it to wav/);
    expect(sttCalls()).toHaveLength(0);
  });

  it("retries a 429 and exits 1 on a 401 without printing the key", async () => {
    emu.reset();
    emu.fault({ match: { path: "/v1/audio/transcriptions" }, kind: "rate-limit", retryAfterMs: "10" });
    const ok = await genesis(["transcribe", WAV], env);
    expect(ok.code).toBe(0);
    expect(sttCalls()).toHaveLength(2);
    expect(readFileSync(WAV).length).toBe((sttCalls()[1]!.body as Multipart).files[0]!.size);
    const strict = await startEmulator({ apiKeys: ["sk-other-0123456789"] });
    try {
      const r = await genesis(["transcribe", WAV], { ...env, OPENAI_BASE_URL: strict.apiBase });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("HTTP 401");
      expect(r.stderr).not.toContain(KEY);
    } finally {
      await strict.close();
    }
  });

  it("config set tools.media.audio.language/prompt become the shared hints; flags still win", async () => {
    emu.reset();
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-stt-shared-"));
    try {
      const cfgEnv = { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome };
      expect((await genesis(["config", "set", "tools.media.audio.language", "en"], cfgEnv)).code).toBe(0);
      expect((await genesis(["config", "set", "tools.media.audio.prompt", "Genesis, Sora"], cfgEnv)).code).toBe(0);
      expect(readFileSync(join(cfgHome, "genesis.json5"), "utf8")).toMatch(/language: "en"/);
      expect((await genesis(["transcribe", WAV], cfgEnv)).code).toBe(0);
      expect((await genesis(["transcribe", WAV, "--language", "fr"], cfgEnv)).code).toBe(0);
      expect((sttCalls()[0]!.body as Multipart).fields).toEqual({ model: "gpt-4o-transcribe", response_format: "json", language: "en", prompt: "Genesis, Sora" });
      expect((sttCalls()[1]!.body as Multipart).fields).toMatchObject({ language: "fr", prompt: "Genesis, Sora" });
      // A bad shared language is caught at use, naming the key (exit 2 like other invalid values).
      expect((await genesis(["config", "set", "tools.media.audio.language", "English"], cfgEnv)).code).toBe(0);
      const bad = await genesis(["transcribe", WAV], cfgEnv);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("tools.media.audio.language: language \"English\" is not an ISO-639-1 code");
      expect(sttCalls()).toHaveLength(2);
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });

  it("plugins.entries.openai.enabled false exits 1 with the key and the fix, before reading the file or sending anything", async () => {
    emu.reset();
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-stt-off-"));
    try {
      writeFileSync(join(cfgHome, "genesis.json5"), "{ plugins: { entries: { openai: { enabled: false } } } }");
      for (const file of [WAV, join(cfgHome, "missing.wav")]) {
        const r = await genesis(["transcribe", file], { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("genesis: Speech-to-text (tools.media.audio) needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).");
        expect(r.stderr).toContain("hint: Run 'genesis config set plugins.entries.openai.enabled true' (or remove the key) to turn it back on.");
        expect(r.stderr).not.toContain(KEY);
      }
      expect(emu.requests).toEqual([]);
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });
});

