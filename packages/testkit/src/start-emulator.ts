import { inspect } from "node:util";
import { GenesisError } from "@genesis/core";
import { checkAzureKey } from "./_api-key.js";
import type { EmulatorCore } from "./_core.js";
import { extraRoutes, extraWsRoutes } from "./_endpoints-extra.js";
import { createAuthState, type AuthState } from "./auth/auth-state.js";
import { FaultQueue, type Fault } from "./_faults.js";
import { assertStartOptions } from "./_validate-input.js";
import { Recorder, type RecordedRequest } from "./_recorder.js";
import { sharedValidator } from "./_spec-validator.js";
import type { EmulatorContext } from "./_types.js";
import { CODEX_PREFIX, checkCodexAuth, listCodexModelsHandler, setCodexModels, type CodexModelRow } from "./codex-backend.js";
import { listModels, retrieveModel } from "./models.js";
import { TurnQueue, type ScriptedTurnInput } from "./responses/_turn.js";
import { createChatCompletionHandler } from "./responses/chat-completions.js";
import { createResponseHandler, onResponsesConnection, retrieveResponseHandler } from "./responses/responses.js";
import { createEmulatorServer, type CoreRoute, type CoreWsRoute } from "./server.js";

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Validate JSON request bodies against the official OpenAPI spec (default true). */
  validate?: boolean;
  /** Path of an OpenAPI JSON document to validate against (default: the trimmed copy shipped in `spec/`). */
  specPath?: string;
  /** Clock in ms since epoch for `created_at`, token expiry and video progress (default `Date.now`). */
  now?: () => number;
  /** Accepted API keys; default: any non-empty Bearer / `api-key` value. */
  apiKeys?: string[];
  /** Reply text when no turn is scripted (default `Echo: <last user input>`). */
  defaultReply?: string;
  /** Called with each request right after it is recorded (e.g. to log traffic). */
  onRequest?: (request: RecordedRequest) => void;
}

/**
 * OAuth test helpers (the emulated auth.openai.com): mint tokens, count refresh grants,
 * steer the next `/oauth/authorize`, revoke refresh tokens, verify access tokens.
 */
export type EmulatorAuth = Omit<AuthState, "approveDeviceCode">;

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `${url}/v1` */
  readonly apiBase: string;
  /** `${url}/backend-api/codex` (POST `/responses` under it, SSE or WebSocket). */
  readonly codexBase: string;
  /** OAuth issuer origin (`${url}`): `/oauth/authorize`, `/oauth/token`, device-code endpoints. */
  readonly authIssuer: string;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path: string): string;
  /** Every request in arrival order (headers redacted). */
  readonly requests: RecordedRequest[];
  /** The raw authorization (or api-key) value of request `id`, for exact assertions. */
  authHeaderOf(id: number): string | undefined;
  /** Queues scripted replies for the Responses endpoints (FIFO, shared by SSE, WS and Codex). */
  script(...turns: ScriptedTurnInput[]): void;
  /** Arms a fault for the next matching request(s) or connection(s). */
  fault(f: Fault): void;
  /**
   * Replaces the rows the Codex backend's `GET /models` lists (e.g. without gpt-5.5, or
   * malformed ones); `undefined` restores the defaults (`EMULATOR_CODEX_MODELS`).
   */
  setCodexModels(rows?: readonly CodexModelRow[]): void;
  /** Approves (or denies) a pending device code; the most recent when `userCode` is omitted. */
  approveDeviceCode(userCode?: string, opts?: { deny?: boolean }): void;
  readonly auth: EmulatorAuth;
  /** Forgets recorded requests, scripted turns and armed faults (state of endpoints is kept). */
  reset(): void;
  /** Closes every socket and the listener; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a loopback OpenAI emulator (HTTP + WebSocket on one port of 127.0.0.1).
 * @example
 * const emu = await startEmulator();
 * emu.script({ text: "hi" });
 * // point a client at emu.apiBase ... then
 * await emu.close();
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  assertStartOptions(options);
  const abort = new AbortController();
  const ctx: EmulatorContext = { origin: "", state: new Map(), now: options.now ?? Date.now };
  let responseCount = 0;
  const core: EmulatorCore = {
    ctx,
    validate: options.validate ?? true,
    apiKeys: options.apiKeys,
    defaultReply: options.defaultReply,
    recorder: new Recorder(),
    faults: new FaultQueue(),
    turns: new TurnQueue(),
    validator: sharedValidator(options.specPath),
    stored: new Map(),
    nextResponseId: () => `resp_${(++responseCount).toString(16).padStart(24, "0")}`,
    onRequest: options.onRequest,
    signal: abort.signal,
  };
  ctx.takeStreamFaults = (path) => core.faults.take("stream", path, "websocket");
  ctx.takeHttpStreamFaults = (path) => core.faults.take("stream", path, "http");

  const routes: CoreRoute[] = [
    { method: "GET", pattern: "/v1/models", handler: listModels },
    { method: "GET", pattern: "/v1/models/:model", handler: retrieveModel },
    { method: "POST", pattern: "/v1/responses", operationId: "createResponse", handler: createResponseHandler(core, false) },
    { method: "GET", pattern: "/v1/responses/:id", handler: retrieveResponseHandler(core) },
    { method: "POST", pattern: "/v1/chat/completions", operationId: "createChatCompletion", handler: createChatCompletionHandler(core) },
    { method: "POST", pattern: `${CODEX_PREFIX}/responses`, handler: createResponseHandler(core, true) },
    { method: "GET", pattern: `${CODEX_PREFIX}/models`, handler: listCodexModelsHandler },
    // Azure OpenAI v1 API: same Responses surface under /openai/v1, keyed by `api-key`.
    {
      method: "POST",
      pattern: "/openai/v1/responses",
      operationId: "createResponse",
      precheck: (req) => checkAzureKey(req.headers, core.apiKeys),
      handler: createResponseHandler(core, false),
    },
    ...extraRoutes,
  ];
  const wsRoutes: CoreWsRoute[] = [
    { pattern: "/v1/responses", onConnection: onResponsesConnection(core, false) },
    { pattern: `${CODEX_PREFIX}/responses`, onConnection: onResponsesConnection(core, true), precheck: (req) => checkCodexAuth(req.headers, ctx.now()) },
    { pattern: "/openai/v1/responses", onConnection: onResponsesConnection(core, false), precheck: (req) => checkAzureKey(req.headers, core.apiKeys) },
    ...extraWsRoutes,
  ];
  const server = createEmulatorServer(core, routes, wsRoutes);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new GenesisError(code === "EADDRINUSE" ? "emulator_port_in_use" : "emulator_listen_failed", `The emulator cannot listen on 127.0.0.1:${options.port ?? 0} (${code ?? "error"}).`, {
      cause: error,
      hint: "Pick another port, or 0 for a free one.",
    });
  }
  const url = `http://127.0.0.1:${port}`;
  ctx.origin = url;
  const authState = createAuthState(ctx);
  let closing: Promise<void> | undefined;

  const emulator: Emulator = {
    url,
    port,
    apiBase: `${url}/v1`,
    codexBase: `${url}${CODEX_PREFIX}`,
    authIssuer: url,
    wsUrl: (path) => `ws://127.0.0.1:${port}${path.startsWith("/") ? path : `/${path}`}`,
    requests: core.recorder.requests,
    authHeaderOf: (id) => core.recorder.authHeaderOf(id),
    script: (...turns) => core.turns.push(...turns),
    fault: (f) => core.faults.arm(f),
    setCodexModels: (rows) => setCodexModels(ctx, rows),
    approveDeviceCode: (userCode, opts) => authState.approveDeviceCode(userCode, opts),
    auth: {
      issueTokens: (opts) => authState.issueTokens(opts),
      get refreshCount() {
        return authState.refreshCount;
      },
      setNextAuthorizeResult: (outcome) => authState.setNextAuthorizeResult(outcome),
      revokeAll: () => authState.revokeAll(),
      verifyAccessToken: (token) => authState.verifyAccessToken(token),
    },
    reset: () => {
      core.recorder.clear();
      core.turns.clear();
      core.faults.clear();
    },
    close: () => {
      closing ??= (async () => {
        abort.abort();
        await server.close();
      })();
      return closing;
    },
  };
  // Printing the emulator (e.g. in a failed assertion) shows where it runs, not its internals.
  Object.defineProperty(emulator, inspect.custom, { value: () => `Emulator { url: '${url}', requests: ${core.recorder.requests.length} }` });
  return emulator;
}
