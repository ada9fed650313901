import { emptyUsage, normalizeUsage, type OutputItem, type StreamEvent, type Usage } from "@genesis/core";
import { ServerStreamError, SseDecoder, StreamIncompleteError, StreamInterruptedError, StreamParseError, type TransportErrorFields } from "@genesis/transport";

interface ToolState {
  itemId: string;
  callId: string;
  name: string;
  args: string;
}

/**
 * Turn a Chat Completions SSE body into Genesis `StreamEvent`s, in Responses form (a message
 * item plus function_call items) so the runtime replays history the same way on both APIs.
 * A stream without `finish_reason`/`[DONE]` is an error, never a silent success.
 */
export async function* chatStreamEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
  const queue: StreamEvent[] = [];
  let responseId = "";
  let text = "";
  let usage: Usage = emptyUsage();
  let finish: string | undefined;
  let done = false;
  let index = 0;
  let failure: Error | undefined;
  const tools = new Map<number, ToolState>();

  const onData = (data: string) => {
    index++;
    if (data === "[DONE]") {
      done = true;
      return;
    }
    let chunk: any;
    try {
      chunk = JSON.parse(data);
    } catch {
      failure ??= new StreamParseError(index, data, { transport: "sse" });
      return;
    }
    if (chunk?.error) {
      failure ??= new ServerStreamError(chunk.error.code ?? chunk.error.type, String(chunk.error.message ?? "error"), { transport: "sse" });
      return;
    }
    if (!responseId && typeof chunk?.id === "string") {
      responseId = chunk.id;
      queue.push({ type: "response.started", responseId, model: chunk.model, transport: "sse" });
    }
    if (chunk?.usage) {
      usage = normalizeUsage(chunk.usage);
      queue.push({ type: "usage", usage });
    }
    const choice = chunk?.choices?.[0];
    if (!choice) return;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") {
      text += delta.content;
      queue.push({ type: "text.delta", itemId: `msg_${responseId}`, delta: delta.content });
    }
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const i = typeof call.index === "number" ? call.index : 0;
      let state = tools.get(i);
      if (!state) {
        const callId = String(call.id ?? `call_${responseId}_${i}`);
        state = { itemId: `fc_${callId}`, callId, name: String(call.function?.name ?? ""), args: "" };
        tools.set(i, state);
        queue.push({ type: "tool_call.started", itemId: state.itemId, callId: state.callId, name: state.name });
      }
      const piece = call.function?.arguments;
      if (typeof piece === "string" && piece !== "") {
        state.args += piece;
        queue.push({ type: "tool_call.delta", itemId: state.itemId, callId: state.callId, delta: piece });
      }
    }
    if (typeof choice.finish_reason === "string") finish = choice.finish_reason;
  };
  const partial = (): TransportErrorFields["partial"] => ({
    text,
    toolCalls: [...tools.values()].map((t) => ({ itemId: t.itemId, callId: t.callId, name: t.name, arguments: t.args, done: false })),
    output: [],
    usage,
    lastSequenceNumber: -1,
    events: index,
  });
  // The transport's decoder: byte-split safe, and it delivers a final event without its blank line.
  const parser = new SseDecoder((message) => onData(message.data));
  const reader = body.getReader();
  let ended = false;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        // The socket dropped mid-stream: typed, with what arrived so far (never replayed: it may be billed).
        throw new StreamInterruptedError("The Chat Completions stream was cut off by the connection.", { transport: "sse", cause: error, partial: partial() });
      }
      const { value, done: eof } = chunk;
      if (eof) {
        ended = true;
        break;
      }
      parser.push(value);
      if (failure) throw failure;
      while (queue.length > 0) yield queue.shift()!;
    }
    // Deliver a final event that lacks its trailing blank line instead of dropping it.
    parser.end();
    if (failure) throw failure;
    while (queue.length > 0) yield queue.shift()!;
  } finally {
    // A consumer that stops early (break, abort, error) must not leave the response streaming
    // into a socket nobody reads.
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  if (!done && finish === undefined) {
    throw new StreamIncompleteError("The Chat Completions stream ended before a finish_reason or [DONE].", {
      transport: "sse",
      partial: partial(),
    });
  }
  const output: OutputItem[] = [];
  if (text) {
    const item: OutputItem = { type: "message", id: `msg_${responseId}`, role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
    yield { type: "text.done", itemId: item.id!, text };
    yield { type: "item.done", item };
    output.push(item);
  }
  for (const t of tools.values()) {
    const item: OutputItem = { type: "function_call", id: t.itemId, call_id: t.callId, name: t.name, arguments: t.args || "{}", status: "completed" };
    yield { type: "tool_call.done", itemId: t.itemId, callId: t.callId, name: t.name, arguments: t.args || "{}" };
    yield { type: "item.done", item };
    output.push(item);
  }
  const status = finish === "length" || finish === "content_filter" ? "incomplete" : "completed";
  yield { type: "response.done", status, responseId, output, usage, ...(status === "incomplete" ? { reason: finish } : {}) };
}
