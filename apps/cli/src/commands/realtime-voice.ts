import { stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";
import { readMulawFile } from "./_realtime-audio.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["in", "out", "instructions", "voice", "model", "url", "text"] as const;

/** `genesis realtime voice --help` text. */
export const usage = `Usage: genesis realtime voice --in <file> [--out reply.wav] [--instructions TEXT] [--voice NAME]
                             [--model ID] [--url URL] [--text TEXT] [--json]

Play an audio file to an OpenAI realtime voice model as one caller turn (the Voice Call
path: G.711 u-law at 8 kHz, server VAD), print what the caller said and what the model
answers as the words arrive, and save the model's spoken answer as a 16-bit PCM 8 kHz WAV.
The model may call the built-in get_time tool (current time); calls are answered
automatically and printed. The command ends after the model's first complete answer.
Input: WAV with 16-bit PCM or u-law samples (any rate, mono or stereo), or raw 8 kHz u-law
(.ulaw, .pcmu, .ul). Convert anything else first, e.g.
  sox in.mp3 -b 16 -e signed-integer out.wav      ffmpeg -i in.m4a -c:a pcm_s16le out.wav

Options:
  --in FILE            The caller's audio (required unless --text is given)
  --out FILE           Where the answer audio goes (default reply.wav)
  --instructions TEXT  System instructions for the session
  --voice NAME         Output voice (default alloy)
  --model ID           Realtime model (default gpt-realtime-1.5)
  --url URL            Realtime endpoint (default wss://api.openai.com/v1/realtime),
                       e.g. ws://127.0.0.1:4010/v1/realtime for genesis dev-server
  --text TEXT          A typed user message sent before the audio (alone: the whole turn)
  --json               Print { callerTranscript, transcript, toolCalls, out, audioMs, model,
                       voice, status, usage } at the end instead of streaming text

Settings: plugins.entries.voice-call.config.realtime.providers.openai.{model, voice,
vadThreshold (0.5), silenceDurationMs (500), apiKey, azureEndpoint, azureDeployment,
azureApiVersion}; flags win. With azureEndpoint + azureDeployment the session goes to Azure
OpenAI (key: that apiKey or AZURE_OPENAI_API_KEY). A configured temperature is not sent (GA
sessions have none); a warning on stderr says so. The command refuses to run when
plugins.entries.voice-call.enabled or plugins.entries.openai.enabled is false, or when
plugins.entries.voice-call.config.realtime.provider names anything but openai.
API key: that apiKey, else models.providers.openai.apiKey, OPENAI_API_KEY or the stored key.
Exit status: 0 answered, 1 failed, 2 usage error.`;

/** 100 ms of 8 kHz u-law per append: real-time-sized frames, sent as fast as the socket takes them. */
const CHUNK = 800;
/** All audio sent and the VAD never heard speech: after this much quiet nothing will happen. */
const IDLE_MS = 1500;
/** A turn in progress that produces no server event for this long is an error. */
const STALL_MS = 30_000;
const FLAG_OF: Record<string, string> = {
  "options.model": "--model",
  "options.voice": "--voice",
  "options.instructions": "--instructions",
  "options.url": "--url",
};

/** The local tool offered to the model, so a request can exercise the tool round trip. */
const getTime = {
  name: "get_time",
  description: "Returns the current date and time as an ISO 8601 UTC timestamp.",
  parameters: { type: "object", properties: {}, additionalProperties: false },
  execute: () => ({ time: new Date().toISOString() }),
};

/** `genesis realtime voice`: 0 ok, 1 failed, 2 usage error. */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, [...valueFlags, "json"]);
  if (ctx.args.positionals.length > 0) throw new UsageError(`unexpected "${ctx.args.positionals[0]}"; pass the audio file with --in <file>`);
  const flags: Record<string, string> = {};
  for (const name of ["instructions", "voice", "model", "url"] as const) {
    const value = stringFlag(ctx.args, name);
    if (value !== undefined) flags[name] = value;
  }
  const file = stringFlag(ctx.args, "in");
  const text = stringFlag(ctx.args, "text");
  const out = stringFlag(ctx.args, "out") ?? "reply.wav";
  const json = ctx.args.flags.get("json") === true;
  if (file !== undefined && file.trim() === "") throw new UsageError("--in: must not be empty");
  if (file === undefined && text === undefined) throw new UsageError("--in is required: genesis realtime voice --in <file> (or --text TEXT)");
  if (text !== undefined && text.trim() === "") throw new UsageError("--text: must not be empty");
  if (out.trim() === "") throw new UsageError("--out: must not be empty");

  const core = await import("@genesis/core/lite");
  const rt = await import("@genesis/realtime-voice");
  // Check both ends before connecting: a bad file or output folder costs no request.
  const audio = file === undefined ? undefined : await readMulawFile(file, core, rt);
  const outDir = dirname(resolve(out));
  if (!(await stat(outDir).catch(() => undefined))?.isDirectory()) {
    throw new core.GenesisError("output_dir_missing", `cannot write ${out}: the folder ${outDir} does not exist`, { hint: "Create the folder first or pass another --out path." });
  }

  const { config } = await core.loadConfig({ env: ctx.env });
  const env = core.resolveEnv(config, ctx.env);
  const section = config.plugins?.entries?.["voice-call"]?.config?.realtime?.providers?.openai;
  // The realtime section's own key wins inside the package, and an OpenAI key must never
  // reach an Azure deployment (it falls back to AZURE_OPENAI_API_KEY there).
  const ownKey = Boolean(section?.apiKey || section?.azureEndpoint || section?.azureDeployment);
  const apiKey = ownKey ? undefined : core.resolveApiKey("openai", { file: await core.openAuthStore({ env: ctx.env }).read(), env: ctx.env, config })?.key;
  let session: Session;
  try {
    session = await rt.createRealtimeVoiceSession({
      config,
      env,
      signal: ctx.signal,
      ...(apiKey ? { apiKey } : {}),
      ...flags,
      // Transcribing the caller lets the user see what the model heard.
      inputTranscription: {},
      tools: [getTime],
    });
  } catch (error) {
    const e = error as { code?: string; path?: string; message?: string; hint?: string; provider?: string };
    const flag = e.code === "invalid_argument" && e.path ? FLAG_OF[e.path] : undefined;
    if (flag) throw new core.ValidationError(`${flag}: ${(e.message ?? "").replace(`${e.path}: `, "")}`, { path: flag, ...(e.hint ? { hint: e.hint } : {}) });
    if (e.code === "no_api_key" && e.provider !== "azure-openai") {
      throw new core.AuthError("no_api_key", e.message ?? "No API key.", { provider: "openai", hint: `${e.hint ?? ""} Or store one with: genesis onboard --auth-choice openai-api-key`.trim() });
    }
    throw error;
  }
  for (const warning of session.settings.warnings) ctx.stderr.write(`warning: ${warning}\n`);
  try {
    const lines = new Lines((s) => !json && ctx.stdout.write(s));
    const result = await converse(session, audio, text, lines, core.GenesisError);
    const pcm = rt.decodeMulaw(result.audio);
    try {
      await writeFile(out, pcm16Wav(pcm, 8000));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new core.GenesisError("output_unwritable", `cannot write ${out} (${code ?? "error"})`, { hint: "Pass a writable --out path.", cause: error });
    }
    const audioMs = pcm.length / 8;
    if (json) {
      const { model, voice } = session.settings;
      const { callerTranscript, transcript, toolCalls, status, usage } = result;
      ctx.stdout.write(`${JSON.stringify({ callerTranscript, transcript, toolCalls, out, audioMs, model, voice, status, usage }, null, 2)}\n`);
    } else if (pcm.length === 0) ctx.stderr.write(`genesis: the model answered without audio; ${out} is empty\n`);
    return 0;
  } finally {
    await session.close();
  }
}

type Rt = typeof import("@genesis/realtime-voice");
type Core = typeof import("@genesis/core/lite");
type Session = Awaited<ReturnType<Rt["createRealtimeVoiceSession"]>>;

/** A canonical 44-byte-header WAV around mono 16-bit PCM. */
function pcm16Wav(samples: Int16Array, rate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const head = Buffer.alloc(44);
  head.write("RIFF", 0, "ascii");
  head.writeUInt32LE(36 + data.length, 4);
  head.write("WAVEfmt ", 8, "ascii");
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

/**
 * Labelled transcript lines for two speakers whose words may interleave: a line that was
 * interrupted by the other speaker is restated in full when it completes.
 */
class Lines {
  private open: string | undefined;
  private readonly shown = new Map<string, { text: string; broken: boolean }>();
  constructor(private readonly write: (text: string) => void) {}

  delta(key: string, label: string, text: string): void {
    const state = this.shown.get(key) ?? { text: "", broken: false };
    if (this.open !== key) {
      this.breakOpen();
      this.write(`${label}: `);
      this.open = key;
    }
    state.text += text;
    this.shown.set(key, state);
    this.write(text);
  }

  done(key: string, label: string, text: string): void {
    const state = this.shown.get(key);
    this.shown.delete(key);
    if (!state) {
      if (text !== "") this.line(`${label}: ${text}`);
      return;
    }
    if (this.open === key && !state.broken && text.startsWith(state.text)) {
      this.write(`${text.slice(state.text.length)}\n`);
      this.open = undefined;
    } else this.line(`${label}: ${text}`);
  }

  line(text: string): void {
    this.breakOpen();
    this.write(`${text}\n`);
  }

  private breakOpen(): void {
    if (this.open === undefined) return;
    const state = this.shown.get(this.open);
    if (state) state.broken = true;
    this.write("\n");
    this.open = undefined;
  }
}

interface Outcome {
  callerTranscript: string;
  transcript: string;
  toolCalls: { name: string; arguments: string; output: string }[];
  status: string;
  usage: unknown;
  audio: Uint8Array;
}

/**
 * Sends the typed text and/or the audio plus enough trailing silence for the server VAD to
 * end the caller's turn, prints both transcripts as they arrive, and resolves at the first
 * response that does not wait for tool results (tool calls are answered by the session).
 */
async function converse(s: Session, audio: Uint8Array | undefined, text: string | undefined, lines: Lines, Failure: Core["GenesisError"]): Promise<Outcome> {
  let stop = false;
  let sent = audio === undefined;
  // Typed text alone asks for a response at once; with audio, the VAD's turn end does.
  if (text !== undefined) s.sendText(text, { respond: audio === undefined });
  let busy = audio === undefined;
  const sending = audio === undefined
    ? Promise.resolve()
    : (async () => {
        const silence = new Uint8Array(Math.ceil(((s.settings.silenceDurationMs + 500) * 8) / CHUNK) * CHUNK).fill(0xff);
        for (const part of [audio, silence]) {
          for (let i = 0; i < part.length && !stop; i += CHUNK) {
            s.sendAudio(part.subarray(i, i + CHUNK));
            // Let incoming events through every second of audio so words print while sending.
            if ((i / CHUNK) % 10 === 9) await new Promise((r) => setImmediate(r));
          }
        }
      })()
        // A send fails only when the socket is gone; the event iterator then reports why.
        .catch(() => undefined)
        .then(() => (sent = true));
  const caller: string[] = [];
  const toolCalls: Outcome["toolCalls"] = [];
  const chunks: Uint8Array[] = [];
  const events = s[Symbol.asyncIterator]();
  let next = events.next();
  // The last pending read outlives a return or throw; its rejection is not news.
  next.catch(() => undefined);
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const wait = sent
        ? new Promise<"idle">((r) => (timer = setTimeout(() => r("idle"), busy ? STALL_MS : IDLE_MS)))
        : sending.then(() => "sent" as const);
      const got = await Promise.race([next, wait]).finally(() => clearTimeout(timer));
      if (got === "sent") continue;
      if (got === "idle") {
        if (!busy) throw new Failure("no_speech_detected", "The server heard no speech in the audio, so the model never answered.", { hint: "Check that the recording is audible, or lower plugins.entries.voice-call.config.realtime.providers.openai.vadThreshold." });
        throw new Failure("realtime_voice_stalled", `The server sent nothing for ${STALL_MS / 1000} s while the turn was in progress.`, { hint: "Try again, or check the endpoint with genesis dev-server." });
      }
      if (got.done) throw new Failure("realtime_closed", "The realtime session ended before the model answered.", { hint: "Run the command again." });
      next = events.next();
      next.catch(() => undefined);
      const e = got.value;
      switch (e.type) {
        case "error":
          throw e.error;
        case "speech-started":
          busy = true;
          break;
        case "input-transcript-delta":
          lines.delta(`in:${e.itemId}`, "caller", e.text);
          break;
        case "input-transcript":
          caller.push(e.text);
          lines.done(`in:${e.itemId}`, "caller", e.text);
          break;
        case "transcript-delta":
          busy = true;
          lines.delta(`out:${e.responseId}`, "model", e.text);
          break;
        case "audio":
          busy = true;
          chunks.push(e.audio);
          break;
        case "tool-call":
          toolCalls.push({ name: e.name, arguments: e.arguments, output: e.output });
          lines.line(`tool: ${e.name}(${e.arguments}) -> ${e.output}`);
          break;
        case "response-done":
          lines.done(`out:${e.responseId}`, "model", e.transcript);
          // Tool outputs and the follow-up response.create go out by themselves.
          if (e.calledTools && e.status === "completed") break;
          if (e.status === "failed") throw new Failure("realtime_response_failed", `The model's response failed${e.reason ? ` (${e.reason})` : ""}.`, { hint: "Run the command again." });
          return { callerTranscript: caller.join(" "), transcript: e.transcript, toolCalls, status: e.status, usage: e.usage, audio: Buffer.concat(chunks) };
        default:
          break;
      }
    }
  } finally {
    stop = true;
  }
}
