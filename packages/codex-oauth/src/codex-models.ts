import { release, platform, arch } from "node:os";
import { z } from "zod";
import { GenesisError, redactSecrets, ValidationError } from "@genesis/core";
import { AuthenticationError, sendRequest, type HttpRequestOptions } from "@genesis/transport";
import type { CodexCredentialManager } from "./credential-manager.js";
import { codexResponsesUrl, type CodexOAuthSettings } from "./oauth-config.js";

/**
 * The Codex CLI version Genesis reports as `client_version` when it lists models. The backend
 * hides models whose `minimal_client_version` is newer, so this tracks the Codex release
 * Genesis is tested against (the same one the Codex harness pins).
 */
export const CODEX_CLIENT_VERSION = "0.169.0";

/** Default bound on the whole listing call, retries and a token refresh included. */
export const DEFAULT_CODEX_MODELS_TIMEOUT_MS = 10_000;

const rowSchema = z
  .object({
    slug: z.string().trim().min(1),
    display_name: z.string().optional(),
    description: z.string().nullish(),
    context_window: z.number().int().positive().nullish(),
    max_context_window: z.number().int().positive().nullish(),
    visibility: z.string().optional(),
    supported_in_api: z.boolean().optional(),
    priority: z.number().optional(),
    input_modalities: z.array(z.string()).optional(),
  })
  .passthrough();
const answerSchema = z.object({ models: z.array(rowSchema) }).passthrough();

/** One model the Codex backend offers the signed-in account (its `ModelInfo`, trimmed). */
export interface CodexModelInfo {
  /** The model id used in requests and in `openai-codex/<slug>` refs. */
  slug: string;
  displayName: string;
  description?: string;
  /** `context_window`, else `max_context_window`, when the backend reports one. */
  contextWindow?: number;
  /** `list` for models the Codex picker shows; `hide`/`none` for the others. */
  visibility?: string;
  /** Whether the same model is also served by the public API. */
  supportedInApi?: boolean;
  /** Lower sorts first in the Codex picker. */
  priority?: number;
  inputModalities?: string[];
}

/** Stable codes of {@link CodexModelsError}. */
export type CodexModelsErrorCode = "codex_models_timeout" | "codex_models_invalid_answer";

/** The Codex model listing timed out or answered something that is not a model list. */
export class CodexModelsError extends GenesisError {
  override readonly code: CodexModelsErrorCode;
  /** The listing URL without its query. */
  readonly url: string;
  constructor(code: CodexModelsErrorCode, message: string, fields: { url: string; hint?: string; cause?: unknown }) {
    super(code, redactSecrets(message), { hint: fields.hint, cause: fields.cause });
    this.code = code;
    this.url = fields.url;
  }
}

/** Options of {@link listCodexModels}. */
export interface ListCodexModelsOptions extends Pick<HttpRequestOptions, "fetch" | "sleep" | "signal"> {
  /** Supplies (and refreshes) the signed-in account's tokens, as for turns. */
  credentials: Pick<CodexCredentialManager, "getCredentials" | "handleUnauthorized">;
  /** `codexBaseUrl` (any spelling {@link codexResponsesUrl} accepts) and `originator`. */
  settings: Pick<CodexOAuthSettings, "codexBaseUrl" | "originator">;
  /** Reported as `client_version`; default {@link CODEX_CLIENT_VERSION}. */
  clientVersion?: string;
  /** Bound on the whole call; default {@link DEFAULT_CODEX_MODELS_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Retries for 408/409/429/5xx and connection failures; default 1 (listing is not worth a long wait). */
  maxRetries?: number;
  /** `User-Agent`; default `genesis/<version> (<platform> <release>; <arch>)`. */
  userAgent?: string;
}

/** `{codexBase}/models`: the listing sits next to `/responses` under the Codex backend. */
export function codexModelsUrl(settings: Pick<CodexOAuthSettings, "codexBaseUrl">): string {
  return `${codexResponsesUrl(settings).slice(0, -"/responses".length)}/models`;
}

function checkOptions(options: ListCodexModelsOptions): void {
  if (options.clientVersion !== undefined && !/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(options.clientVersion)) {
    throw new ValidationError(`listCodexModels: clientVersion "${redactSecrets(options.clientVersion)}" is not a version like 0.169.0`, {
      path: "clientVersion", hint: "Pass a Codex CLI version (major.minor.patch) or leave it out.",
    });
  }
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new ValidationError(`listCodexModels: timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`, {
      path: "timeoutMs", hint: `Leave it out for ${DEFAULT_CODEX_MODELS_TIMEOUT_MS} ms.`,
    });
  }
}

function toInfo(row: z.infer<typeof rowSchema>): CodexModelInfo {
  const info: CodexModelInfo = { slug: row.slug, displayName: row.display_name?.trim() || row.slug };
  const window = row.context_window ?? row.max_context_window;
  if (row.description) info.description = row.description;
  if (window) info.contextWindow = window;
  if (row.visibility) info.visibility = row.visibility;
  if (row.supported_in_api !== undefined) info.supportedInApi = row.supported_in_api;
  if (row.priority !== undefined) info.priority = row.priority;
  if (row.input_modalities) info.inputModalities = row.input_modalities;
  return info;
}

/**
 * List the models the Codex backend offers the signed-in ChatGPT account:
 * `GET {codexBase}/models?client_version=<ver>` with the same headers as turns
 * (`Authorization: Bearer`, `chatgpt-account-id`, `originator`, `User-Agent`). The token is
 * refreshed first when it is about to expire, and once more if the backend answers 401.
 * Rows come back in the backend's order.
 *
 * @throws CodexAuthError when there is no usable sign-in (`not_signed_in`, `reauth_required`, ...)
 * @throws CodexModelsError `codex_models_timeout` after `timeoutMs`, `codex_models_invalid_answer` for a body that is not a model list
 * @throws the transport's typed errors (`AuthenticationError`, `RateLimitError`, `ApiError`, `ConnectionError`) for HTTP failures
 * @throws `options.signal.reason` when the caller aborts
 */
export async function listCodexModels(options: ListCodexModelsOptions): Promise<CodexModelInfo[]> {
  checkOptions(options);
  const base = codexModelsUrl(options.settings);
  const url = `${base}?client_version=${encodeURIComponent(options.clientVersion ?? CODEX_CLIENT_VERSION)}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CODEX_MODELS_TIMEOUT_MS;
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
  const userAgent = options.userAgent ?? `genesis/${__GENESIS_VERSION__} (${platform()} ${release()}; ${arch()})`;
  try {
    let creds = await options.credentials.getCredentials({ signal });
    for (let attempt = 0; ; attempt++) {
      const headers = {
        authorization: `Bearer ${creds.access}`,
        "chatgpt-account-id": creds.accountId,
        originator: options.settings.originator,
        "user-agent": userAgent,
        accept: "application/json",
      };
      let res: Response;
      try {
        res = await sendRequest(url, { method: "GET", headers }, {
          fetch: options.fetch, sleep: options.sleep, signal, maxRetries: options.maxRetries ?? 1, secrets: [creds.access, creds.refresh],
        });
      } catch (error) {
        // A token the backend refused before its expiry (revoked, rotated elsewhere): refresh once.
        if (attempt === 0 && error instanceof AuthenticationError) {
          creds = await options.credentials.handleUnauthorized(creds.access, { signal });
          continue;
        }
        throw error;
      }
      const body: unknown = await res.json().catch(() => undefined);
      const parsed = answerSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new CodexModelsError("codex_models_invalid_answer", `GET ${base}: the answer is not a Codex model list (${issue.path.join(".") || "body"}: ${issue.message}).`, {
          url: base, hint: "Check auth.openaiCodex.codexBaseUrl / GENESIS_CODEX_BASE_URL points at the ChatGPT Codex backend.",
        });
      }
      return parsed.data.models.map(toInfo);
    }
  } catch (error) {
    if (timer.aborted && !options.signal?.aborted) {
      throw new CodexModelsError("codex_models_timeout", `GET ${base} did not finish within ${timeoutMs} ms.`, {
        url: base, hint: "The Codex backend is slow or unreachable; try again, or raise timeoutMs.", cause: error,
      });
    }
    throw error;
  }
}
