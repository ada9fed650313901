import type { CommandContext } from "../_context.js";
import { assertKnownFlags, stringFlag, UsageError } from "../_args.js";

/** Flags that take a value (for the argument parser). */
export const valueFlags = ["model", "language", "prompt"] as const;

/** `genesis transcribe --help` text. */
export const usage = `Usage: genesis transcribe <file> [--model ID] [--language CODE] [--prompt TEXT] [--json]

Transcribe an audio file (wav, mp3, ogg/opus, flac, m4a/mp4, webm; at most 25 MB) with
OpenAI and print the text. Unset options come from the first tools.media.audio.models[]
entry with provider "openai", then (language, prompt) the shared tools.media.audio.language
and tools.media.audio.prompt, then the default model gpt-4o-transcribe.

Options:
  --model ID        gpt-4o-transcribe (default), gpt-4o-mini-transcribe,
                    gpt-4o-transcribe-diarize, gpt-transcribe, whisper-1
  --language CODE   ISO-639-1 hint such as en or de
  --prompt TEXT     Vocabulary or style hint
  --json            Print { text, language?, durationSec?, model } as JSON

API key: models.providers.openai.apiKey, else OPENAI_API_KEY, else the stored openai key.
Base URL: models.providers.openai.baseUrl, else OPENAI_BASE_URL, else https://api.openai.com/v1.
Refused (exit 1) when plugins.entries.openai.enabled is false.
Exit status: 0 transcribed, 1 failed (including unreadable or unsupported files), 2 usage error.`;

const FLAG_OF: Record<string, string> = { model: "--model", language: "--language", prompt: "--prompt" };

/** `genesis transcribe`: print the transcript; 0 ok, 1 failed, 2 usage error. */
export async function run(ctx: CommandContext): Promise<number> {
  assertKnownFlags(ctx.args, [...valueFlags, "json"]);
  const [file, ...extra] = ctx.args.positionals;
  if (file === undefined || file.trim() === "") throw new UsageError("the audio file is required: genesis transcribe <file>");
  if (extra.length > 0) throw new UsageError(`one file at a time; unexpected "${extra[0]}"`);

  const core = await import("@genesis/core/lite");
  const { config } = await core.loadConfig({ env: ctx.env });
  const env = core.resolveEnv(config, ctx.env);
  const apiKey = core.resolveApiKey("openai", { file: await core.openAuthStore({ env: ctx.env }).read(), env: ctx.env, config })?.key;
  const speech = await import("@genesis/speech");
  let result: Awaited<ReturnType<typeof speech.transcribeAudio>>;
  try {
    result = await speech.transcribeAudio(file, {
      config,
      env,
      signal: ctx.signal,
      ...(apiKey ? { apiKey } : {}),
      ...(stringFlag(ctx.args, "model") !== undefined ? { model: stringFlag(ctx.args, "model") } : {}),
      ...(stringFlag(ctx.args, "language") !== undefined ? { language: stringFlag(ctx.args, "language") } : {}),
      ...(stringFlag(ctx.args, "prompt") !== undefined ? { prompt: stringFlag(ctx.args, "prompt") } : {}),
    });
  } catch (error) {
    const e = error as { code?: string; path?: string; message?: string; hint?: string };
    const flag = e.code === "invalid_argument" && e.path ? FLAG_OF[e.path] : undefined;
    if (flag) throw new core.ValidationError(`${flag}: ${(e.message ?? "").replace(`${e.path}: `, "")}`, { path: flag, ...(e.hint ? { hint: e.hint } : {}) });
    throw error;
  }
  ctx.stdout.write(ctx.args.flags.get("json") === true ? `${JSON.stringify(result, null, 2)}\n` : `${result.text}\n`);
  return 0;
}
