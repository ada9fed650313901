import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type RecordedRequest } from "@genesis/testkit";
import { cliEntry, ensureBuilt, root, runCli } from "../../test/_cli.js";

const KEY = "sk-cli-rt-canary-0123456789";
const FIXTURES = join(root, "packages", "realtime-voice", "src", "__fixtures__");
const toneS16 = readFileSync(join(FIXTURES, "tone-440hz-8k.s16")); // sox: 250 ms, 440 Hz, 8 kHz mono
const toneUlaw = readFileSync(join(FIXTURES, "tone-440hz-8k.ulaw")); // its sox u-law encoding

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

/** A PCM WAV (format 1, or 3 for float) around interleaved little-endian samples. */
function wav(samples: Buffer, rate: number, channels: number, bits = 16, format = 1): Buffer {
  const head = Buffer.alloc(44);
  head.write("RIFF", 0, "ascii");
  head.writeUInt32LE(36 + samples.length, 4);
  head.write("WAVEfmt ", 8, "ascii");
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(format, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE((rate * channels * bits) / 8, 28);
  head.writeUInt16LE((channels * bits) / 8, 32);
  head.writeUInt16LE(bits, 34);
  head.write("data", 36, "ascii");
  head.writeUInt32LE(samples.length, 40);
  return Buffer.concat([head, samples]);
}

/** `ms` of a 440 Hz tone (or silence) at `rate`, on `channels` identical channels. */
function pcm(ms: number, rate: number, channels: number, amplitude = 16000): Buffer {
  const frames = Math.round((rate * ms) / 1000);
  const out = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * amplitude), (i * channels + c) * 2);
  return out;
}

let emu: Emulator;
let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt(["core", "transport", "realtime-voice"]);
  emu = await startEmulator();
  home = mkdtempSync(join(tmpdir(), "genesis-rt-"));
  env = { HOME: home, GENESIS_HOME: home, OPENAI_API_KEY: KEY };
}, 300_000);
afterAll(async () => {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => emu.reset());

const sockets = (): RecordedRequest[] => emu.requests.filter((r) => r.transport === "websocket");
const frames = (req: RecordedRequest) => req.frames as { type: string; audio?: string; session?: unknown }[];
const appended = (req: RecordedRequest): Buffer[] => frames(req).filter((f) => f.type === "input_audio_buffer.append").map((f) => Buffer.from(f.audio!, "base64"));
const file = (name: string, bytes: Buffer): string => {
  const path = join(home, name);
  writeFileSync(path, bytes);
  return path;
};

describe("genesis realtime transcribe", () => {
  it("streams a 16 kHz stereo WAV as 8 kHz u-law, sends the GA session, prints the transcript", async () => {
    const path = file("stereo16k.wav", wav(pcm(500, 16000, 2), 16000, 2));
    const r = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime"), "--language", "en", "--prompt", "Genesis"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [req] = sockets();
    expect(sockets()).toHaveLength(1);
    expect(req!.path).toBe("/v1/realtime");
    expect(req!.query).toEqual({ intent: "transcription" });
    expect(emu.authHeaderOf(req!.id)).toBe(`Bearer ${KEY}`);
    expect(frames(req!)[0]).toEqual({
      type: "session.update",
      session: {
        type: "transcription",
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            transcription: { model: "gpt-4o-transcribe", language: "en", prompt: "Genesis" },
            turn_detection: { type: "server_vad", threshold: 0.5, silence_duration_ms: 800, prefix_padding_ms: 300 },
          },
        },
      },
    });
    // 500 ms of audio at 8 kHz (4000 bytes) + 1.3 s of silence, in 100 ms appends.
    const chunks = appended(req!);
    expect(chunks.every((c) => c.length === 800)).toBe(true);
    const all = Buffer.concat(chunks);
    expect(all).toHaveLength(4000 + 10400);
    expect(all.subarray(4000).every((b) => b === 0xff)).toBe(true);
    expect(all.subarray(400, 3600).filter((b) => b === 0xff).length).toBeLessThan(100);
    // The emulator heard the tone, then the VAD waited 800 ms of silence.
    expect(r.stdout).toMatch(/^Heard 1\d{3} milliseconds of audio\.\n$/);
  });

  it("--json lists every utterance; raw .ulaw is sent byte for byte", async () => {
    const gap = Buffer.alloc(8000 * 1.2, 0xff); // 1.2 s of u-law silence ends the first utterance
    const path = file("two.ulaw", Buffer.concat([toneUlaw, gap, toneUlaw]));
    const r = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime"), "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { text: string; segments: { itemId: string; text: string }[]; model: string; audioMs: number };
    expect(out.segments).toHaveLength(2);
    expect(out.segments[0]!.itemId).not.toBe(out.segments[1]!.itemId);
    for (const s of out.segments) expect(s.text).toMatch(/^Heard \d+ milliseconds of audio\.$/);
    expect(out).toMatchObject({ text: out.segments.map((s) => s.text).join(" "), model: "gpt-4o-transcribe", audioMs: 250 + 1200 + 250 });
    const input = Buffer.concat([toneUlaw, gap, toneUlaw]);
    expect(Buffer.concat(appended(sockets()[0]!)).subarray(0, input.length).equals(input)).toBe(true);
  });

  it("an 8 kHz mono PCM16 WAV is encoded exactly like sox; config settings and its apiKey are used", async () => {
    const cfgHome = mkdtempSync(join(tmpdir(), "genesis-rt-cfg-"));
    try {
      writeFileSync(
        join(cfgHome, "genesis.json5"),
        `{ plugins: { entries: { "voice-call": { config: { streaming: { providers: { openai: { model: "gpt-4o-mini-transcribe", silenceDurationMs: 300, vadThreshold: 0.3, apiKey: "sk-config-rt-0123456789" } } } } } } } }`,
      );
      const path = file("tone8k.wav", wav(toneS16, 8000, 1));
      const r = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime")], { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Heard \d+ milliseconds of audio\.\n$/);
      const req = sockets()[0]!;
      expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-config-rt-0123456789");
      expect(frames(req)[0]).toMatchObject({
        session: { audio: { input: { transcription: { model: "gpt-4o-mini-transcribe" }, turn_detection: { threshold: 0.3, silence_duration_ms: 300 } } } },
      });
      const sent = Buffer.concat(appended(req));
      expect(sent.subarray(0, 2000).equals(toneUlaw)).toBe(true);
      expect(sent).toHaveLength(2000 + 6400); // 300 + 500 ms of silence
    } finally {
      rmSync(cfgHome, { recursive: true, force: true });
    }
  });

  it("falls back to the stored key; silence alone exits 0 with an empty transcript", async () => {
    const keyHome = mkdtempSync(join(tmpdir(), "genesis-rt-key-"));
    try {
      expect(runCli(["onboard", "--openai-api-key", "sk-stored-rt-0123456789"], { home: keyHome }).status).toBe(0);
      const path = file("quiet.wav", wav(pcm(400, 24000, 1, 0), 24000, 1));
      const r = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime"), "--json"], { HOME: keyHome, GENESIS_HOME: keyHome });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ text: "", segments: [], audioMs: 400 });
      expect(emu.authHeaderOf(sockets()[0]!.id)).toBe("Bearer sk-stored-rt-0123456789");
      const plain = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime")], { HOME: keyHome, GENESIS_HOME: keyHome });
      expect(plain).toMatchObject({ code: 0, stdout: "", stderr: "genesis: no speech detected\n" });
    } finally {
      rmSync(keyHome, { recursive: true, force: true });
    }
  });

  it("refuses bad arguments (exit 2) and unsupported files (exit 1) before connecting", async () => {
    const tone = file("ok.wav", wav(toneS16, 8000, 1));
    const url = emu.wsUrl("/v1/realtime");
    const usage: [string[], RegExp][] = [
      [["realtime", "transcribe"], /audio file is required/],
      [["realtime", "transcribe", tone, tone], /one file at a time/],
      [["realtime", "transcribe", tone, "--speed", "2"], /unknown option --speed/],
      [["realtime", "transcribe", tone, "--language", "English"], /--language: must be an ISO-639-1 code such as en, de or fr \(got "English"\)/],
      [["realtime", "transcribe", tone, "--url", "ftp://x/y"], /--url: expected a ws\(s\):\/\/ or http\(s\):\/\/ URL/],
      [["realtime", "transcribe", tone, "--model"], /--model needs a value/],
    ];
    for (const [args, message] of usage) {
      const r = await genesis([...args.slice(0, 2), ...(args.includes("--url") ? [] : ["--url", url]), ...args.slice(2)], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const bad: [string, RegExp][] = [
      [file("float.wav", wav(Buffer.alloc(64), 44100, 2, 32, 3)), /float\.wav is WAV IEEE float, 32-bit, 2 channels, 44100 Hz[\s\S]*hint: Convert it, e.g. `sox .*float\.wav -b 16 -e signed-integer out\.wav` or `ffmpeg -i .*float\.wav -c:a pcm_s16le -ac 1 out\.wav`/],
      [file("song.mp3", Buffer.concat([Buffer.from("ID3"), Buffer.alloc(64)])), /song\.mp3 is not a WAV file \(found: MP3\)[\s\S]*hint: Convert it to 16-bit PCM WAV/],
      [file("empty.ulaw", Buffer.alloc(0)), /empty\.ulaw is empty/],
      [join(home, "missing.wav"), /audio file not found: .*missing\.wav/],
    ];
    for (const [path, message] of bad) {
      const r = await genesis(["realtime", "transcribe", path, "--url", url], env);
      expect(r.code, path).toBe(1);
      expect(r.stderr, path).toMatch(message);
    }
    const noKey = await genesis(["realtime", "transcribe", tone, "--url", url], { HOME: home, GENESIS_HOME: home });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/No API key[\s\S]*hint: Set OPENAI_API_KEY, or plugins\.entries\.voice-call\.config\.streaming\.providers\.openai\.apiKey[\s\S]*genesis onboard/);
    expect(sockets()).toHaveLength(0);
  });

  it("a refused upgrade exits 1 without printing the key", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, code: "invalid_api_key" } } });
    const r = await genesis(["realtime", "transcribe", file("t.wav", wav(toneS16, 8000, 1)), "--url", emu.wsUrl("/v1/realtime")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/realtime upgrade was refused \(HTTP 401\)[\s\S]*hint: Check the API key/);
    expect(r.stderr).not.toContain(KEY);
    expect(r.stdout).toBe("");
  });

  it("refuses (exit 1, no connection) when config turns voice-call or openai off or picks another streaming.provider", async () => {
    const path = file("switch.wav", wav(toneS16, 8000, 1));
    const cases: [string, string][] = [
      ['{ plugins: { entries: { "voice-call": { enabled: false } } } }', "Realtime transcription (Voice Call streaming) needs the voice-call plugin, which config turns off (plugins.entries.voice-call.enabled is false)."],
      ["{ plugins: { entries: { openai: { enabled: false } } } }", "Realtime transcription (Voice Call streaming) needs the openai plugin, which config turns off (plugins.entries.openai.enabled is false)."],
      ['{ plugins: { entries: { "voice-call": { config: { streaming: { provider: "deepgram" } } } } } }', 'plugins.entries.voice-call.config.streaming.provider is "deepgram", but Genesis ships only the openai streaming transcription provider.'],
    ];
    for (const [json5, message] of cases) {
      const cfgHome = mkdtempSync(join(tmpdir(), "genesis-rt-switch-"));
      try {
        writeFileSync(join(cfgHome, "genesis.json5"), json5);
        const r = await genesis(["realtime", "transcribe", path, "--url", emu.wsUrl("/v1/realtime")], { ...env, HOME: cfgHome, GENESIS_HOME: cfgHome });
        expect(r.code, json5).toBe(1);
        expect(r.stderr).toContain(`genesis: ${message}`);
        expect(r.stderr).toContain("hint: ");
        expect(r.stderr).not.toContain(KEY);
      } finally {
        rmSync(cfgHome, { recursive: true, force: true });
      }
    }
    expect(emu.requests).toEqual([]);
  });
});

