import { tryParseModelRef } from "./model-ref.js";
import { redactSecrets } from "./redact.js";

/**
 * Shared rules of model failover (chat turns, image and video generation): which failures
 * another model can fix, how a failed attempt is recorded, and which models a call may try.
 * Each surface keeps its own loop (what counts as "nothing produced yet" differs); only the
 * decisions live here, so they cannot drift apart.
 */

/** One model that was tried and failed before another one answered (or the chain ran out). */
export interface ModelFailoverAttempt {
  /** The model ref tried, e.g. `openai/gpt-image-2`. */
  model: string;
  /** The failure's stable code (`rate_limited`, `usage_limit`, `api_error`, ...). */
  code: string;
  /** One redacted line saying what went wrong (at most 300 characters). */
  reason: string;
}

/**
 * Error codes (the transport's typed errors, raised after its own retries) that are the
 * model's problem rather than the request's: limits, an unreachable endpoint, a 403.
 */
export const MODEL_FAILURE_CODES: readonly string[] = Object.freeze(["rate_limited", "usage_limit", "connection_failed", "connect_timeout", "permission_denied"]);

/**
 * Server error codes (an error's `serverCode`, a stream `error` event's code) that say "this
 * model or deployment, not this request". `DeploymentNotFound` is Azure's 404 for a
 * deployment name it does not know.
 */
export const MODEL_FAILURE_SERVER_CODES: readonly string[] = Object.freeze([
  "model_not_found", "DeploymentNotFound", "server_error", "server_overloaded", "rate_limit_exceeded", "usage_limit_reached", "usage_not_included", "insufficient_quota",
]);

/** How one surface adjusts {@link isModelFailure}. Every field is optional. */
export interface ModelFailureRules {
  /** More codes that mean "this model is unusable right now" (a runtime adds route and sign-in codes). */
  extraCodes?: Iterable<string>;
  /** Codes that never qualify, whatever their status (e.g. `videos_api_retired`). `aborted` never does. */
  neverCodes?: Iterable<string>;
  /** Codes besides `api_error` whose 404 means the model is not available (e.g. `video_rejected`). */
  notFoundCodes?: Iterable<string>;
  /** The failure's code when `error` carries none (e.g. a finished turn's `errorCode`). */
  fallbackCode?: string;
}

const MAX_REASON = 300;
const FAILURE_CODES = new Set(MODEL_FAILURE_CODES);
const SERVER_CODES = new Set(MODEL_FAILURE_SERVER_CODES);

function fieldsOf(error: unknown): { code?: unknown; status?: unknown; serverCode?: unknown; message?: unknown } {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
}

/**
 * Whether another model could fix this failure: limits, 5xx and connection failures (after
 * the transport's retries), a 403, and an unavailable model or deployment (404, or a server
 * code from {@link MODEL_FAILURE_SERVER_CODES}). Never: aborts, bad requests (400, content
 * policy), a 401 or missing credentials that every model shares, broken answers, and any
 * code the caller lists in `rules.neverCodes`.
 */
export function isModelFailure(error: unknown, rules: ModelFailureRules = {}): boolean {
  const e = fieldsOf(error);
  const code = typeof e.code === "string" ? e.code : rules.fallbackCode;
  if (code === undefined || code === "aborted" || includes(rules.neverCodes, code)) return false;
  if (FAILURE_CODES.has(code) || SERVER_CODES.has(code) || includes(rules.extraCodes, code)) return true;
  if (typeof e.serverCode === "string" && SERVER_CODES.has(e.serverCode)) return true;
  const status = typeof e.status === "number" ? e.status : undefined;
  if (status === undefined) return false;
  if (code === "api_error" && status >= 500) return true;
  return status === 404 && (code === "api_error" || includes(rules.notFoundCodes, code));
}

function includes(list: Iterable<string> | undefined, code: string): boolean {
  if (list === undefined) return false;
  for (const item of list) if (item === code) return true;
  return false;
}

/**
 * The record of one failed attempt: the error's code, and the first line of its message,
 * redacted (the exact `secrets` first, then key-shaped text) and cut at 300 characters. The
 * server's own code (`model_not_found`, ...) is put in front when the message lacks it,
 * since that is what tells people why. `fallback` fills in when `error` has no code/message.
 */
export function modelFailoverAttempt(
  model: string,
  error: unknown,
  options: { secrets?: Iterable<string | undefined>; fallback?: { code?: string; reason?: string } } = {},
): ModelFailoverAttempt {
  const e = fieldsOf(error);
  const secrets = [...(options.secrets ?? [])];
  const code = typeof e.code === "string" ? e.code : options.fallback?.code ?? "error";
  const raw = typeof e.message === "string" ? e.message : options.fallback?.reason ?? String(error ?? "failed");
  let line = redactSecrets(raw.split("\n")[0]!.trim(), secrets);
  if (typeof e.serverCode === "string" && !line.includes(e.serverCode)) line = `${redactSecrets(e.serverCode, secrets)}: ${line}`;
  return { model, code, reason: line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line };
}

/** A primary model and its fallbacks, as in `agents.defaults.*Model`. */
export interface ModelSelection {
  primary: string;
  fallbacks?: readonly string[];
}

/**
 * The models a call may try, in order: `ref`, then `selection.fallbacks` (without repeats)
 * when `ref` is the primary. A call pinned to another model gets `[ref]`. Refs compare in
 * canonical form (`codex/x` = `openai/x`, provider case ignored); with `defaultProvider`, a
 * bare id such as `sora-2` counts as `<defaultProvider>/sora-2`.
 */
export function modelFailoverChain(ref: string, selection: ModelSelection, options: { defaultProvider?: string } = {}): string[] {
  const canon = (r: string): string => {
    const full = options.defaultProvider !== undefined && !r.includes("/") ? `${options.defaultProvider}/${r}` : r;
    return tryParseModelRef(full)?.ref ?? r;
  };
  if (canon(ref) !== canon(selection.primary)) return [ref];
  const chain = [ref];
  for (const f of selection.fallbacks ?? []) if (!chain.some((c) => canon(c) === canon(f))) chain.push(f);
  return chain;
}

/** `a failed (code), b failed (code)`: the short form for warnings and notices. */
export function summarizeFailover(attempts: readonly ModelFailoverAttempt[]): string {
  return attempts.map((a) => `${a.model} failed (${a.code})`).join(", ");
}

/** `a (code: reason); b (code: reason)`: the long form for "every model failed" errors. */
export function describeFailoverAttempts(attempts: readonly ModelFailoverAttempt[]): string {
  return attempts.map((a) => `${a.model} (${a.code}: ${a.reason})`).join("; ");
}
