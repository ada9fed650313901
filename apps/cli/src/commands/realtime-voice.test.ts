import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type RecordedRequest } from "@genesis/testkit";
import { cliEntry, ensureBuilt, root } from "../../test/_cli.js";

const KEY = "sk-cli-voice-canary-0123456789";
const AZURE_KEY = "azure-cli-voice-key-0123456789abcdef";
const FIXTURES = join(root, "packages", "realtime-voice", "src", "__fixtures__");
const toneUlaw = readFileSync(join(FIXTURES, "tone-440hz-8k.ulaw")); // sox: 250 ms, 440 Hz, 8 kHz u-law

/** Run the built CLI asynchronously (the emulator lives in this process) with a clean env. */
function genesis(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd: home, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** A 16-bit PCM WAV of `ms` of a 440 Hz tone (amplitude 0 gives silence), mono. */
function toneWav(ms: number, rate: number, amplitude = 16000): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * amplitude), i * 2);
  const head = Buffer.alloc(44);
  head.write("RIFFxxxxWAVEfmt ", 0, "ascii");
  head.writeUInt32LE(36 + data.length, 4);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write("data", 36, "ascii");
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** Parses the canonical WAV the command writes; returns the header fields and the samples. */
function readWav(path: string): { riff: string; wave: string; format: number; channels: number; rate: number; byteRate: number; bits: number; samples: Int16Array; sizeOk: boolean } {
  const b = readFileSync(path);
  const dataLen = b.readUInt32LE(40);
  const samples = new Int16Array(b.buffer.slice(b.byteOffset + 44, b.byteOffset + 44 + dataLen));
  return {
    riff: b.toString("ascii", 0, 4),
    wave: b.toString("ascii", 8, 16) + b.toString("ascii", 36, 40),
    format: b.readUInt16LE(20),
    channels: b.readUInt16LE(22),
    rate: b.readUInt32LE(24),
    byteRate: b.readUInt32LE(28),
    bits: b.readUInt16LE(34),
    samples,
    sizeOk: b.readUInt32LE(4) === b.length - 8 && dataLen === b.length - 44,
  };
}

const rms = (s: Int16Array): number => Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / Math.max(1, s.length));

let emu: Emulator;
let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt(["core", "transport", "realtime-voice"]);
  emu = await startEmulator();
  home = mkdtempSync(join(tmpdir(), "genesis-rtv-"));
  env = { HOME: home, GENESIS_HOME: home, OPENAI_API_KEY: KEY };
}, 300_000);
afterAll(async () => {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => emu.reset());

type Frame = { type: string; audio?: string; session?: unknown; item?: Record<string, unknown> };
const sockets = (): RecordedRequest[] => emu.requests.filter((r) => r.transport === "websocket");
const frames = (req: RecordedRequest) => req.frames as Frame[];
const appended = (req: RecordedRequest): Buffer[] => frames(req).filter((f) => f.type === "input_audio_buffer.append").map((f) => Buffer.from(f.audio!, "base64"));
const file = (name: string, bytes: Buffer): string => {
  const path = join(home, name);
  writeFileSync(path, bytes);
  return path;
};
const withConfig = async <T>(json5: string, fn: (cfgEnv: Record<string, string>) => Promise<T>): Promise<T> => {
  const cfgHome = mkdtempSync(join(tmpdir(), "genesis-rtv-cfg-"));
  try {
    writeFileSync(join(cfgHome, "genesis.json5"), json5);
    return await fn({ HOME: cfgHome, GENESIS_HOME: cfgHome });
  } finally {
    rmSync(cfgHome, { recursive: true, force: true });
  }
};

describe("genesis realtime voice", () => {
  it("sends the GA session and the audio, prints both transcripts, writes a PCM16 8 kHz WAV", async () => {
    const input = file("hello16k.wav", toneWav(600, 16000));
    const out = join(home, "answer.wav");
    const r = await genesis(["realtime", "voice", "--in", input, "--out", out, "--url", emu.wsUrl("/v1/realtime"), "--voice", "marin", "--instructions", "Be brief.", "--model", "gpt-realtime"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(sockets()).toHaveLength(1);
    const req = sockets()[0]!;
    expect(req.path).toBe("/v1/realtime");
    expect(req.query).toEqual({ model: "gpt-realtime" });
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
    expect(req.headers["openai-beta"]).toBeUndefined();
    expect(frames(req)[0]).toEqual({
      type: "session.update",
      session: {
        type: "realtime",
        output_modalities: ["audio"],
        instructions: "Be brief.",
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            transcription: { model: "gpt-4o-transcribe" },
            turn_detection: { type: "server_vad", threshold: 0.5, silence_duration_ms: 500, prefix_padding_ms: 300 },
          },
          output: { format: { type: "audio/pcmu" }, voice: "marin" },
        },
        tools: [{ type: "function", name: "get_time", description: expect.stringMatching(/current date and time/), parameters: { type: "object", properties: {}, additionalProperties: false } }],
        tool_choice: "auto",
      },
    });
    // 600 ms of tone (4800 u-law bytes) then 500 + 500 ms of silence, in 100 ms appends.
    const chunks = appended(req);
    expect(chunks.every((c) => c.length === 800)).toBe(true);
    const sent = Buffer.concat(chunks);
    expect(sent).toHaveLength(4800 + 8000);
    expect(sent.subarray(4800).every((b) => b === 0xff)).toBe(true);
    expect(sent.subarray(400, 4400).filter((b) => b === 0xff).length).toBeLessThan(100);
    const m = /^caller: (Heard (\d+) milliseconds of audio\.)\nmodel: Echo: \1\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(600);
    // The emulator speaks ~60 ms per character of its reply; the WAV holds exactly that.
    const wav = readWav(out);
    expect(wav).toMatchObject({ riff: "RIFF", wave: "WAVEfmt data", format: 1, channels: 1, rate: 8000, byteRate: 16000, bits: 16, sizeOk: true });
    const reply = `Echo: ${m![1]}`;
    const words = reply.match(/\S+\s*/g)!;
    expect(wav.samples.length).toBe(words.reduce((n, w) => n + Math.round((8000 * 60 * w.length) / 1000), 0));
    expect(rms(wav.samples)).toBeGreaterThan(2000);
  });

  it("--text naming get_time runs the tool round trip; --json reports it", async () => {
    const before = Date.now();
    const out = join(home, "tool.wav");
    const r = await genesis(["realtime", "voice", "--text", "What does get_time say?", "--out", out, "--url", emu.wsUrl("/v1/realtime"), "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const req = sockets()[0]!;
    const sent = frames(req).map((f) => f.type);
    expect(sent).toEqual(["session.update", "conversation.item.create", "response.create", "conversation.item.create", "response.create"]);
    expect(frames(req)[1]!.item).toEqual({ type: "message", role: "user", content: [{ type: "input_text", text: "What does get_time say?" }] });
    const toolOutput = frames(req)[3]!.item!;
    expect(toolOutput).toMatchObject({ type: "function_call_output", call_id: expect.stringMatching(/^call_/) });
    const time = Date.parse((JSON.parse(String(toolOutput["output"])) as { time: string }).time);
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(time).toBeLessThanOrEqual(Date.now());
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toEqual({
      callerTranscript: "",
      transcript: `The tool returned: ${String(toolOutput["output"])}`,
      toolCalls: [{ name: "get_time", arguments: "{}", output: toolOutput["output"] }],
      out,
      audioMs: expect.any(Number),
      model: "gpt-realtime-1.5",
      voice: "alloy",
      status: "completed",
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), totalTokens: expect.any(Number) },
    });
    expect(json["audioMs"]).toBe(readWav(out).samples.length / 8);
    expect(rms(readWav(out).samples)).toBeGreaterThan(2000);

    const plain = await genesis(["realtime", "voice", "--text", "Call get_time please", "--out", out, "--url", emu.wsUrl("/v1/realtime")], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^tool: get_time\(\{\}\) -> (\{"time":"\d{4}-\d\d-\d\dT[\d:.]+Z"\})\nmodel: The tool returned: \1\n$/);
  });

  it("config settings and key are used; raw .ulaw is sent byte for byte; text goes before the audio", async () => {
    await withConfig(
      `{ plugins: { entries: { "voice-call": { config: { realtime: { providers: { openai: { model: "gpt-realtime-mini", voice: "verse", silenceDurationMs: 300, vadThreshold: 0.3, apiKey: "sk-config-voice-0123456789" } } } } } } } }`,
      async (cfgEnv) => {
        const input = file("tone.ulaw", toneUlaw);
        const r = await genesis(["realtime", "voice", "--in", input, "--text", "Listen to this.", "--url", emu.wsUrl("/v1/realtime")], { ...cfgEnv, OPENAI_API_KEY: KEY });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const req = sockets()[0]!;
        expect(req.query).toEqual({ model: "gpt-realtime-mini" });
        expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-config-voice-0123456789");
        expect(frames(req)[0]).toMatchObject({ session: { audio: { input: { turn_detection: { threshold: 0.3, silence_duration_ms: 300 } }, output: { voice: "verse" } } } });
        // The typed message is added without its own response; the VAD turn end asks for one.
        expect(frames(req).slice(1, 3).map((f) => f.type)).toEqual(["conversation.item.create", "input_audio_buffer.append"]);
        const sent = Buffer.concat(appended(req));
        expect(sent.subarray(0, toneUlaw.length).equals(toneUlaw)).toBe(true);
        expect(sent).toHaveLength(toneUlaw.length + 6400); // 300 + 500 ms of silence
        expect(r.stdout).toMatch(/^caller: Heard \d+ milliseconds of audio\.\nmodel: Echo: Heard \d+ milliseconds of audio\.\n$/);
        expect(existsSync(join(home, "reply.wav"))).toBe(true); // default --out, in the working directory
      },
    );
  });

  it("goes to Azure with the api-key header when the config names a deployment (never the OpenAI key)", async () => {
    const cfg = `{ plugins: { entries: { "voice-call": { config: { realtime: { providers: { openai: { azureEndpoint: "${emu.url}", azureDeployment: "rt-deploy" } } } } } } } }`;
    await withConfig(cfg, async (cfgEnv) => {
      const r = await genesis(["realtime", "voice", "--text", "hello azure", "--out", join(home, "az.wav")], { ...cfgEnv, OPENAI_API_KEY: KEY, AZURE_OPENAI_API_KEY: AZURE_KEY });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const req = sockets()[0]!;
      expect(req.path).toBe("/openai/v1/realtime");
      expect(req.query).toEqual({ model: "rt-deploy" });
      expect(emu.authHeaderOf(req.id)).toBe(AZURE_KEY);
      expect(req.headers["authorization"]).toBeUndefined();
      expect(r.stdout).toBe("model: Echo: hello azure\n");
      emu.reset();
      const noKey = await genesis(["realtime", "voice", "--text", "hello azure"], { ...cfgEnv, OPENAI_API_KEY: KEY });
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toMatch(/No API key[\s\S]*hint: Set AZURE_OPENAI_API_KEY/);
      expect(noKey.stderr).not.toContain(KEY);
      expect(sockets()).toHaveLength(0);
    });
  });

  it("refuses bad arguments (exit 2) and bad files, folders or keys (exit 1) before connecting", async () => {
    const tone = file("ok.wav", toneWav(300, 8000));
    const url = emu.wsUrl("/v1/realtime");
    const usage: [string[], RegExp][] = [
      [[], /--in is required/],
      [["--in", ""], /--in: must not be empty/],
      [[tone], /unexpected ".*ok\.wav"; pass the audio file with --in/],
      [["--in", tone, "--speed", "2"], /unknown option --speed/],
      [["--in", tone, "--voice", " "], /--voice: must not be empty/],
      [["--in", tone, "--url", "ftp://x/y"], /--url: expected a ws\(s\):\/\/ or http\(s\):\/\/ URL/],
      [["--in", tone, "--text", ""], /--text: must not be empty/],
      [["--in", tone, "--out", ""], /--out: must not be empty/],
      [["--in", tone, "--model"], /--model needs a value/],
    ];
    for (const [args, message] of usage) {
      const r = await genesis(["realtime", "voice", ...(args.includes("--url") ? [] : ["--url", url]), ...args], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const bad: [string[], RegExp][] = [
      [["--in", file("song.mp3", Buffer.concat([Buffer.from("ID3"), Buffer.alloc(64)]))], /song\.mp3 is not a WAV file \(found: MP3\)[\s\S]*hint: Convert it to 16-bit PCM WAV/],
      [["--in", file("empty.ulaw", Buffer.alloc(0))], /empty\.ulaw is empty/],
      [["--in", join(home, "missing.wav")], /audio file not found: .*missing\.wav/],
      [["--in", tone, "--out", join(home, "nope", "a.wav")], /the folder .*nope does not exist[\s\S]*hint: Create the folder/],
    ];
    for (const [args, message] of bad) {
      const r = await genesis(["realtime", "voice", "--url", url, ...args], env);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const noKey = await genesis(["realtime", "voice", "--in", tone, "--url", url], { HOME: home, GENESIS_HOME: home });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/No API key[\s\S]*hint: Set OPENAI_API_KEY, or plugins\.entries\.voice-call\.config\.realtime\.providers\.openai\.apiKey[\s\S]*genesis onboard/);
    expect(sockets()).toHaveLength(0);
  });

  it("silence alone fails with a hint instead of waiting forever", async () => {
    const out = join(home, "quiet-reply.wav");
    const r = await genesis(["realtime", "voice", "--in", file("quiet.wav", toneWav(400, 8000, 0)), "--out", out, "--url", emu.wsUrl("/v1/realtime")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/heard no speech[\s\S]*hint: Check that the recording is audible/);
    expect(existsSync(out)).toBe(false);
  });

  it("a refused upgrade exits 1 without printing the key", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, code: "invalid_api_key" } } });
    const r = await genesis(["realtime", "voice", "--in", file("t.wav", toneWav(300, 8000)), "--url", emu.wsUrl("/v1/realtime")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/realtime upgrade was refused \(HTTP 401\)[\s\S]*hint: Check the API key/);
    expect(r.stderr).not.toContain(KEY);
    expect(r.stdout).toBe("");
  });

  it("a session dropped mid-answer exits 1 and writes no file", async () => {
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 4 });
    const out = join(home, "dropped.wav");
    const r = await genesis(["realtime", "voice", "--text", "hi", "--out", out, "--url", emu.wsUrl("/v1/realtime")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/closed \(1006\) in the middle of response resp_[\s\S]*hint: Open a new session/);
    expect(r.stderr).not.toContain(KEY);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses (exit 1, no connection) when config turns voice-call or openai off or picks another realtime.provider", async () => {
    const input = file("switch.ulaw", toneUlaw);
    const cases: [string, string, string][] = [
      ['{ plugins: { entries: { "voice-call": { enabled: false } } } }', "Realtime voice (Voice Call realtime) needs the voice-call plugin, which config turns off (plugins.entries.voice-call.enabled is false).", "hint: Run 'genesis config set plugins.entries.voice-call.enabled true'"],
      ["{ plugins: { entries: { openai: { enabled: false } } } }", "Realtime voice (Voice Call realtime) needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false).", "hint: Run 'genesis config set plugins.entries.openai.enabled true'"],
      ['{ plugins: { entries: { "voice-call": { config: { realtime: { provider: "vapi" } } } } } }', 'plugins.entries.voice-call.config.realtime.provider is "vapi", but Genesis ships only the openai realtime voice provider.', "hint: Only 'openai' is available"],
    ];
    for (const [json5, message, hint] of cases) {
      await withConfig(json5, async (cfgEnv) => {
        const out = join(home, "never.wav");
        const r = await genesis(["realtime", "voice", "--in", input, "--out", out, "--url", emu.wsUrl("/v1/realtime")], { ...cfgEnv, OPENAI_API_KEY: KEY });
        expect(r.code, json5).toBe(1);
        expect(r.stderr).toContain(`genesis: ${message}`);
        expect(r.stderr).toContain(hint);
        expect(r.stderr).not.toContain(KEY);
        expect(existsSync(out)).toBe(false);
      });
    }
    expect(emu.requests).toEqual([]);
  });

  it("a configured temperature is not sent and is reported once on stderr", async () => {
    await withConfig('{ plugins: { entries: { "voice-call": { config: { realtime: { providers: { openai: { temperature: 0.5 } } } } } } } }', async (cfgEnv) => {
      const out = join(home, "temp.wav");
      const r = await genesis(["realtime", "voice", "--text", "Hello", "--out", out, "--url", emu.wsUrl("/v1/realtime")], { ...cfgEnv, OPENAI_API_KEY: KEY });
      expect(r.code).toBe(0);
      const warning = "warning: plugins.entries.voice-call.config.realtime.providers.openai.temperature (0.5) is not sent: GA realtime sessions have no temperature setting, so the model uses its own. Remove it to silence this warning.\n";
      expect(r.stderr).toBe(warning);
      expect(JSON.stringify(frames(sockets()[0]!))).not.toContain("temperature");
    });
  });
});

