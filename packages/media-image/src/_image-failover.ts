import { redactSecrets, tryParseModelRef, type GenesisConfig } from "@genesis/core";
import { DEFAULT_IMAGE_MODEL } from "./image-request.js";
import { pickImageModel } from "./_image-route.js";

/** One image model that was tried and failed before another one produced the images. */
export interface ImageFailoverAttempt {
  /** The model ref tried, e.g. `openai/gpt-image-2`. */
  model: string;
  /** The failure's stable code (`rate_limited`, `usage_limit`, `api_error`, ...). */
  code: string;
  /** One redacted line saying what went wrong. */
  reason: string;
}

const canon = (ref: string): string => tryParseModelRef(ref)?.ref ?? ref;

/**
 * The image models one call may try: the requested (or configured primary) model, then
 * `agents.defaults.imageGenerationModel.fallbacks` when the call is on the primary. A call
 * that names another model is pinned to it.
 */
export function imageModelChain(requested: string | undefined, config: GenesisConfig): string[] {
  const selection = config.agents?.defaults?.imageGenerationModel;
  const primary = selection?.primary ?? DEFAULT_IMAGE_MODEL;
  const ref = pickImageModel(requested, config);
  if (canon(ref) !== canon(primary)) return [ref];
  const chain = [ref];
  for (const f of selection?.fallbacks ?? []) if (!chain.some((c) => canon(c) === canon(f))) chain.push(f);
  return chain;
}

// Failures of this model, not of the request: another image model may succeed.
const CODES = new Set(["rate_limited", "usage_limit", "connection_failed", "connect_timeout", "permission_denied"]);
const SERVER_CODES = new Set(["model_not_found", "DeploymentNotFound", "server_error", "server_overloaded", "rate_limit_exceeded", "usage_limit_reached", "usage_not_included", "insufficient_quota"]);

/**
 * Whether another image model could fix this failure: rate or usage limits after the retries,
 * 5xx and connection failures after the retries, 403 and 404 / `model_not_found` (the model or
 * deployment is not available). Never: bad requests (400, content policy), a 401 or missing
 * credentials (every image model shares them), broken or undecodable answers, aborts.
 */
export function canFailOverImage(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; status?: unknown; serverCode?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === undefined || code === "aborted") return false;
  if (CODES.has(code)) return true;
  if (typeof e.serverCode === "string" && SERVER_CODES.has(e.serverCode)) return true;
  const status = typeof e.status === "number" ? e.status : undefined;
  return code === "api_error" && status !== undefined && (status >= 500 || status === 404);
}

/** A short, redacted attempt record. */
export function imageAttemptOf(model: string, error: unknown): ImageFailoverAttempt {
  const e = error as { code?: unknown; message?: unknown; serverCode?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "error";
  let line = redactSecrets(String(typeof e?.message === "string" ? e.message : error).split("\n")[0]!.trim());
  // The server's own code (model_not_found, ...) is what tells people why; keep it when the message lacks it.
  if (typeof e?.serverCode === "string" && !line.includes(e.serverCode)) line = `${redactSecrets(e.serverCode)}: ${line}`;
  return { model, code, reason: line.length > 300 ? `${line.slice(0, 300)}…` : line };
}
