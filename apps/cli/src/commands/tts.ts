import { open, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["out", "voice", "model", "format", "speed", "instructions", "stream-format"] as const;

/** Flags without a value. */
const booleanFlags = ["stream", "verbose"] as const;

/** `genesis tts --help` text. */
export const usage = `Usage: genesis tts "text" --out FILE [--voice NAME] [--model ID] [--format FMT]
                   [--speed N] [--instructions TEXT] [--stream] [--stream-format FMT] [--verbose]

Speak the text with OpenAI text-to-speech and write the audio to FILE (- for stdout).
Unset options come from messages.tts.providers.openai in the config, then the defaults.

Options:
  --out FILE            Where to write the audio (required; - writes to stdout)
  --voice NAME          alloy, ash, ballad, cedar, coral (default), echo, fable, juniper,
                        marin, onyx, nova, sage, shimmer, verse
  --model ID            gpt-4o-mini-tts (default), tts-1, tts-1-hd
  --format FMT          mp3, opus, aac, flac, wav, pcm (default: from FILE's extension,
                        else messages.tts.providers.openai.responseFormat, else mp3)
  --speed N             0.25 to 4
  --instructions TEXT   How to speak (gpt-4o-mini-tts only)
  --stream              Write the audio while it is produced instead of after the whole
                        answer (the file still appears only once complete; - streams to stdout)
  --stream-format FMT   sse (default for gpt-4o-mini-tts; also reports token usage) or audio
                        (default for tts-1, tts-1-hd, which cannot stream sse); implies --stream
  --verbose             Also print the time to first audio (and token usage) on stderr

API key: messages.tts.providers.openai.apiKey, else OPENAI_API_KEY, else the stored openai key.
Base URL: messages.tts.providers.openai.baseUrl, else OPENAI_TTS_BASE_URL, else https://api.openai.com/v1.
Refused (exit 1) when plugins.entries.openai.enabled is false or messages.tts.provider is not openai.
Exit status: 0 written, 1 failed, 2 usage error.`;

/** Audio formats by file extension, so `--out reply.wav` asks for WAV. */
const FORMAT_BY_EXTENSION: Record<string, string> = { mp3: "mp3", opus: "opus", ogg: "opus", aac: "aac", flac: "flac", wav: "wav", pcm: "pcm", raw: "pcm" };

/** Package option names → the flag that set them, so errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  voice: "--voice", model: "--model", responseFormat: "--format", speed: "--speed", instructions: "--instructions", streamFormat: "--stream-format",
};

function parseSpeed(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const speed = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(speed)) throw new UsageError(`--speed must be a number from 0.25 to 4, got "${raw}"`);
  return speed;
}

async function checkOutDir(out: string): Promise<void> {
  const dir = dirname(out);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--out: directory ${dir} does not exist`);
  // Refused before the request: the rename at the end would fail after the audio was paid for.
  if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new UsageError(`--out: ${out} is a directory; pass a file path such as ${out}/speech.mp3`);
}

/** `genesis tts`: synthesize speech to a file; 0 written, 1 failed, 2 usage error. */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, [...valueFlags, ...booleanFlags]);
  for (const name of booleanFlags) {
    if (typeof ctx.args.flags.get(name) === "string") throw new UsageError(`--${name} takes no value`);
  }
  const streamFormat = stringFlag(ctx.args, "stream-format");
  const streaming = ctx.args.flags.get("stream") === true || streamFormat !== undefined;
  const verbose = ctx.args.flags.get("verbose") === true;
  const text = ctx.args.positionals.join(" ");
  if (text.trim() === "") throw new UsageError('the text to speak is required: genesis tts "text" --out FILE');
  const out = stringFlag(ctx.args, "out");
  if (!out) throw new UsageError("--out is required (a file path, or - for stdout)");
  if (out === "-" && ctx.stdout.isTTY) throw new UsageError("--out -: stdout is a terminal; redirect it to a file or pass --out FILE");
  const speed = parseSpeed(stringFlag(ctx.args, "speed"));
  const format = stringFlag(ctx.args, "format") ?? (out === "-" ? undefined : FORMAT_BY_EXTENSION[extname(out).slice(1).toLowerCase()]);
  if (out !== "-") await checkOutDir(out);

  const core = await import("@genesis/core/lite");
  const { config } = await core.loadConfig({ env: ctx.env });
  const env = core.resolveEnv(config, ctx.env);
  const ttsKey = config.messages?.tts?.providers?.openai?.apiKey ?? env.OPENAI_API_KEY;
  // Only a missing key sends us to the auth store (a file read plus a lock check).
  const apiKey = ttsKey ?? core.resolveApiKey("openai", { file: await core.openAuthStore({ env: ctx.env }).read(), env: ctx.env, config })?.key;
  const speech = await import("@genesis/speech");
  const options: Parameters<typeof speech.streamSpeech>[1] = {
    config,
    env,
    target: "file",
    signal: ctx.signal,
    onWarning: (warning) => ctx.stderr.write(`warning: ${warning}\n`),
    ...(apiKey ? { apiKey } : {}),
    ...(stringFlag(ctx.args, "voice") !== undefined ? { voice: stringFlag(ctx.args, "voice") } : {}),
    ...(stringFlag(ctx.args, "model") !== undefined ? { model: stringFlag(ctx.args, "model") } : {}),
    ...(format !== undefined ? { responseFormat: format as never } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(stringFlag(ctx.args, "instructions") !== undefined ? { instructions: stringFlag(ctx.args, "instructions") } : {}),
    ...(streamFormat !== undefined ? { streamFormat: streamFormat as never } : {}),
  };
  const started = performance.now();
  let result: Awaited<ReturnType<typeof speech.synthesizeSpeech>> | Awaited<ReturnType<typeof speech.streamSpeech>>;
  try {
    result = streaming ? await speech.streamSpeech(text, options) : await speech.synthesizeSpeech(text, options);
  } catch (error) {
    const e = error as { code?: string; path?: string; message?: string; hint?: string };
    const flag = e.code === "invalid_argument" && e.path ? FLAG_OF[e.path] : undefined;
    if (flag) throw new core.ValidationError(`${flag}: ${(e.message ?? "").replace(`${e.path}: `, "")}`, { path: flag, ...(e.hint ? { hint: e.hint } : {}) });
    throw error;
  }

  const audio = "audio" in result ? result.audio : result;
  const target = out === "-" ? "stdout" : out;
  await (out === "-" ? toStdout(ctx, audio) : toFile(out, audio));
  const bytes = "audio" in result ? result.audio.length : result.bytesDelivered;
  const summary = `${bytes} bytes of ${result.format} audio (${result.model}, voice ${result.voice})`;
  if (verbose) {
    const first = "audio" in result ? performance.now() - started : result.timeToFirstAudioMs;
    const how = "audio" in result ? "in one piece" : `streamed as ${result.streamFormat}`;
    ctx.stderr.write(`time to first audio: ${Math.round(first ?? 0)} ms (${how}); total ${Math.round(performance.now() - started)} ms\n`);
    const usage = "audio" in result ? undefined : result.usage;
    if (usage) ctx.stderr.write(`usage: ${usage.input} input + ${usage.output} output = ${usage.total} tokens\n`);
  }
  (out === "-" ? ctx.stderr : ctx.stdout).write(`wrote ${summary} to ${target}\n`);
  return 0;
}

/** Audio as one buffer or as chunks while they arrive (a speech stream). */
type Audio = Uint8Array | AsyncIterable<Uint8Array>;

async function* chunksOf(audio: Audio): AsyncIterable<Uint8Array> {
  if (audio instanceof Uint8Array) yield audio;
  else yield* audio;
}

/** Each chunk goes out as soon as it arrives; waiting for the write keeps a slow pipe from buffering it all. */
async function toStdout(ctx: CommandContext, audio: Audio): Promise<void> {
  for await (const chunk of chunksOf(audio)) {
    await new Promise<void>((resolve, reject) => ctx.stdout.write(chunk, (error) => (error ? reject(error) : resolve())));
  }
}

/** Write beside the target and rename, so an interrupted run (or a dropped stream) never leaves half a file. */
async function toFile(out: string, audio: Audio): Promise<void> {
  const temp = `${out}.${process.pid}.tmp`;
  try {
    if (audio instanceof Uint8Array) await writeFile(temp, audio);
    else {
      const file = await open(temp, "w");
      try {
        for await (const chunk of audio) await file.write(chunk);
      } finally {
        await file.close();
      }
    }
    await rename(temp, out);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
