import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync } from "node:fs";
import { inspect } from "node:util";
import { redactSecrets } from "@genesis/core";
import { JsonLineSplitter } from "./_json-lines.js";
import { killProcessGroup, trackChild, untrackChild } from "./_process-group.js";
import { CodexHarnessError } from "./errors.js";

/** A JSON-RPC error the app-server sent back, or one we send it (`code` per JSON-RPC 2.0). */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** Thrown by server-request handlers to answer with a specific JSON-RPC error. */
export class RpcReplyError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
    this.name = "RpcReplyError";
  }
}

/** How the app-server process ended. */
export interface AppServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when we asked it to stop (close()), false when it died on its own or was killed. */
  expected: boolean;
  /** Last lines of its stderr (redacted), for diagnostics. */
  stderrTail: string;
}

/** Options of {@link AppServerProcess.start}. */
export interface AppServerProcessOptions {
  /** The native `codex` executable (see `resolveCodexBinary`). */
  bin: string;
  /** Extra arguments after `app-server`, e.g. `-c key=value` overrides. */
  args?: readonly string[];
  /** The subcommand before {@link args}. Default `["app-server"]` (tests run other peers). */
  command?: readonly string[];
  /** Environment of the child; `CODEX_HOME` is always set from {@link codexHome}. */
  env?: NodeJS.ProcessEnv;
  /** Codex's state directory (created when missing). Genesis never lets it default to `~/.codex`. */
  codexHome: string;
  /** Working directory of the process itself. */
  cwd?: string;
  /** Per-request timeout in ms. Default 60 000. */
  requestTimeoutMs?: number;
  /** Every server notification (`method` without an `id`). */
  onNotification?(method: string, params: unknown): void;
  /**
   * Every server→client request. Resolve with the result, or throw an {@link RpcReplyError};
   * any other throw is answered as an internal error. Default: method-not-found for all.
   */
  onServerRequest?(method: string, params: unknown, id: number | string): Promise<unknown>;
  /** Called once when the process has exited (after in-flight requests were rejected). */
  onExit?(exit: AppServerExit): void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL_LINES = 20;

/**
 * One `codex app-server` child speaking JSON-RPC (no `jsonrpc` field, one JSON object per
 * line) over stdio. The child runs in its own process group so that killing it also kills
 * anything it spawned; it is killed when the host exits, and it exits by itself when its
 * stdin closes (host crash).
 */
export class AppServerProcess {
  readonly pid: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly lines = new JsonLineSplitter((line) => this.onLine(line));
  private readonly stderrLines: string[] = [];
  private closing = false;
  private exited: AppServerExit | undefined;
  private readonly exitPromise: Promise<AppServerExit>;
  private readonly timeoutMs: number;

  private constructor(private readonly opts: AppServerProcessOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
    mkdirSync(opts.codexHome, { recursive: true, mode: 0o700 });
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(opts.bin, [...(opts.command ?? ["app-server"]), ...(opts.args ?? [])], {
        cwd: opts.cwd,
        env: { ...(opts.env ?? process.env), CODEX_HOME: opts.codexHome },
        stdio: ["pipe", "pipe", "pipe"],
        detached: process.platform !== "win32",
      });
    } catch (cause) {
      throw new CodexHarnessError("codex_spawn_failed", `Could not start ${opts.bin} app-server.`, { cause });
    }
    this.child = child;
    if (child.pid === undefined) {
      // spawn reports ENOENT/EACCES asynchronously; the pid is missing in that case.
      throw new CodexHarnessError("codex_spawn_failed", `Could not start ${opts.bin} app-server.`, {
        hint: "Check that the Codex binary exists and is executable (GENESIS_CODEX_BIN).",
      });
    }
    this.pid = child.pid;
    trackChild(this);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.lines.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => this.onStderr(chunk));
    // EPIPE after the child died is reported through 'exit'; do not crash the host.
    child.stdin.on("error", () => {});
    child.on("error", () => {});
    this.exitPromise = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        untrackChild(this);
        // Helpers it spawned (code-mode host, sandboxes) share its group; they go with it.
        killProcessGroup(this.pid, "SIGKILL");
        const exit: AppServerExit = {
          code,
          signal,
          expected: this.closing,
          stderrTail: redactSecrets(this.stderrLines.join("\n")),
        };
        this.exited = exit;
        const error = new CodexHarnessError(
          "codex_app_server_exited",
          `The Codex app-server exited (${signal ?? `code ${code}`}) before answering.`,
          { exitCode: code, signal, hint: "It is restarted on the next turn; check its stderr if this repeats." },
        );
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          this.pending.delete(id);
          p.reject(
            new CodexHarnessError(error.code, error.message, { method: p.method, exitCode: code, signal, hint: error.hint }),
          );
        }
        opts.onExit?.(exit);
        resolve(exit);
      });
    });
  }

  // The options hold the child's environment (keys): never print them.
  [inspect.custom](): string {
    return `AppServerProcess { pid: ${this.pid}, alive: ${this.alive} }`;
  }

  toJSON(): { pid: number; alive: boolean } {
    return { pid: this.pid, alive: this.alive };
  }

  /** Spawn the app-server. Throws `codex_spawn_failed` when it cannot start. */
  static start(options: AppServerProcessOptions): AppServerProcess {
    return new AppServerProcess(options);
  }

  /** False once the process has exited. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Resolves when the process has exited. */
  whenExited(): Promise<AppServerExit> {
    return this.exitPromise;
  }

  /** Send a request and wait for its answer (rejects on JSON-RPC error, timeout or exit). */
  request<T = unknown>(method: string, params: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    if (this.exited) {
      return Promise.reject(
        new CodexHarnessError("codex_app_server_exited", "The Codex app-server is not running.", { method }),
      );
    }
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new CodexHarnessError("codex_request_timeout", `The Codex app-server did not answer ${method} within ${timeoutMs} ms.`, {
            method,
            hint: "Raise requestTimeoutMs, or check that the app-server is healthy.",
          }),
        );
      }, timeoutMs);
      timer.unref?.();
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.write({ method, id, params });
    });
  }

  /** Send a notification (no answer expected). */
  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { method } : { method, params });
  }

  /** Send a signal to the whole process group (the server and anything it spawned). */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (killProcessGroup(this.pid, signal) || this.exited) return;
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * Stop the server: close stdin (it exits on EOF), then SIGTERM after `graceMs`, then SIGKILL.
   * Resolves once it has exited. Idempotent.
   */
  async close(graceMs = 1_000): Promise<AppServerExit> {
    if (this.exited) return this.exited;
    this.closing = true;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill("SIGTERM"), graceMs);
    const hard = setTimeout(() => this.kill("SIGKILL"), graceMs * 3);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
      clearTimeout(hard);
      // Helpers the server spawned in its group must not outlive it.
      this.kill("SIGKILL");
    }
  }

  private write(message: object): void {
    if (this.exited || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private onStderr(chunk: string): void {
    for (const line of chunk.split("\n")) {
      if (!line) continue;
      this.stderrLines.push(line);
      if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
    }
  }

  private onLine(line: string): void {
    let msg: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: RpcErrorBody };
    try {
      msg = JSON.parse(line);
    } catch {
      return; // Not protocol output (the server logs to stderr, but be lenient).
    }
    if (msg.method !== undefined && msg.id !== undefined) {
      void this.answer(msg.id, msg.method, msg.params);
    } else if (msg.method !== undefined) {
      this.opts.onNotification?.(msg.method, msg.params);
    } else if (typeof msg.id === "number") {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) {
        p.reject(
          new CodexHarnessError("codex_rpc_error", `Codex app-server rejected ${p.method}: ${redactSecrets(String(msg.error.message))}`, {
            method: p.method,
            rpcCode: msg.error.code,
          }),
        );
      } else {
        p.resolve(msg.result);
      }
    }
  }

  private async answer(id: number | string, method: string, params: unknown): Promise<void> {
    const handler = this.opts.onServerRequest;
    if (!handler) {
      this.write({ id, error: { code: -32601, message: `Genesis does not handle the server request ${method}.` } });
      return;
    }
    try {
      const result = await handler(method, params, id);
      this.write({ id, result });
    } catch (error) {
      const body: RpcErrorBody =
        error instanceof RpcReplyError
          ? { code: error.rpcCode, message: error.message }
          : { code: -32603, message: `Genesis failed to answer ${method}` };
      this.write({ id, error: body });
    }
  }
}
