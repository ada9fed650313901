import { alawToLinear, linearToAlaw, linearToMulaw, mulawToLinear } from "../_g711.js";

/**
 * GA Realtime session objects: defaults, deep merge of `session.update`, and the audio
 * formats (`audio/pcm` 24 kHz s16le, `audio/pcmu` and `audio/pcma` 8 kHz G.711).
 */

/** A realtime audio format as the GA protocol spells it. */
export type AudioFormatSpec = { type: "audio/pcm"; rate?: number } | { type: "audio/pcmu" } | { type: "audio/pcma" };

/** The session object (loosely typed: clients may send fields the emulator just echoes). */
export type Session = Record<string, unknown> & {
  type: "realtime" | "transcription";
  audio: {
    input: { format: AudioFormatSpec; transcription: null | Record<string, unknown>; turn_detection: null | Record<string, unknown>; noise_reduction: unknown };
    output?: { format: AudioFormatSpec; voice: string; speed: number };
  };
};

const DEFAULT_VAD = { type: "server_vad", threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true };

/** A fresh session for a connection (`type` from `?intent=transcription`). */
export function defaultSession(id: string, type: "realtime" | "transcription", model: string | undefined, expiresAt: number): Session {
  const pcm: AudioFormatSpec = { type: "audio/pcm", rate: 24000 };
  if (type === "transcription") {
    return {
      type,
      object: "realtime.transcription_session",
      id,
      expires_at: expiresAt,
      include: null,
      audio: { input: { format: pcm, transcription: { model: "gpt-4o-mini-transcribe", language: null, prompt: "" }, turn_detection: { ...DEFAULT_VAD }, noise_reduction: null } },
    };
  }
  return {
    type,
    object: "realtime.session",
    id,
    model: model ?? "gpt-realtime",
    output_modalities: ["audio"],
    instructions: "",
    tools: [],
    tool_choice: "auto",
    max_output_tokens: "inf",
    tracing: null,
    truncation: "auto",
    prompt: null,
    expires_at: expiresAt,
    include: null,
    audio: {
      input: { format: pcm, transcription: null, turn_detection: { ...DEFAULT_VAD }, noise_reduction: null },
      output: { format: { ...pcm }, voice: "alloy", speed: 1 },
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges `patch` into `base` (objects merge, everything else replaces; `null` clears). */
export function mergeSession(base: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = base[k];
    if (isPlainObject(v) && isPlainObject(cur) && k !== "format") mergeSession(cur, v);
    else base[k] = structuredClone(v);
  }
}

/** Checks a format; returns an error message or undefined. */
export function formatProblem(f: unknown): string | undefined {
  if (!isPlainObject(f)) return "format must be an object like {\"type\":\"audio/pcmu\"}";
  if (f["type"] === "audio/pcmu" || f["type"] === "audio/pcma") return undefined;
  if (f["type"] === "audio/pcm") return f["rate"] === undefined || f["rate"] === 24000 ? undefined : "audio/pcm supports rate 24000 only";
  return `Invalid value: '${String(f["type"])}'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.`;
}

/** Sample rate of a format. */
export function rateOf(f: AudioFormatSpec): number {
  return f.type === "audio/pcm" ? 24000 : 8000;
}

/** Decodes wire bytes of `f` to s16 samples. */
export function decodeAudio(f: AudioFormatSpec, bytes: Buffer): Int16Array {
  if (f.type === "audio/pcm") {
    const out = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
    return out;
  }
  const dec = f.type === "audio/pcmu" ? mulawToLinear : alawToLinear;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = dec(bytes[i]!);
  return out;
}

/** Encodes s16 samples to wire bytes of `f`. */
export function encodeAudio(f: AudioFormatSpec, samples: Int16Array): Buffer {
  if (f.type === "audio/pcm") {
    const out = Buffer.alloc(samples.length * 2);
    for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
    return out;
  }
  const enc = f.type === "audio/pcmu" ? linearToMulaw : linearToAlaw;
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = enc(samples[i]!);
  return out;
}

/** The `server_vad` settings of a session, or undefined when turn detection is off or semantic. */
export function vadSettings(session: Session): { threshold: number; prefixPaddingMs: number; silenceDurationMs: number; createResponse: boolean } | undefined {
  const td = session.audio.input.turn_detection;
  if (!td) return undefined;
  // semantic_vad is approximated with the server_vad defaults.
  const num = (k: string, d: number): number => (typeof td[k] === "number" ? (td[k] as number) : d);
  return {
    threshold: num("threshold", 0.5),
    prefixPaddingMs: num("prefix_padding_ms", 300),
    silenceDurationMs: num("silence_duration_ms", td["type"] === "semantic_vad" ? 800 : 500),
    createResponse: td["create_response"] !== false,
  };
}
