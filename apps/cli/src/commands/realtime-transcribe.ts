import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";
import { readMulawFile } from "./_realtime-audio.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["model", "language", "prompt", "url"] as const;

/** `genesis realtime transcribe --help` text. */
export const usage = `Usage: genesis realtime transcribe <file> [--model ID] [--language CODE] [--prompt TEXT] [--url URL] [--json]

Stream an audio file through OpenAI realtime transcription (the Voice Call path: G.711
u-law at 8 kHz, server VAD) and print the transcript as it arrives, one line per utterance.
Input: WAV with 16-bit PCM or u-law samples (any rate, mono or stereo; converted to 8 kHz
u-law), or raw 8 kHz u-law (.ulaw, .pcmu, .ul). Convert anything else first, e.g.
  sox in.mp3 -b 16 -e signed-integer out.wav      ffmpeg -i in.m4a -c:a pcm_s16le out.wav

Options:
  --model ID        Transcription model (default gpt-4o-transcribe)
  --language CODE   ISO-639-1 hint such as en or de
  --prompt TEXT     Vocabulary or style hint
  --url URL         Realtime endpoint (default wss://api.openai.com/v1/realtime),
                    e.g. ws://127.0.0.1:4010/v1/realtime for genesis dev-server
  --json            Print { text, segments: [{ itemId, text }], model, audioMs } at the end
                    instead of streaming text

Settings: plugins.entries.voice-call.config.streaming.providers.openai.{model, language,
prompt, silenceDurationMs (800), vadThreshold (0.5), apiKey}; flags win. The command refuses to
run when plugins.entries.voice-call.enabled or plugins.entries.openai.enabled is false, or when
plugins.entries.voice-call.config.streaming.provider names anything but openai.
API key: that apiKey, else models.providers.openai.apiKey, OPENAI_API_KEY or the stored key.
Exit status: 0 transcribed (also when no speech was found), 1 failed, 2 usage error.`;

/** 100 ms of 8 kHz u-law per append: real-time-sized frames, sent as fast as the socket takes them. */
const CHUNK = 800;
/** Once all audio is out and every utterance is transcribed, this much quiet ends the run. */
const IDLE_MS = 1000;
/** An utterance still being transcribed after this long without any server event is an error. */
const STALL_MS = 30_000;
const FLAG_OF: Record<string, string> = { "options.model": "--model", "options.language": "--language", "options.prompt": "--prompt", "options.url": "--url" };

/** `genesis realtime transcribe`: 0 ok, 1 failed, 2 usage error. */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, [...valueFlags, "json"]);
  const [file, ...extra] = ctx.args.positionals;
  if (file === undefined || file.trim() === "") throw new UsageError("the audio file is required: genesis realtime transcribe <file>");
  if (extra.length > 0) throw new UsageError(`one file at a time; unexpected "${extra[0]}"`);
  const flags: Record<string, string> = {};
  for (const name of valueFlags) {
    const value = stringFlag(ctx.args, name);
    if (value !== undefined) flags[name] = value;
  }
  const json = ctx.args.flags.get("json") === true;

  const core = await import("@genesis/core/lite");
  const rt = await import("@genesis/realtime-voice");
  // Read and convert before connecting: a bad file costs no request.
  const audio = await readMulawFile(file, core, rt);

  const { config } = await core.loadConfig({ env: ctx.env });
  const env = core.resolveEnv(config, ctx.env);
  const streamingKey = config.plugins?.entries?.["voice-call"]?.config?.streaming?.providers?.openai?.apiKey;
  // The streaming section's own key wins inside the package; otherwise use the usual OpenAI key.
  const apiKey = streamingKey ? undefined : core.resolveApiKey("openai", { file: await core.openAuthStore({ env: ctx.env }).read(), env: ctx.env, config })?.key;
  let transcriber: Awaited<ReturnType<typeof rt.createRealtimeTranscriber>>;
  try {
    transcriber = await rt.createRealtimeTranscriber({ config, env, signal: ctx.signal, ...(apiKey ? { apiKey } : {}), ...flags });
  } catch (error) {
    const e = error as { code?: string; path?: string; message?: string; hint?: string };
    const flag = e.code === "invalid_argument" && e.path ? FLAG_OF[e.path] : undefined;
    if (flag) throw new core.ValidationError(`${flag}: ${(e.message ?? "").replace(`${e.path}: `, "")}`, { path: flag, ...(e.hint ? { hint: e.hint } : {}) });
    if (e.code === "no_api_key") throw new core.AuthError("no_api_key", e.message ?? "No API key.", { provider: "openai", hint: `${e.hint ?? ""} Or store one with: genesis onboard --auth-choice openai-api-key`.trim() });
    throw error;
  }
  try {
    const segments = await stream(transcriber, audio, (text) => !json && ctx.stdout.write(text), core.GenesisError);
    const text = segments.map((s) => s.text).join(" ");
    if (json) ctx.stdout.write(`${JSON.stringify({ text, segments, model: transcriber.settings.model, audioMs: audio.length / 8 }, null, 2)}\n`);
    else if (segments.length === 0) ctx.stderr.write("genesis: no speech detected\n");
    return 0;
  } finally {
    await transcriber.close();
  }
}

type Transcriber = Awaited<ReturnType<typeof import("@genesis/realtime-voice").createRealtimeTranscriber>>;
type ErrorClass = typeof import("@genesis/core/lite").GenesisError;

/**
 * Sends the audio plus enough trailing silence for the server VAD to end the last utterance,
 * while printing deltas; resolves with the completed utterances once every one started has
 * been transcribed and the server has gone quiet.
 */
async function stream(t: Transcriber, audio: Uint8Array, write: (text: string) => void, Failure: ErrorClass): Promise<{ itemId: string; text: string }[]> {
  const silence = new Uint8Array(Math.ceil(((t.settings.silenceDurationMs + 500) * 8) / CHUNK) * CHUNK).fill(0xff);
  let sent = false;
  const sending = (async () => {
    for (const part of [audio, silence]) {
      for (let i = 0; i < part.length; i += CHUNK) {
        t.append(part.subarray(i, i + CHUNK));
        // Let incoming events through every second of audio so deltas print while sending.
        if ((i / CHUNK) % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  })()
    // A send fails only when the socket is gone; the event iterator then reports why.
    .catch(() => undefined)
    .then(() => (sent = true));
  const segments: { itemId: string; text: string }[] = [];
  const pending = new Set<string>();
  const printed = new Map<string, string>();
  const events = t[Symbol.asyncIterator]();
  let next = events.next();
  // The last pending read outlives a return or throw; its rejection is not news.
  next.catch(() => undefined);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const quiet = pending.size === 0;
    const wait = sent
      ? new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), quiet ? IDLE_MS : STALL_MS)))
      : sending.then(() => "sent" as const);
    const got = await Promise.race([next, wait]).finally(() => clearTimeout(timer));
    if (got === "sent") continue;
    if (got === "idle") {
      if (quiet) return segments;
      throw new Failure("realtime_transcription_stalled", `No transcript arrived for ${pending.size} utterance(s) within ${STALL_MS / 1000} s.`, {
        hint: "The server stopped answering; try again, or check the endpoint with genesis dev-server.",
      });
    }
    if (got.done) throw new Failure("realtime_closed", "The realtime session ended before the transcript was complete.", { hint: "Run the command again." });
    next = events.next();
    next.catch(() => undefined);
    const e = got.value;
    if (e.type === "error") throw e.error;
    if (e.type === "speech-started") pending.add(e.itemId);
    else if (e.type === "delta") {
      pending.add(e.itemId);
      printed.set(e.itemId, (printed.get(e.itemId) ?? "") + e.text);
      write(e.text);
    } else if (e.type === "completed") {
      pending.delete(e.itemId);
      segments.push({ itemId: e.itemId, text: e.text });
      const shown = printed.get(e.itemId) ?? "";
      // The completed text is authoritative: finish the streamed line, or restate it if it changed.
      write(e.text.startsWith(shown) ? `${e.text.slice(shown.length)}\n` : `\n${e.text}\n`);
    }
  }
}
