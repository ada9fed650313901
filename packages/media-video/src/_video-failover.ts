import { redactSecrets, type GenesisConfig } from "@genesis/core";
import { DEFAULT_VIDEO_MODEL } from "./video-options.js";

/** One video model that was tried and failed before another one took the job. */
export interface VideoFailoverAttempt {
  /** The model ref tried, e.g. `openai/sora-2-pro`. */
  model: string;
  /** The failure's stable code (`rate_limited`, `video_rejected`, `video_reference_size`, ...). */
  code: string;
  /** One redacted line saying what went wrong. */
  reason: string;
}

// `openai/sora-2` and `sora-2` name the same model.
const bare = (ref: string): string => (ref.toLowerCase().startsWith("openai/") ? ref.slice("openai/".length) : ref);

/**
 * The models one call may try: the requested (or configured primary) model, then
 * `agents.defaults.videoGenerationModel.fallbacks` when the call is on the primary. A call that
 * names another model is pinned to it.
 */
export function videoModelChain(requested: string | undefined, config: Partial<Pick<GenesisConfig, "agents">> | undefined): string[] {
  const selection = config?.agents?.defaults?.videoGenerationModel;
  const primary = selection?.primary ?? DEFAULT_VIDEO_MODEL;
  const ref = requested ?? primary;
  if (bare(ref) !== bare(primary)) return [ref];
  const chain = [ref];
  for (const f of selection?.fallbacks ?? []) if (!chain.some((c) => bare(c) === bare(f))) chain.push(f);
  return chain;
}

const CODES = new Set(["rate_limited", "usage_limit", "connection_failed", "connect_timeout", "permission_denied"]);
const SERVER_CODES = new Set(["model_not_found", "server_error", "server_overloaded", "rate_limit_exceeded", "usage_limit_reached", "usage_not_included", "insufficient_quota"]);

/**
 * Whether another video model could take a job whose creation failed: rate or usage limits and
 * 5xx / connection failures after the retries, 403, and a refused model (404 or
 * `model_not_found`). Never: other refusals (`invalid_value`, `moderation_blocked`), a 401 or a
 * missing key (every model shares them), a retired endpoint, aborts.
 */
export function canFailOverVideo(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; status?: unknown; serverCode?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === undefined || code === "aborted" || code === "videos_api_retired") return false;
  if (CODES.has(code)) return true;
  if (typeof e.serverCode === "string" && SERVER_CODES.has(e.serverCode)) return true;
  const status = typeof e.status === "number" ? e.status : undefined;
  if (status === undefined) return false;
  return (code === "api_error" && status >= 500) || ((code === "api_error" || code === "video_rejected") && status === 404);
}

/** A short, redacted attempt record. */
export function videoAttemptOf(model: string, error: unknown, secrets: readonly string[]): VideoFailoverAttempt {
  const e = error as { code?: unknown; message?: unknown; serverCode?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "error";
  let line = redactSecrets(String(typeof e?.message === "string" ? e.message : error).split("\n")[0]!.trim(), secrets);
  // The server's own code (model_not_found, ...) says why; keep it when the message lacks it.
  if (typeof e?.serverCode === "string" && !line.includes(e.serverCode)) line = `${redactSecrets(e.serverCode, secrets)}: ${line}`;
  return { model, code, reason: line.length > 300 ? `${line.slice(0, 300)}…` : line };
}
