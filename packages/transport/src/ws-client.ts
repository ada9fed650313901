import type WebSocket from "ws";
import type { StreamEvent } from "@genesis/core";
import type { TransportContext } from "./_context.js";
import { openSocket } from "./_ws-connect.js";
import { wireErrorToError } from "./_wire-error.js";
import {
  AbortError,
  StreamIdleTimeoutError,
  StreamParseError,
  TransportError,
  WebSocketClosedError,
  type TransportErrorFields,
} from "./errors.js";
import { EventNormalizer } from "./event-normalizer.js";
import type { TurnIdentity } from "./identity.js";
import type { StreamSink } from "./stream.js";

interface ActiveTurn {
  onMessage(data: string): void;
  onClose(code: number, reason: string, localOverflow: boolean): void;
}

const NULL_SINK: StreamSink = {
  push: () => undefined,
  pushed: 0,
  room: () => undefined,
  setPartial: () => undefined,
  setTransport: () => undefined,
};

/**
 * One Responses WebSocket for one session, reused across turns (one response in flight at a
 * time; turns queue behind each other). Reconnects lazily on the next turn after a close.
 * A ping every `heartbeatMs` that gets no pong before the next ping terminates the socket.
 */
export class WsConnection {
  private ws: WebSocket | undefined;
  private secrets: string[] = [];
  private opening: Promise<WebSocket> | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private active: ActiveTurn | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;
  private overflow = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private busy = 0;

  constructor(private readonly ctx: TransportContext) {}

  /** True while a socket is open. */
  get isOpen(): boolean {
    return this.ws !== undefined && this.ws.readyState === 1;
  }

  /** Run one turn: send `response.create` and feed the events into `sink` until a terminal event. */
  run(body: Record<string, unknown>, identity: TurnIdentity, sink: StreamSink, signal: AbortSignal): Promise<void> {
    const { stream: _s, background: _b, ...rest } = body;
    const frame = JSON.stringify({ type: "response.create", ...rest });
    return this.serial(() => this.turn(frame, identity, sink, signal, undefined));
  }

  /**
   * Open the socket and, with a `body`, send a warm-up `response.create` with `generate: false`
   * and empty input, waiting at most `warmupTimeoutMs` for its terminal event.
   */
  warm(body: Record<string, unknown> | undefined, identity: TurnIdentity, signal: AbortSignal): Promise<void> {
    return this.serial(async () => {
      if (!body) {
        await this.ensureOpen(identity, signal);
        return;
      }
      const frame = JSON.stringify({ type: "response.create", ...pickWarmup(body), input: [], generate: false });
      await this.turn(frame, identity, NULL_SINK, signal, this.ctx.warmupTimeoutMs);
    });
  }

  /** Close the socket (1000) and clear every timer. Frames never sent are dropped. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = undefined;
    this.active?.onClose(1000, "client closed", false);
    if (ws && ws.readyState <= 1) ws.close(1000, "client closed");
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    this.busy++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const run = this.lane.then(task, task).finally(() => {
      if (--this.busy === 0) this.scheduleIdleClose();
    });
    this.lane = run.catch(() => undefined);
    return run;
  }

  /** Idle sockets are closed after `idleSocketMs` (servers drop them anyway); the next turn reconnects. */
  private scheduleIdleClose(): void {
    if (this.ctx.idleSocketMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.busy > 0) return;
      this.stopHeartbeat();
      const ws = this.ws;
      this.ws = undefined;
      if (ws && ws.readyState <= 1) ws.close(1000, "idle");
    }, this.ctx.idleSocketMs);
    this.idleTimer.unref?.();
  }

  private ensureOpen(identity: TurnIdentity, signal: AbortSignal): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === 1) return Promise.resolve(this.ws);
    this.opening ??= openSocket(this.ctx, identity, signal).then(
      ({ ws, secrets }) => {
        this.opening = undefined;
        this.attach(ws, secrets);
        for (const frame of this.pending) ws.send(frame);
        this.pending = [];
        this.pendingBytes = 0;
        return ws;
      },
      (error: TransportError) => {
        this.opening = undefined;
        const unsent = this.pending;
        this.pending = [];
        this.pendingBytes = 0;
        if (error instanceof TransportError && error.unsent.length === 0) error.unsent = unsent;
        throw error;
      },
    );
    return this.opening;
  }

  /** Send now when open, else queue (bounded) until the socket opens. */
  private send(frame: string): void {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(frame);
      return;
    }
    if (this.pendingBytes + frame.length > this.ctx.maxQueueBytes) {
      throw new TransportError("ws_send_queue_full", `WebSocket send queue is full (${this.ctx.maxQueueBytes} bytes); message not queued.`, {
        transport: "websocket",
        hint: "The request body is larger than maxQueueBytes, or too many turns are waiting.",
      });
    }
    this.pending.push(frame);
    this.pendingBytes += frame.length;
  }

  private attach(ws: WebSocket, secrets: string[]): void {
    this.ws = ws;
    this.secrets = secrets;
    this.overflow = false;
    this.alive = true;
    ws.on("message", (data: Buffer) => {
      if (this.ws === ws) this.active?.onMessage(data.toString("utf8"));
    });
    ws.on("pong", () => (this.alive = true));
    ws.on("error", (error: Error & { code?: string }) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") this.overflow = true;
      this.ctx.logger?.debug?.("websocket error", { code: error.code });
    });
    ws.on("close", (code: number, reason: Buffer) => {
      // Late closes of a socket we already dropped must not fail the next turn.
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopHeartbeat();
      this.active?.onClose(code, reason.toString("utf8"), this.overflow);
    });
    this.stopHeartbeat();
    if (this.ctx.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        if (!this.alive) {
          this.ctx.logger?.warn?.("websocket missed a pong; terminating");
          ws.terminate();
          return;
        }
        this.alive = false;
        ws.ping();
      }, this.ctx.heartbeatMs);
      this.heartbeat.unref?.();
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private async turn(
    frame: string,
    identity: TurnIdentity,
    sink: StreamSink,
    signal: AbortSignal,
    deadlineMs: number | undefined,
  ): Promise<void> {
    sink.setTransport("websocket");
    const normalizer = new EventNormalizer("websocket");
    sink.setPartial(() => normalizer.partial());
    const fields = (): TransportErrorFields => ({ transport: "websocket", partial: normalizer.partial(), secrets: this.secrets });
    const opened = this.ensureOpen(identity, signal);
    // Observed here too: if send() throws below, nobody else awaits the opening.
    opened.catch(() => undefined);
    const emit = (event: StreamEvent) => sink.push(event);
    let index = 0;
    let finish!: (error?: TransportError) => void;
    const done = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      finish = (error?: TransportError) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.active === turn) this.active = undefined;
        if (error) reject(error);
        else resolve();
      };
      const kill = (error: TransportError) => {
        finish(error);
        // A response we stopped reading would leak its events into the next turn: drop the socket.
        const ws = this.ws;
        this.ws = undefined;
        ws?.terminate();
      };
      const timeoutMs = deadlineMs ?? this.ctx.idleTimeoutMs;
      timer = setTimeout(() => kill(new StreamIdleTimeoutError(timeoutMs, fields())), timeoutMs);
      const onAbort = () => kill(new AbortError(fields()));
      signal.addEventListener("abort", onAbort, { once: true });
      const turn: ActiveTurn = {
        onMessage: (data) => {
          if (deadlineMs === undefined) timer.refresh();
          const at = index++;
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(data) as Record<string, unknown>;
          } catch {
            return kill(new StreamParseError(at, data, fields()));
          }
          if (typeof parsed !== "object" || parsed === null) return kill(new StreamParseError(at, data, fields()));
          if (!normalizer.push(parsed, emit)) return;
          if (normalizer.error) finish(wireErrorToError(normalizer.error, fields(), this.ctx.now()));
          else finish();
        },
        onClose: (code, reason, localOverflow) => {
          finish(new WebSocketClosedError(code, reason, { ...fields(), localOverflow }));
        },
      };
      this.active = turn;
    });
    done.catch(() => undefined);
    try {
      this.send(frame);
      await opened;
    } catch (error) {
      finish(error as TransportError);
      throw error;
    }
    if (!this.isOpen) this.active?.onClose(1006, "socket closed before the request was sent", this.overflow);
    await done;
  }
}

function pickWarmup(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["model", "instructions", "tools", "store", "prompt_cache_key", "reasoning", "include"]) {
    if (body[key] !== undefined) out[key] = body[key];
  }
  return out;
}
