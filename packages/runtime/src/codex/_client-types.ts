import type { AskForApproval } from "../../protocol/v2/AskForApproval.js";
import type { SandboxMode } from "../../protocol/v2/SandboxMode.js";
import type { CodexAuthTokens } from "./_server-requests.js";
import type { ApprovalHandler } from "./approval-policy.js";
import type { CodexEndpoint } from "./codex-launch.js";

// The public option and settings types of CodexAppServerClient (re-exported by client.ts).

/**
 * How the app-server authenticates upstream.
 * - `chatgpt`: Genesis owns the Codex sign-in and hands its tokens over (`chatgptAuthTokens`,
 *   experimental API); the server's refresh requests are answered from `refresh`.
 * - `apiKey`: an OpenAI API key (custom provider env when an endpoint override is set,
 *   `account/login/start {type:"apiKey"}` otherwise).
 * - `app-server`: whatever account the app-server's own CODEX_HOME holds; a clear
 *   `codex_not_signed_in` error when it holds none.
 */
export type CodexAuth =
  | { kind: "chatgpt"; getTokens(): Promise<CodexAuthTokens>; refresh?(previousAccountId?: string): Promise<CodexAuthTokens> }
  | { kind: "apiKey"; apiKey: string }
  | { kind: "app-server" };

/** Options of {@link CodexAppServerClient}. */
export interface CodexAppServerClientOptions {
  /** Path of the native codex binary. Default: `$GENESIS_CODEX_BIN`, else `@openai/codex`. */
  codexBin?: string;
  /** Codex's state dir. Default `$GENESIS_HOME/codex` (never `~/.codex`). */
  codexHome?: string;
  /** Environment for the child (and for `GENESIS_HOME`/`GENESIS_CODEX_BIN`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Endpoint override (`models.providers.openai.baseUrl` + key). */
  endpoint?: CodexEndpoint;
  /** Default: `apiKey` when `endpoint.apiKey` is set, else `app-server`. */
  auth?: CodexAuth;
  /** Reported as `clientInfo.version`. Default: this package's version. */
  clientVersion?: string;
  /** Timeout of every JSON-RPC request in ms. Default 60 000. */
  requestTimeoutMs?: number;
  /** Approval policy. Default {@link defaultApprovalPolicy}. */
  approvalHandler?: ApprovalHandler;
  /** Other server→client requests; default answers them with a method-not-found error. */
  onServerRequest?(method: string, params: unknown): Promise<unknown>;
  /** Extra `codex app-server` arguments (e.g. more `-c` overrides). */
  extraArgs?: readonly string[];
  /**
   * Let Codex's sandbox write `/tmp` and `$TMPDIR` without asking (Codex's own default).
   * Default `false`: every write outside the working directory goes to the approval policy.
   */
  allowTmpWrites?: boolean;
}

/** Per-thread settings, replayed by `thread/resume` after a restart or in a new process. */
export interface CodexThreadSettings {
  /** The session's working directory (absolute). */
  cwd: string;
  model?: string;
  /** The GPT-5 behaviour contract; Codex keeps the rest of its own prompt. */
  developerInstructions?: string;
  /** Default `on-request`: Codex asks before leaving the sandbox. */
  approvalPolicy?: AskForApproval;
  /** Default `workspace-write`. */
  sandbox?: SandboxMode;
  /**
   * Codex tier id (`priority`, `flex`, `default`), sent on `thread/start`, `thread/resume` and
   * every `turn/start` so a change applies from the next turn; `null` clears it. Default: not
   * sent (Codex keeps its own choice). See `planCodexServiceTier` for what reaches the wire.
   */
  serviceTier?: string | null;
}

/** Options of {@link CodexAppServerClient.runTurn}. */
export interface CodexTurnOptions {
  threadId: string;
  /** The user's message. */
  text: string;
  /** Used to resume the thread when this process has not loaded it yet. */
  settings: CodexThreadSettings;
  /** Aborting sends `turn/interrupt`; the stream then ends with `status: "incomplete"`. */
  signal?: AbortSignal;
}
