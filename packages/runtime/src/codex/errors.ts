import { GenesisError, type GenesisErrorOptions } from "@genesis/core";

/** Stable codes of {@link CodexHarnessError}. */
export type CodexHarnessErrorCode =
  | "codex_binary_not_found"
  | "codex_spawn_failed"
  | "codex_app_server_exited"
  | "codex_request_timeout"
  | "codex_rpc_error"
  | "codex_not_signed_in"
  | "codex_usage_limit"
  | "codex_context_window_exceeded"
  | "codex_unauthorized"
  | "codex_rate_limited"
  | "codex_server_overloaded"
  | "codex_turn_failed"
  | "codex_thread_busy"
  | "codex_closed";

/** Structured fields carried by {@link CodexHarnessError}. */
export interface CodexHarnessErrorFields extends GenesisErrorOptions {
  /** JSON-RPC method the failure belongs to, e.g. `turn/start`. */
  method?: string;
  threadId?: string;
  turnId?: string;
  /** The app-server's `codexErrorInfo` (string form, e.g. `usageLimitExceeded`). */
  codexErrorInfo?: string;
  /** JSON-RPC error code when the app-server answered with an error. */
  rpcCode?: number;
  /** ChatGPT plan when the server reported it (usage limits). */
  planType?: string;
  /** Epoch seconds when a usage limit resets, when reported. */
  resetsAt?: number;
  /** Exit code / signal of the app-server process when it died. */
  exitCode?: number | null;
  signal?: string | null;
}

/**
 * Everything the Codex app-server harness fails with on purpose. Branch on `code`;
 * `message` is already redacted and never contains tokens or keys.
 */
export class CodexHarnessError extends GenesisError {
  declare readonly code: CodexHarnessErrorCode;
  readonly method: string | undefined;
  readonly threadId: string | undefined;
  readonly turnId: string | undefined;
  readonly codexErrorInfo: string | undefined;
  readonly rpcCode: number | undefined;
  readonly planType: string | undefined;
  readonly resetsAt: number | undefined;
  readonly exitCode: number | null | undefined;
  readonly signal: string | null | undefined;

  constructor(code: CodexHarnessErrorCode, message: string, fields: CodexHarnessErrorFields = {}) {
    super(code, message, fields);
    this.method = fields.method;
    this.threadId = fields.threadId;
    this.turnId = fields.turnId;
    this.codexErrorInfo = fields.codexErrorInfo;
    this.rpcCode = fields.rpcCode;
    this.planType = fields.planType;
    this.resetsAt = fields.resetsAt;
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
  }
}
