import { encodeAudio, rateOf, type AudioFormatSpec } from "./_session.js";

/**
 * Builds the server events of one realtime response: either a function call (when the
 * session has tools and the conversation asks for one) or an assistant message with audio
 * (`response.output_audio.delta` in the output format) and its transcript, or text.
 */

/** A conversation item as the emulator keeps it. */
export type ConversationItem = Record<string, unknown> & { id: string; type: string };

/** Inputs to {@link buildResponse}. */
export interface ResponsePlan {
  responseId: string;
  itemId: string;
  callId: string;
  conversation: ConversationItem[];
  tools: { type?: string; name?: string; parameters?: unknown }[];
  toolChoice: unknown;
  modalities: string[];
  outputFormat: AudioFormatSpec;
  voice: string;
  metadata: unknown;
}

type Emit = (event: Record<string, unknown>) => void;

/** Picks the tool to call: a forced `tool_choice`, `required`, or the newest user text naming a tool. */
export function pickToolCall(plan: Pick<ResponsePlan, "conversation" | "tools" | "toolChoice">): string | undefined {
  const names = plan.tools.filter((t) => (t.type ?? "function") === "function" && typeof t.name === "string").map((t) => t.name!);
  if (names.length === 0 || plan.toolChoice === "none") return undefined;
  const choice = plan.toolChoice as { type?: string; name?: string } | string | undefined;
  if (typeof choice === "object" && choice?.name && names.includes(choice.name)) return choice.name;
  const last = plan.conversation.at(-1);
  // After a tool result the model answers in words instead of calling again.
  if (last?.type === "function_call_output") return undefined;
  if (choice === "required") return names[0];
  const said = userText(plan.conversation).toLowerCase();
  return names.find((n) => said.includes(n.toLowerCase()));
}

/** The latest user utterance: typed text or the transcript of committed audio. */
export function userText(conversation: ConversationItem[]): string {
  for (let i = conversation.length - 1; i >= 0; i--) {
    const item = conversation[i]!;
    if (item.type !== "message" || item["role"] !== "user") continue;
    for (const part of (item["content"] as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof part["text"] === "string") return part["text"];
      if (typeof part["transcript"] === "string") return part["transcript"];
    }
  }
  return "";
}

/** Arguments for a tool: every required string property gets "emulated", numbers 1, booleans true. */
function argumentsFor(tool: { parameters?: unknown } | undefined): string {
  const schema = (tool?.parameters ?? {}) as { properties?: Record<string, { type?: string }>; required?: string[] };
  const args: Record<string, unknown> = {};
  for (const key of schema.required ?? []) {
    const t = schema.properties?.[key]?.type;
    args[key] = t === "number" || t === "integer" ? 1 : t === "boolean" ? true : t === "array" ? [] : t === "object" ? {} : "emulated";
  }
  return JSON.stringify(args);
}

function replyText(conversation: ConversationItem[]): string {
  const last = conversation.at(-1);
  if (last?.type === "function_call_output") return `The tool returned: ${String(last["output"] ?? "")}`;
  const said = userText(conversation);
  return said ? `Echo: ${said}` : "Hello from the emulator.";
}

/** A soft tone for `ms` milliseconds in `format`. */
function toneBytes(format: AudioFormatSpec, ms: number): Buffer {
  const rate = rateOf(format);
  const n = Math.round((rate * ms) / 1000);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * 330 * i) / rate) * 6000);
  return encodeAudio(format, samples);
}

const usage = (input: number, output: number, audioOut: number): Record<string, unknown> => ({
  total_tokens: input + output,
  input_tokens: input,
  output_tokens: output,
  input_token_details: { text_tokens: input, audio_tokens: 0, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
  output_token_details: { text_tokens: output - audioOut, audio_tokens: audioOut },
});

/** Emits the whole response and returns the output items (added to the conversation by the caller). */
export function buildResponse(plan: ResponsePlan, emit: Emit): ConversationItem[] {
  const base = { object: "realtime.response", id: plan.responseId, conversation_id: "conv_emulator", output_modalities: plan.modalities, max_output_tokens: "inf", metadata: plan.metadata ?? null };
  emit({ type: "response.created", response: { ...base, status: "in_progress", status_details: null, output: [], usage: null } });
  const ids = { response_id: plan.responseId, item_id: plan.itemId, output_index: 0 };
  const inputTokens = Math.max(1, Math.ceil(JSON.stringify(plan.conversation).length / 16));
  let item: ConversationItem;
  let outputTokens: number;
  let audioTokens = 0;
  const toolName = pickToolCall(plan);
  if (toolName) {
    const args = argumentsFor(plan.tools.find((t) => t.name === toolName));
    const started: ConversationItem = { id: plan.itemId, type: "function_call", object: "realtime.item", status: "in_progress", name: toolName, call_id: plan.callId, arguments: "" };
    emit({ type: "response.output_item.added", response_id: plan.responseId, output_index: 0, item: started });
    emit({ type: "conversation.item.added", previous_item_id: plan.conversation.at(-1)?.id ?? null, item: started });
    for (let i = 0; i < args.length; i += 8) emit({ type: "response.function_call_arguments.delta", ...ids, call_id: plan.callId, delta: args.slice(i, i + 8) });
    emit({ type: "response.function_call_arguments.done", ...ids, call_id: plan.callId, name: toolName, arguments: args });
    item = { ...started, status: "completed", arguments: args };
    outputTokens = Math.max(1, Math.ceil(args.length / 4));
  } else {
    const text = replyText(plan.conversation);
    const audio = plan.modalities.includes("audio");
    const partType = audio ? "output_audio" : "output_text";
    const started: ConversationItem = { id: plan.itemId, type: "message", object: "realtime.item", status: "in_progress", role: "assistant", content: [] };
    emit({ type: "response.output_item.added", response_id: plan.responseId, output_index: 0, item: started });
    emit({ type: "conversation.item.added", previous_item_id: plan.conversation.at(-1)?.id ?? null, item: started });
    const partIds = { ...ids, content_index: 0 };
    emit({ type: "response.content_part.added", ...partIds, part: audio ? { type: "audio", transcript: "" } : { type: "text", text: "" } });
    const words = text.match(/\S+\s*/g) ?? [text];
    for (const word of words) {
      if (audio) {
        // About 60 ms of audio per character, sent as one delta per word.
        emit({ type: "response.output_audio.delta", ...partIds, delta: toneBytes(plan.outputFormat, 60 * word.length).toString("base64") });
        emit({ type: "response.output_audio_transcript.delta", ...partIds, delta: word });
      } else emit({ type: "response.output_text.delta", ...partIds, delta: word });
    }
    if (audio) {
      emit({ type: "response.output_audio.done", ...partIds });
      emit({ type: "response.output_audio_transcript.done", ...partIds, transcript: text });
    } else emit({ type: "response.output_text.done", ...partIds, text });
    const part = audio ? { type: "output_audio", transcript: text } : { type: "output_text", text };
    emit({ type: "response.content_part.done", ...partIds, part: audio ? { type: "audio", transcript: text } : { type: "text", text } });
    item = { ...started, status: "completed", content: [{ ...part, type: partType }] };
    outputTokens = Math.max(1, Math.ceil(text.length / 4));
    if (audio) {
      audioTokens = Math.ceil((text.length * 60) / 50);
      outputTokens += audioTokens;
    }
  }
  emit({ type: "response.output_item.done", response_id: plan.responseId, output_index: 0, item });
  emit({ type: "conversation.item.done", previous_item_id: plan.conversation.at(-1)?.id ?? null, item });
  emit({ type: "response.done", response: { ...base, status: "completed", status_details: null, output: [item], usage: usage(inputTokens, outputTokens, audioTokens), audio: { output: { format: plan.outputFormat, voice: plan.voice } } } });
  return [item];
}
