import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { openAuthStore } from "@genesis/core";
import { cliEntry, ensureBuilt } from "../../test/_cli.js";

const KEY = "sk-cli-tts-canary-0123456789";

/** Run the built CLI asynchronously (the emulator lives in this process) with a clean env. */
function genesis(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: Buffer; stderr: string; stdoutAt: number[] }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const stdoutAt: number[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      stdoutAt.push(performance.now());
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout: Buffer.concat(out), stderr, stdoutAt }));
  });
}

let emu: Emulator;
let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt(["core", "transport", "speech"]);
  emu = await startEmulator();
  home = mkdtempSync(join(tmpdir(), "genesis-tts-"));
  env = { HOME: home, GENESIS_HOME: home, OPENAI_API_KEY: KEY, OPENAI_TTS_BASE_URL: emu.apiBase };
}, 300_000);
afterAll(async () => {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});

const speechCalls = () => emu.requests.filter((r) => r.path === "/v1/audio/speech");

describe("genesis tts", () => {
  it("writes the audio file, taking the format from the extension and flags into the request", async () => {
    emu.reset();
    const out = join(home, "hello.wav");
    const r = await genesis(["tts", "hello from the cli", "--out", out, "--voice", "Nova", "--speed", "1.25", "--instructions", "Cheerful."], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    expect(bytes.toString("latin1", 0, 4)).toBe("RIFF");
    expect(bytes.toString("latin1", 8, 12)).toBe("WAVE");
    expect(r.stdout.toString()).toContain(`wrote ${bytes.length} bytes of wav audio (gpt-4o-mini-tts, voice nova) to ${out}`);
    expect(speechCalls()[0]!.body).toEqual({ model: "gpt-4o-mini-tts", input: "hello from the cli", voice: "nova", response_format: "wav", speed: 1.25, instructions: "Cheerful." });
    expect(emu.authHeaderOf(speechCalls()[0]!.id)).toBe(`Bearer ${KEY}`);
    // No temp file left beside the output.
    expect(readdirSync(home).filter((n) => n.includes(".tmp"))).toEqual([]);
  });

  it("uses the config (model, voice) and --format; - writes the bytes to stdout", async () => {
    emu.reset();
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-tts-cfg-"));
    try {
      writeFileSync(join(cfgHome, "genesis.json5"), `{ messages: { tts: { providers: { openai: { model: "tts-1", voice: "echo", baseUrl: "${emu.apiBase}" } } } } }`);
      const r = await genesis(["tts", "flac", "please", "--format", "flac", "--out", "-"], { HOME: cfgHome, GENESIS_HOME: cfgHome, OPENAI_API_KEY: KEY });
      expect(r.code).toBe(0);
      expect(r.stdout.toString("latin1", 0, 4)).toBe("fLaC");
      expect(r.stderr).toContain("bytes of flac audio (tts-1, voice echo) to stdout");
      expect(speechCalls()[0]!.body).toEqual({ model: "tts-1", input: "flac please", voice: "echo", response_format: "flac" });
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });

  it("falls back to the stored openai key when config and env have none", async () => {
    emu.reset();
    const storeHome = mkdtempSync(join(tmpdir(), "genesis-tts-store-"));
    try {
      const stored = "sk-stored-tts-0123456789";
      await openAuthStore({ home: storeHome, env: {} }).update((current) => ({
        result: undefined,
        next: { ...current, profiles: { ...current.profiles, openai: { kind: "api_key", provider: "openai", key: stored, createdAt: Date.now() } } },
      }));
      const out = join(storeHome, "stored.opus");
      const r = await genesis(["tts", "stored key", "--out", out], { HOME: storeHome, GENESIS_HOME: storeHome, OPENAI_TTS_BASE_URL: emu.apiBase });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(readFileSync(out).toString("latin1", 0, 4)).toBe("OggS");
      expect(speechCalls()[0]!.body).toMatchObject({ response_format: "opus" });
      expect(emu.authHeaderOf(speechCalls()[0]!.id)).toBe(`Bearer ${stored}`);
    } finally {
      rmSync(storeHome, { recursive: true, force: true });
    }
  });

  it("exits 2 naming the flag for bad arguments, without any request", async () => {
    emu.reset();
    const out = join(home, "bad.mp3");
    const cases: [string[], RegExp][] = [
      [["tts", "--out", out], /text to speak is required/],
      [["tts", "hi"], /--out is required/],
      [["tts", "hi", "--out", out, "--voice", "robot"], /--voice: unknown voice "robot"[\s\S]*hint: Use one of: alloy/],
      [["tts", "hi", "--out", out, "--model", "tts-9"], /--model: unknown TTS model/],
      [["tts", "hi", "--out", out, "--format", "ogg"], /--format: unknown audio format/],
      [["tts", "hi", "--out", out, "--speed", "fast"], /--speed must be a number/],
      [["tts", "hi", "--out", out, "--speed", "9"], /--speed: speed 9 is out of range/],
      [["tts", "hi", "--out", out, "--model", "tts-1", "--instructions", "Loud."], /--instructions: tts-1 does not take instructions/],
      [["tts", "hi", "--out", join(home, "nope", "x.mp3")], /--out: directory .*nope does not exist/],
      [["tts", "hi", "--out", home], /--out: .* is a directory/],
      [["tts", "hi", "--out", out, "--pitch", "3"], /unknown option --pitch/],
      [["tts", "hi", "--out", out, "--voice"], /--voice needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = await genesis(args, env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(speechCalls()).toHaveLength(0);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 1 on an API error or a missing key, and never prints the key", async () => {
    emu.reset();
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "http-status", status: 400, body: { error: { message: `bad key ${KEY}`, type: "invalid_request_error", code: "invalid_value", param: null } } });
    const out = join(home, "fail.mp3");
    const r = await genesis(["tts", "hi", "--out", out], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("HTTP 400");
    expect(r.stderr).not.toContain(KEY);
    expect(existsSync(out)).toBe(false);
    const noKey = await genesis(["tts", "hi", "--out", out], { HOME: home, GENESIS_HOME: home, OPENAI_TTS_BASE_URL: emu.apiBase });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/No OpenAI API key[\s\S]*OPENAI_API_KEY/);
  });

  it("--stream writes the same file as the one-shot call, with time to first audio under --verbose", async () => {
    emu.reset();
    const plain = join(home, "plain.wav");
    const streamed = join(home, "streamed.wav");
    const args = ["hello streaming world", "--voice", "ash", "--speed", "1.5"];
    expect((await genesis(["tts", ...args, "--out", plain], env)).code).toBe(0);
    const r = await genesis(["tts", ...args, "--out", streamed, "--stream", "--verbose"], env);
    expect(r.code).toBe(0);
    expect(readFileSync(streamed).equals(readFileSync(plain))).toBe(true);
    expect(r.stdout.toString()).toContain(`wrote ${readFileSync(plain).length} bytes of wav audio (gpt-4o-mini-tts, voice ash) to ${streamed}`);
    expect(r.stderr).toMatch(/^time to first audio: \d+ ms \(streamed as sse\); total \d+ ms\nusage: \d+ input \+ \d+ output = \d+ tokens\n$/);
    expect(speechCalls()[1]!.body).toEqual({ model: "gpt-4o-mini-tts", input: "hello streaming world", voice: "ash", response_format: "wav", speed: 1.5, stream_format: "sse" });
    expect(speechCalls()[0]!.body).not.toHaveProperty("stream_format");
    expect(readdirSync(home).filter((n) => n.includes(".tmp"))).toEqual([]);
    const tts1 = await genesis(["tts", "hi there", "--model", "tts-1", "--out", join(home, "tts1.mp3"), "--stream"], env);
    expect(tts1.code).toBe(0);
    expect(speechCalls()[2]!.body).toMatchObject({ model: "tts-1", stream_format: "audio", response_format: "mp3" });
  });

  it("--stream --out - writes each chunk to stdout as it arrives", async () => {
    emu.reset();
    const plain = await genesis(["tts", "one two three four five", "--format", "pcm", "--out", "-"], env);
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "latency", perFrameMs: 25 });
    const r = await genesis(["tts", "one two three four five", "--format", "pcm", "--out", "-", "--stream-format", "audio"], env);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plain.stdout)).toBe(true);
    expect(r.stderr).toContain(`wrote ${plain.stdout.length} bytes of pcm audio (gpt-4o-mini-tts, voice coral) to stdout`);
    expect(speechCalls()[1]!.body).toMatchObject({ stream_format: "audio", response_format: "pcm" });
    // 20 emulator chunks 25 ms apart: stdout receives them spread out, not in one burst at the end.
    expect(r.stdoutAt.length).toBeGreaterThan(5);
    expect(r.stdoutAt.at(-1)! - r.stdoutAt[0]!).toBeGreaterThan(200);
  });

  it("--stream: a bad --stream-format exits 2 before any request; a dropped stream exits 1 and leaves no file", async () => {
    emu.reset();
    const out = join(home, "dropped.wav");
    const sse = await genesis(["tts", "hi", "--out", out, "--model", "tts-1", "--stream-format", "sse"], env);
    expect(sse.code).toBe(2);
    expect(sse.stderr).toMatch(/--stream-format: tts-1 cannot stream SSE[\s\S]*hint: Use streamFormat "audio"/);
    const bad = await genesis(["tts", "hi", "--out", out, "--stream-format", "ogg"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stream-format: unknown stream format "ogg"/);
    expect((await genesis(["tts", "hi", "--out", out, "--stream=yes"], env)).stderr).toMatch(/--stream takes no value/);
    expect(speechCalls()).toHaveLength(0);
    // The pause lets the CLI read the 2 events before the drop (fetch discards unread ones).
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "stall", afterEvents: 2, ms: 300 });
    emu.fault({ match: { path: "/v1/audio/speech" }, kind: "sse-destroy", afterEvents: 2 });
    const dropped = await genesis(["tts", "one two three four five six", "--out", out, "--stream"], env);
    expect(dropped.code).toBe(1);
    expect(dropped.stderr).toMatch(/cut off after 2 event\(s\)[\s\S]*hint: Retry the whole request/);
    expect(dropped.stderr).not.toContain(KEY);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(home).filter((n) => n.includes(".tmp"))).toEqual([]);
    expect(speechCalls()).toHaveLength(1);
  });

  it("exits 1 before any request when config turns the openai plugin off or picks another messages.tts.provider", async () => {
    emu.reset();
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-tts-switch-"));
    try {
      const cfgEnv = { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome };
      const out = join(cfgHome, "x.mp3");
      writeFileSync(join(cfgHome, "genesis.json5"), "{ plugins: { entries: { openai: { enabled: false } } } }");
      for (const args of [["tts", "hi", "--out", out], ["tts", "hi", "--out", out, "--stream"]]) {
        const r = await genesis(args, cfgEnv);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr).toContain("Text-to-speech (messages.tts) needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).");
        expect(r.stderr).toContain("hint: Run 'genesis config set plugins.entries.openai.enabled true'");
      }
      writeFileSync(join(cfgHome, "genesis.json5"), '{ messages: { tts: { provider: "elevenlabs" } } }');
      const other = await genesis(["tts", "hi", "--out", out], cfgEnv);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('genesis: messages.tts.provider is "elevenlabs", but Genesis ships only the openai text-to-speech provider.');
      expect(other.stderr).toContain("hint: Only 'openai' is available; remove the key ('genesis config unset messages.tts.provider') or set it to openai");
      expect(`${other.stdout}${other.stderr}`).not.toContain(KEY);
      expect(emu.requests).toEqual([]);
      expect(existsSync(out)).toBe(false);
      // Set to openai it works.
      writeFileSync(join(cfgHome, "genesis.json5"), '{ messages: { tts: { provider: "openai" } }, plugins: { entries: { openai: { enabled: true } } } }');
      const ok = await genesis(["tts", "hi", "--out", out], cfgEnv);
      expect([ok.code, ok.stderr]).toEqual([0, ""]);
      expect(speechCalls()).toHaveLength(1);
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });
});

