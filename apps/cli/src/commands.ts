import type { CommandModule } from "./_context.js";

/** One entry of the lazy command table. `path` is the words that select it. */
export interface CommandEntry {
  path: readonly string[];
  summary: string;
  /** Loaded only when the command runs, so `--help` imports nothing heavy. */
  load: () => Promise<CommandModule>;
}

/**
 * Every command. Longest path wins, so `models auth list` beats `models`.
 * Keep summaries short: they are the whole of `genesis --help`.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { path: ["config", "path"], summary: "Print the config file path", load: () => import("./commands/config-path.js") },
  { path: ["config", "get"], summary: "Print a config value", load: () => import("./commands/config-get.js") },
  { path: ["config", "set"], summary: "Set a config value (validated before writing)", load: () => import("./commands/config-set.js") },
  { path: ["config", "unset"], summary: "Remove a config value", load: () => import("./commands/config-unset.js") },
  { path: ["config", "validate"], summary: "Check the config file", load: () => import("./commands/config-validate.js") },
  { path: ["onboard"], summary: "Set up OpenAI credentials: API key, Codex sign-in or Azure OpenAI", load: () => import("./commands/onboard.js") },
  { path: ["models", "auth", "list"], summary: "Show stored and environment credentials (masked)", load: () => import("./commands/models-auth-list.js") },
  { path: ["models", "auth", "login"], summary: "Sign in with ChatGPT/Codex (--provider openai-codex)", load: () => import("./commands/models-auth-login.js") },
  { path: ["models", "auth", "logout"], summary: "Sign out of ChatGPT/Codex: revoke the refresh token and remove the stored sign-in", load: () => import("./commands/models-auth-logout.js") },
  { path: ["models", "list"], summary: "List models, context sizes and auth status", load: () => import("./commands/models-list.js") },
  { path: ["models", "route"], summary: "Explain how a model ref is routed", load: () => import("./commands/models-route.js") },
  { path: ["agent"], summary: "Run one agent turn (--message), streamed to stdout", load: () => import("./commands/agent.js") },
  { path: ["chat"], summary: "Interactive agent chat (/status, /fast, /model, /tool)", load: () => import("./commands/chat.js") },
  { path: ["tts"], summary: "Speak text with OpenAI TTS into an audio file (--out)", load: () => import("./commands/tts.js") },
  { path: ["transcribe"], summary: "Transcribe an audio file with OpenAI speech-to-text", load: () => import("./commands/transcribe.js") },
  { path: ["realtime", "transcribe"], summary: "Stream a WAV/u-law file through OpenAI realtime transcription", load: () => import("./commands/realtime-transcribe.js") },
  { path: ["realtime", "voice"], summary: "Talk to an OpenAI realtime voice model with an audio file; save its answer as WAV", load: () => import("./commands/realtime-voice.js") },
  { path: ["dev-server"], summary: "Run the local OpenAI emulator until Ctrl-C", load: () => import("./commands/dev-server.js") },
];
