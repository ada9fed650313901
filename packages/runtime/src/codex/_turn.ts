import { emptyUsage, type OutputItem, type StreamEvent, type Usage } from "@genesis/core";
import type { AgentMessageDeltaNotification } from "../../protocol/v2/AgentMessageDeltaNotification.js";
import type { ItemCompletedNotification } from "../../protocol/v2/ItemCompletedNotification.js";
import type { ItemStartedNotification } from "../../protocol/v2/ItemStartedNotification.js";
import type { ThreadItem } from "../../protocol/v2/ThreadItem.js";
import type { ThreadTokenUsageUpdatedNotification } from "../../protocol/v2/ThreadTokenUsageUpdatedNotification.js";
import type { TokenUsageBreakdown } from "../../protocol/v2/TokenUsageBreakdown.js";
import type { Turn } from "../../protocol/v2/Turn.js";
import { turnErrorToHarnessError, type RateLimitFacts } from "./_turn-errors.js";

/** Codex's per-call token figures → Genesis {@link Usage} (cached tokens are inside input). */
export function usageFromBreakdown(b: TokenUsageBreakdown): Usage {
  const cacheRead = Math.min(b.cachedInputTokens, b.inputTokens);
  return {
    input: b.inputTokens - cacheRead,
    cacheRead,
    output: b.outputTokens,
    reasoning: b.reasoningOutputTokens,
    total: b.totalTokens || b.inputTokens + b.outputTokens,
  };
}

/** Map a Codex thread item to a replayable output item (kept verbatim under Codex's names). */
function outputItem(item: ThreadItem): OutputItem {
  if (item.type === "agentMessage") {
    return { type: "message", id: item.id, role: "assistant", content: [{ type: "output_text", text: item.text }] };
  }
  return { ...item, type: `codex.${item.type}` } as OutputItem;
}

function toolName(item: ThreadItem): string | undefined {
  switch (item.type) {
    case "commandExecution":
      return "shell";
    case "fileChange":
      return "apply_patch";
    case "mcpToolCall":
      return `${item.server}.${item.tool}`;
    case "dynamicToolCall":
      return item.tool;
    case "webSearch":
      return "web_search";
    default:
      return undefined;
  }
}

function toolArguments(item: ThreadItem): string {
  switch (item.type) {
    case "commandExecution":
      return JSON.stringify({ command: item.command, cwd: item.cwd });
    case "fileChange":
      return JSON.stringify({ changes: item.changes.map((c) => ({ path: c.path, kind: c.kind })) });
    case "mcpToolCall":
    case "dynamicToolCall":
      return JSON.stringify(item.arguments ?? null);
    default:
      return JSON.stringify(item);
  }
}

type Waiter = (result: IteratorResult<StreamEvent>) => void;

/**
 * One running turn: receives the app-server's notifications for its thread and exposes them as
 * an async stream of core {@link StreamEvent}s ending with `response.done`, or a thrown
 * {@link CodexHarnessError} when the turn failed.
 */
export class ActiveTurn implements AsyncIterableIterator<StreamEvent> {
  turnId: string | undefined;
  /** Items Codex announced this turn (for approval requests that only carry an item id). */
  readonly items = new Map<string, ThreadItem>();
  private readonly queue: StreamEvent[] = [];
  private waiter: Waiter | undefined;
  private failWaiter: ((e: unknown) => void) | undefined;
  private failure: unknown;
  private finished = false;
  private usage: Usage = emptyUsage();
  private readonly output: OutputItem[] = [];

  constructor(
    readonly threadId: string,
    private readonly model: string | undefined,
    private readonly limits: () => RateLimitFacts,
  ) {}

  /** Route one notification of this thread. */
  onNotification(method: string, params: any): void {
    if (this.finished) return;
    // Late events of an earlier turn on this thread must not leak into this one.
    const turnId: unknown = params?.turnId ?? params?.turn?.id;
    if (this.turnId !== undefined && typeof turnId === "string" && turnId !== this.turnId) return;
    switch (method) {
      case "turn/started":
        this.turnId ??= params.turn?.id;
        this.push({ type: "response.started", responseId: params.turn?.id ?? "", model: this.model, transport: "app-server" });
        break;
      case "item/agentMessage/delta": {
        const p = params as AgentMessageDeltaNotification;
        this.push({ type: "text.delta", itemId: p.itemId, delta: p.delta });
        break;
      }
      case "item/reasoning/summaryTextDelta":
      case "item/reasoning/textDelta":
        this.push({ type: "reasoning.delta", itemId: params.itemId, delta: params.delta });
        break;
      case "item/started": {
        const { item } = params as ItemStartedNotification;
        this.items.set(item.id, item);
        const name = toolName(item);
        if (name) this.push({ type: "tool_call.started", itemId: item.id, callId: item.id, name });
        break;
      }
      case "item/completed":
        this.onItemCompleted((params as ItemCompletedNotification).item);
        break;
      case "thread/tokenUsage/updated": {
        const p = params as ThreadTokenUsageUpdatedNotification;
        const last = usageFromBreakdown(p.tokenUsage.last);
        this.usage = {
          input: this.usage.input + last.input,
          cacheRead: this.usage.cacheRead + last.cacheRead,
          output: this.usage.output + last.output,
          reasoning: this.usage.reasoning + last.reasoning,
          total: this.usage.total + last.total,
        };
        this.push({ type: "usage", usage: last });
        break;
      }
      case "turn/completed":
        this.onCompleted((params as { turn: Turn }).turn);
        break;
      default:
        break;
    }
  }

  /** End the turn with an error (process died, request failed...). */
  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    if (this.failWaiter) {
      const reject = this.failWaiter;
      this.waiter = this.failWaiter = undefined;
      reject(error);
    } else this.failure = error;
  }

  get done(): boolean {
    return this.finished;
  }

  private onItemCompleted(item: ThreadItem): void {
    this.items.set(item.id, item);
    if (item.type === "userMessage") return;
    if (item.type === "agentMessage") this.push({ type: "text.done", itemId: item.id, text: item.text });
    const name = toolName(item);
    if (name) this.push({ type: "tool_call.done", itemId: item.id, callId: item.id, name, arguments: toolArguments(item) });
    const out = outputItem(item);
    this.output.push(out);
    this.push({ type: "item.done", item: out });
  }

  private onCompleted(turn: Turn): void {
    this.turnId ??= turn.id;
    if (turn.status === "failed") {
      this.fail(turnErrorToHarnessError(turn.error, { threadId: this.threadId, turnId: turn.id }, this.limits()));
      return;
    }
    const interrupted = turn.status === "interrupted";
    this.push({
      type: "response.done",
      status: interrupted ? "incomplete" : "completed",
      responseId: turn.id,
      output: this.output,
      usage: this.usage,
      ...(interrupted ? { reason: "interrupted" } : {}),
    });
    this.finished = true;
    this.flushEnd();
  }

  private push(event: StreamEvent): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: event, done: false });
    } else this.queue.push(event);
  }

  private flushEnd(): void {
    if (this.waiter && this.queue.length === 0) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      return Promise.reject(f);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamEvent> {
    return this;
  }
}
