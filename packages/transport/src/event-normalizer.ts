import { normalizeUsage, type OutputItem, type StreamEvent, type TransportKind, type TurnStatus, type Usage } from "@genesis/core";
import type { PartialToolCall, StreamPartial } from "./errors.js";

/** A server `error` event (or error frame), handed to the caller to turn into a typed error. */
export interface WireError {
  code: string | undefined;
  message: string;
  raw: Record<string, unknown>;
}

/** Receives normalized events. */
export type EmitFn = (event: StreamEvent) => void;

type Raw = Record<string, any>;

const TERMINAL: Record<string, TurnStatus> = {
  "response.completed": "completed",
  "response.done": "completed",
  "response.incomplete": "incomplete",
  "response.failed": "failed",
};

/**
 * Turns Responses wire events (SSE `data:` payloads or WebSocket frames) into core
 * `StreamEvent`s and keeps the partial state an error must carry. One instance per turn.
 * Unknown event types are counted and dropped.
 */
export class EventNormalizer {
  private text = "";
  private readonly calls = new Map<string, PartialToolCall>();
  private readonly output: OutputItem[] = [];
  private usage: Usage | undefined;
  private lastSeq = -1;
  private count = 0;
  private started = false;
  /** Set once a terminal event was seen. */
  terminal = false;
  /** Set when the server sent an `error` event. */
  error: WireError | undefined;

  constructor(private readonly transport: TransportKind) {}

  /** Number of server events consumed. */
  get events(): number {
    return this.count;
  }

  /** Consume one parsed wire event. Returns true when it was terminal (stop reading). */
  push(ev: Raw, emit: EmitFn): boolean {
    this.count++;
    const seq = ev.sequence_number;
    if (typeof seq === "number") this.lastSeq = seq;
    const type = ev.type;
    switch (type) {
      case "response.output_text.delta": {
        const delta = typeof ev.delta === "string" ? ev.delta : "";
        this.text += delta;
        emit({ type: "text.delta", itemId: String(ev.item_id ?? ""), delta });
        return false;
      }
      case "response.function_call_arguments.delta": {
        const itemId = String(ev.item_id ?? "");
        const call = this.call(itemId);
        const delta = typeof ev.delta === "string" ? ev.delta : "";
        call.arguments += delta;
        emit({ type: "tool_call.delta", itemId, callId: call.callId, delta });
        return false;
      }
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        emit({ type: "reasoning.delta", itemId: String(ev.item_id ?? ""), delta: typeof ev.delta === "string" ? ev.delta : "" });
        return false;
      case "response.output_text.done":
        emit({ type: "text.done", itemId: String(ev.item_id ?? ""), text: typeof ev.text === "string" ? ev.text : "" });
        return false;
      case "response.function_call_arguments.done": {
        const call = this.call(String(ev.item_id ?? ""));
        if (typeof ev.arguments === "string") call.arguments = ev.arguments;
        return false;
      }
      case "response.output_item.added": {
        const item = ev.item as Raw | undefined;
        if (item?.type === "function_call") {
          const call = this.call(String(item.id ?? ""));
          call.callId = String(item.call_id ?? call.callId);
          call.name = String(item.name ?? call.name);
          emit({ type: "tool_call.started", itemId: call.itemId, callId: call.callId, name: call.name });
        }
        return false;
      }
      case "response.output_item.done":
        this.itemDone(ev.item as Raw | undefined, emit);
        return false;
      case "response.created":
      case "response.in_progress":
      case "response.queued":
        this.start(ev.response as Raw | undefined, emit);
        return false;
      case "error":
        this.error = wireError(ev);
        this.terminal = true;
        return true;
      default: {
        const status = TERMINAL[type];
        if (status === undefined) return false;
        this.finish(status, (ev.response ?? {}) as Raw, emit);
        return true;
      }
    }
  }

  /** Snapshot of what was received so far, for errors. */
  partial(): StreamPartial {
    return {
      text: this.text,
      toolCalls: [...this.calls.values()].map((c) => ({ ...c })),
      output: this.output.slice(),
      usage: this.usage,
      lastSequenceNumber: this.lastSeq,
      events: this.count,
    };
  }

  private call(itemId: string): PartialToolCall {
    let call = this.calls.get(itemId);
    if (!call) {
      call = { itemId, callId: "", name: "", arguments: "", done: false };
      this.calls.set(itemId, call);
    }
    return call;
  }

  private start(response: Raw | undefined, emit: EmitFn): void {
    if (this.started) return;
    this.started = true;
    const model = typeof response?.model === "string" ? response.model : undefined;
    emit({ type: "response.started", responseId: String(response?.id ?? ""), ...(model ? { model } : {}), transport: this.transport });
  }

  private itemDone(item: Raw | undefined, emit: EmitFn): void {
    if (!item || typeof item.type !== "string") return;
    const out = item as OutputItem;
    this.output.push(out);
    if (item.type === "function_call") {
      const call = this.call(String(item.id ?? ""));
      call.callId = String(item.call_id ?? call.callId);
      call.name = String(item.name ?? call.name);
      if (typeof item.arguments === "string") call.arguments = item.arguments;
      call.done = true;
      emit({ type: "tool_call.done", itemId: call.itemId, callId: call.callId, name: call.name, arguments: call.arguments });
    }
    emit({ type: "item.done", item: out });
  }

  private finish(status: TurnStatus, response: Raw, emit: EmitFn): void {
    this.terminal = true;
    this.start(response, emit);
    if (response.usage) {
      this.usage = normalizeUsage(response.usage);
      emit({ type: "usage", usage: this.usage });
    }
    const finalStatus: TurnStatus = response.status === "incomplete" || response.status === "failed" ? response.status : status;
    const output = Array.isArray(response.output) && response.output.length > 0 ? (response.output as OutputItem[]) : this.output.slice();
    const reason = response.incomplete_details?.reason ?? response.error?.message;
    const err = response.error && typeof response.error === "object"
      ? { code: String(response.error.code ?? "server_error"), message: String(response.error.message ?? "") }
      : undefined;
    emit({
      type: "response.done",
      status: finalStatus,
      responseId: String(response.id ?? ""),
      output,
      usage: this.usage ?? normalizeUsage(undefined),
      ...(typeof response.service_tier === "string" ? { serviceTier: response.service_tier } : {}),
      ...(typeof reason === "string" ? { reason } : {}),
      ...(err ? { error: err } : {}),
    });
  }
}

function wireError(ev: Raw): WireError {
  // Responses `error` events carry code/message at the top; WS error frames nest them in `error`.
  const inner = (typeof ev.error === "object" && ev.error !== null ? ev.error : ev) as Raw;
  return {
    code: typeof inner.code === "string" ? inner.code : typeof inner.type === "string" && inner.type !== "error" ? inner.type : undefined,
    message: typeof inner.message === "string" ? inner.message : "unknown error",
    raw: inner,
  };
}
