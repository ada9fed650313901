import type { IncomingHttpHeaders } from "node:http";
import { decodeJwt } from "./_jwt.js";
import { openaiError } from "./_router.js";
import type { EmulatorContext, EmulatorRequest, HttpReply } from "./_types.js";

/**
 * Header rules of the ChatGPT Codex backend (`/backend-api/codex/responses`): a Bearer
 * access token that is a JWT carrying `https://api.openai.com/auth`.chatgpt_account_id,
 * a `chatgpt-account-id` header equal to that claim, and an unexpired `exp`. The emulator
 * decodes the token like the clients do; it does not check the signature, so tokens minted
 * by tests (or by the emulator's own OAuth endpoints) both work.
 */

/** Path prefix of the Codex backend. */
export const CODEX_PREFIX = "/backend-api/codex";

/** The account id claim of a Codex access token, or undefined when absent. */
export function accountIdOf(token: string): { accountId?: string; exp?: number } | undefined {
  const jwt = decodeJwt(token);
  if (!jwt) return undefined;
  const auth = jwt.payload["https://api.openai.com/auth"] as { chatgpt_account_id?: unknown } | undefined;
  const accountId = typeof auth?.chatgpt_account_id === "string" ? auth.chatgpt_account_id : undefined;
  const exp = typeof jwt.payload["exp"] === "number" ? jwt.payload["exp"] : undefined;
  return { accountId, exp };
}

/** Checks the Codex headers; returns the 401/403 answer, or undefined when they pass. */
export function checkCodexAuth(headers: IncomingHttpHeaders, nowMs: number): HttpReply | undefined {
  const auth = headers["authorization"];
  const m = typeof auth === "string" ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (!m) return { status: 401, body: openaiError("Missing bearer authentication in header", "invalid_request_error", "missing_authorization") };
  const claims = accountIdOf(m[1]!);
  if (!claims) return { status: 401, body: openaiError("Invalid access token: not a JWT.", "invalid_request_error", "invalid_token") };
  if (claims.exp !== undefined && claims.exp * 1000 <= nowMs) {
    return { status: 401, body: openaiError("Provided authentication token is expired. Please try signing in again.", "invalid_request_error", "token_expired") };
  }
  const header = headers["chatgpt-account-id"];
  if (typeof header !== "string" || header === "") {
    return { status: 403, body: openaiError("Missing chatgpt-account-id header.", "invalid_request_error", "missing_account_id") };
  }
  if (!claims.accountId || claims.accountId !== header) {
    return { status: 403, body: openaiError("The chatgpt-account-id header does not match the access token's account.", "invalid_request_error", "account_mismatch") };
  }
  return undefined;
}

/** Codex-specific body rules: `store` must be false, and SSE requests must stream. */
export function checkCodexBody(body: Record<string, unknown>, transport: "http" | "websocket"): HttpReply | undefined {
  if (body["store"] === true) {
    return { status: 400, body: openaiError("Store must be set to false", "invalid_request_error", "invalid_value", "store") };
  }
  if (transport === "http" && body["stream"] !== true) {
    return { status: 400, body: openaiError("Stream must be set to true", "invalid_request_error", "invalid_value", "stream") };
  }
  return undefined;
}

/**
 * One row of the Codex backend's `GET /models` answer, in the shape the Codex CLI decodes
 * (`ModelInfo`: slug, display_name, context_window, visibility, supported_in_api, ...).
 */
export type CodexModelRow = Record<string, unknown> & { slug: string };

function codexRow(slug: string, displayName: string, description: string, contextWindow: number, priority: number): CodexModelRow {
  return {
    slug,
    display_name: displayName,
    description,
    default_reasoning_level: "medium",
    supported_reasoning_levels: ["low", "medium", "high", "xhigh"].map((effort) => ({ effort, description: `${effort} reasoning` })),
    shell_type: "shell_command",
    visibility: "list",
    supported_in_api: slug !== "gpt-5.5",
    priority,
    upgrade: null,
    base_instructions: "You are Codex, a coding agent.",
    supports_reasoning_summaries: true,
    support_verbosity: true,
    default_verbosity: "low",
    apply_patch_tool_type: "freeform",
    truncation_policy: { mode: "tokens", limit: 10_000 },
    supports_parallel_tool_calls: true,
    context_window: contextWindow,
    max_context_window: contextWindow,
    effective_context_window_percent: 95,
    experimental_supported_tools: [],
    input_modalities: ["text", "image"],
  };
}

/**
 * The models the emulated Codex backend lists by default, best first. Context windows
 * follow the built-in catalog; `gpt-5.3-codex` is a row the catalog does not have.
 */
export const EMULATOR_CODEX_MODELS: readonly CodexModelRow[] = [
  codexRow("gpt-5.5", "GPT-5.5", "Frontier model for complex coding and agentic work.", 1_000_000, 1),
  codexRow("gpt-5.4", "GPT-5.4", "Strong all-round coding model.", 1_050_000, 2),
  codexRow("gpt-5.4-mini", "GPT-5.4 mini", "Faster, cheaper coding model.", 400_000, 3),
  codexRow("gpt-5.3-codex", "GPT-5.3 Codex", "Previous Codex-tuned model.", 400_000, 4),
];

const MODELS_SLOT = "codex-models";

/** Replace the rows `GET /backend-api/codex/models` answers; `undefined` restores {@link EMULATOR_CODEX_MODELS}. */
export function setCodexModels(ctx: EmulatorContext, rows: readonly CodexModelRow[] | undefined): void {
  if (rows === undefined) ctx.state.delete(MODELS_SLOT);
  else ctx.state.set(MODELS_SLOT, rows.map((row) => ({ ...row })));
}

/**
 * `GET /backend-api/codex/models?client_version=<x.y.z>`: the Codex headers are checked like
 * on `/responses`; a missing or malformed `client_version` is a 400, as the Codex CLI always
 * sends one. The answer carries an `etag` header like the real backend.
 */
export function listCodexModelsHandler(req: EmulatorRequest, ctx: EmulatorContext): HttpReply {
  const denied = checkCodexAuth(req.headers, ctx.now());
  if (denied) return denied;
  const version = req.query.get("client_version");
  if (!version || !/^\d+\.\d+\.\d+/.test(version)) {
    return { status: 400, body: openaiError("client_version is required (e.g. ?client_version=0.169.0).", "invalid_request_error", "missing_client_version", "client_version") };
  }
  const rows = (ctx.state.get(MODELS_SLOT) as CodexModelRow[] | undefined) ?? EMULATOR_CODEX_MODELS;
  return { status: 200, headers: { etag: `"codex-models-${rows.length}"` }, body: { models: rows } };
}
