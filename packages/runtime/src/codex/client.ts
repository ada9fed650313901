import { join } from "node:path";
import { inspect } from "node:util";
import { emptyUsage, resolveGenesisHome, type StreamEvent } from "@genesis/core";
import type { GetAccountResponse } from "../../protocol/v2/GetAccountResponse.js";
import type { ThreadStartResponse } from "../../protocol/v2/ThreadStartResponse.js";
import type { TurnStartResponse } from "../../protocol/v2/TurnStartResponse.js";
import { readModelTiers } from "./_model-tiers.js";
import { ActiveTurn } from "./_turn.js";
import type { RateLimitFacts } from "./_turn-errors.js";
import { answerServerRequest, type CodexAuthTokens } from "./_server-requests.js";
import { AppServerProcess } from "./app-server-process.js";
import { defaultApprovalPolicy } from "./approval-policy.js";
import type { CodexAppServerClientOptions, CodexAuth, CodexThreadSettings, CodexTurnOptions } from "./_client-types.js";
import { buildCodexLaunch } from "./codex-launch.js";
import { CodexHarnessError } from "./errors.js";
import { resolveCodexBinary } from "./resolve-codex-binary.js";

export type { CodexAppServerClientOptions, CodexAuth, CodexThreadSettings, CodexTurnOptions } from "./_client-types.js";

/** `model/list` reads per app-server process before its catalog counts as unreadable. */
const MAX_CATALOG_READS = 3;

/**
 * A client of ONE `codex app-server` process shared by many sessions (threads). The process
 * is started lazily, restarted on the next call after it dies (turns running at that moment
 * fail with `codex_app_server_exited`), and stopped by {@link close}.
 */
export class CodexAppServerClient {
  private proc: AppServerProcess | undefined;
  private starting: Promise<AppServerProcess> | undefined;
  private readonly active = new Map<string, ActiveTurn>();
  private readonly threads = new Map<string, { settings: CodexThreadSettings; loadedIn?: AppServerProcess }>();
  private limits: RateLimitFacts = {};
  // model/list answers of the current process: its catalog decides which tiers reach the wire.
  // A failed read is not kept: a later call reads again, up to MAX_CATALOG_READS per process.
  private catalog: { proc: AppServerProcess; tiers: Promise<Map<string, readonly string[]> | undefined>; reads: number; failed: boolean } | undefined;
  // The plan of the ChatGPT account we handed over: Codex's usage-limit error does not name it.
  private authPlanType: string | undefined;
  private closed = false;
  private readonly auth: CodexAuth;

  constructor(private readonly opts: CodexAppServerClientOptions = {}) {
    this.auth = opts.auth ?? (opts.endpoint?.apiKey ? { kind: "apiKey", apiKey: opts.endpoint.apiKey } : { kind: "app-server" });
  }

  // The options hold keys and token callbacks: print only what is safe.
  [inspect.custom](): string {
    return `CodexAppServerClient { pid: ${this.pid}, auth: ${this.auth.kind}, endpoint: ${this.opts.endpoint?.baseUrl ?? "OpenAI"} }`;
  }

  toJSON(): { pid: number | undefined; auth: string; endpoint: string } {
    return { pid: this.pid, auth: this.auth.kind, endpoint: this.opts.endpoint?.baseUrl ?? "OpenAI" };
  }

  /** Pid of the running app-server, if any. */
  get pid(): number | undefined {
    return this.proc?.alive ? this.proc.pid : undefined;
  }

  /** How many times a process was started (restarts included). */
  starts = 0;

  /** Start (or restart) the app-server and authenticate. Idempotent while it runs. */
  async start(): Promise<AppServerProcess> {
    if (this.closed) throw new CodexHarnessError("codex_closed", "This Codex harness client was closed.");
    if (this.proc?.alive) return this.proc;
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Create a new Codex thread; returns its id (record it in the session). */
  async startThread(settings: CodexThreadSettings): Promise<string> {
    const proc = await this.start();
    const res = await proc.request<ThreadStartResponse>("thread/start", this.threadParams(settings));
    this.threads.set(res.thread.id, { settings, loadedIn: proc });
    return res.thread.id;
  }

  /** Run one turn on a thread, streaming core events; throws a `CodexHarnessError` on failure. */
  async *runTurn(options: CodexTurnOptions): AsyncGenerator<StreamEvent> {
    const { threadId, signal } = options;
    if (this.active.has(threadId)) {
      throw new CodexHarnessError("codex_turn_failed", "A turn is already running on this Codex thread.", { threadId });
    }
    if (signal?.aborted) {
      // Aborted before it began: nothing to interrupt, and nothing was sent upstream.
      yield { type: "response.done", status: "incomplete", responseId: "", output: [], usage: emptyUsage(), reason: "interrupted" };
      return;
    }
    const proc = await this.start();
    await this.ensureLoaded(proc, threadId, options.settings);
    const turn = new ActiveTurn(threadId, options.settings.model, () => ({ ...this.limits, planType: this.limits.planType ?? this.authPlanType }));
    this.active.set(threadId, turn);
    const interrupt = () => {
      if (turn.turnId && proc.alive) proc.request("turn/interrupt", { threadId, turnId: turn.turnId }).catch(() => {});
    };
    signal?.addEventListener("abort", interrupt, { once: true });
    try {
      const res = await proc.request<TurnStartResponse>("turn/start", {
        threadId,
        input: [{ type: "text", text: options.text, text_elements: [] }],
        // Per turn, so that /fast toggled mid-session applies from this turn on.
        ...(options.settings.serviceTier !== undefined ? { serviceTier: options.settings.serviceTier } : {}),
      });
      turn.turnId ??= res.turn.id;
      if (signal?.aborted) interrupt();
      yield* turn;
    } catch (error) {
      turn.fail(error);
      throw error;
    } finally {
      signal?.removeEventListener("abort", interrupt);
      // A consumer that stopped reading early must not leave the thread busy upstream.
      if (!turn.done) interrupt();
      this.active.delete(threadId);
    }
  }

  /**
   * Stop the current app-server but keep the client usable: the next call starts a new one and
   * resumes threads on demand. Codex lets only one process write a thread, so a host hands a
   * session to another process this way (or by exiting).
   */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const proc = this.proc;
    this.proc = undefined;
    await proc?.close();
  }

  /**
   * The service-tier ids the app-server's model catalog offers for `model` (`model/list`
   * `serviceTiers`), e.g. `["priority"]`; `[]` when the model is not in its catalog;
   * `undefined` when the catalog could not be read. Read once per app-server process; a failed
   * read is retried by a later call (at most 3 reads per process), so one
   * slow or failed `model/list` does not leave every later turn "unconfirmed".
   */
  async modelServiceTiers(model: string): Promise<readonly string[] | undefined> {
    const proc = await this.start();
    const known = this.catalog?.proc === proc ? this.catalog : undefined;
    if (!known || (known.failed && known.reads < MAX_CATALOG_READS)) {
      const entry = { proc, tiers: readModelTiers(proc), reads: (known?.reads ?? 0) + 1, failed: false };
      void entry.tiers.then((t) => (entry.failed = t === undefined));
      this.catalog = entry;
    }
    const tiers = await this.catalog!.tiers;
    return tiers ? (tiers.get(model) ?? []) : undefined;
  }

  /** The app-server's view of its account (`account/read`), e.g. after a token hand-off. */
  async account(): Promise<GetAccountResponse> {
    const proc = await this.start();
    return proc.request<GetAccountResponse>("account/read", { refreshToken: false });
  }

  /** Stop the app-server (no process is left behind). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.proc?.close();
  }

  private threadParams(s: CodexThreadSettings): Record<string, unknown> {
    return {
      cwd: s.cwd,
      ...(s.model ? { model: s.model } : {}),
      ...(s.developerInstructions ? { developerInstructions: s.developerInstructions } : {}),
      ...(s.serviceTier !== undefined ? { serviceTier: s.serviceTier } : {}),
      approvalPolicy: s.approvalPolicy ?? "on-request",
      sandbox: s.sandbox ?? "workspace-write",
    };
  }

  private async ensureLoaded(proc: AppServerProcess, threadId: string, settings: CodexThreadSettings): Promise<void> {
    const known = this.threads.get(threadId);
    if (known?.loadedIn === proc) return;
    try {
      await proc.request("thread/resume", { threadId, ...this.threadParams(settings) });
    } catch (error) {
      if (error instanceof CodexHarnessError && /active writer/i.test(error.message)) {
        throw new CodexHarnessError("codex_thread_busy", "Another process is running this session's Codex thread.", {
          threadId,
          method: "thread/resume",
          cause: error,
          hint: "Finish or close the other Genesis process using this session, then retry.",
        });
      }
      throw error;
    }
    this.threads.set(threadId, { settings, loadedIn: proc });
  }

  private async spawn(): Promise<AppServerProcess> {
    const env = this.opts.env ?? process.env;
    const launch = buildCodexLaunch(this.opts.endpoint, { allowTmpWrites: this.opts.allowTmpWrites });
    const proc = AppServerProcess.start({
      bin: resolveCodexBinary({ path: this.opts.codexBin, env }),
      args: [...launch.args, ...(this.opts.extraArgs ?? [])],
      env: { ...env, ...launch.env },
      codexHome: this.opts.codexHome ?? join(resolveGenesisHome(env), "codex"),
      requestTimeoutMs: this.opts.requestTimeoutMs,
      onNotification: (method, params) => this.onNotification(method, params),
      onServerRequest: (method, params) =>
        answerServerRequest(
          {
            approvalHandler: this.opts.approvalHandler ?? defaultApprovalPolicy,
            workingDirectory: (id) => this.threads.get(id)?.settings.cwd,
            item: (threadId, itemId) => this.active.get(threadId)?.items.get(itemId),
            refreshTokens: this.refresher(),
            onOtherRequest: this.opts.onServerRequest,
          },
          method,
          params,
        ),
      onExit: (exit) => {
        for (const turn of this.active.values()) {
          turn.fail(
            new CodexHarnessError("codex_app_server_exited", `The Codex app-server died during the turn (${exit.signal ?? `code ${exit.code}`}).`, {
              threadId: turn.threadId,
              turnId: turn.turnId,
              exitCode: exit.code,
              signal: exit.signal,
              hint: "The next turn restarts it and resumes the thread.",
            }),
          );
        }
      },
    });
    this.starts++;
    try {
      await this.handshake(proc, launch.customProvider);
    } catch (error) {
      await proc.close(200);
      throw error;
    }
    this.proc = proc;
    return proc;
  }

  private refresher(): ((previousAccountId?: string) => Promise<CodexAuthTokens>) | undefined {
    const auth = this.auth;
    if (auth.kind !== "chatgpt") return undefined;
    return async (prev) => {
      const tokens = await (auth.refresh ? auth.refresh(prev) : auth.getTokens());
      this.authPlanType = tokens.planType ?? this.authPlanType;
      return tokens;
    };
  }

  private async handshake(proc: AppServerProcess, customProvider: boolean): Promise<void> {
    const experimental = this.auth.kind === "chatgpt";
    await proc.request("initialize", {
      clientInfo: { name: "genesis", title: "Genesis", version: this.opts.clientVersion ?? __GENESIS_VERSION__ },
      capabilities: { experimentalApi: experimental, requestAttestation: false },
    });
    proc.notify("initialized");
    if (this.auth.kind === "chatgpt") {
      const t = await this.auth.getTokens();
      this.authPlanType = t.planType;
      await proc.request("account/login/start", {
        type: "chatgptAuthTokens",
        accessToken: t.accessToken,
        chatgptAccountId: t.accountId,
        chatgptPlanType: t.planType ?? null,
      });
    } else if (this.auth.kind === "apiKey" && !customProvider) {
      await proc.request("account/login/start", { type: "apiKey", apiKey: this.auth.apiKey });
    } else if (this.auth.kind === "app-server") {
      const account = await proc.request<GetAccountResponse>("account/read", { refreshToken: false });
      if (!account.account && account.requiresOpenaiAuth) {
        throw new CodexHarnessError("codex_not_signed_in", "The Codex app-server has no account to run turns with.", {
          hint: "Sign in with genesis models auth login --provider openai-codex, or set OPENAI_API_KEY.",
        });
      }
    }
  }

  private onNotification(method: string, params: any): void {
    if (method === "account/rateLimits/updated") {
      const r = params?.rateLimits;
      this.limits = {
        planType: r?.planType ?? this.limits.planType,
        resetsAt: r?.primary?.resetsAt ?? r?.secondary?.resetsAt ?? this.limits.resetsAt,
      };
      return;
    }
    const threadId = params?.threadId;
    if (typeof threadId === "string") this.active.get(threadId)?.onNotification(method, params);
  }
}
