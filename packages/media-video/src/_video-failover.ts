import { isModelFailure, modelFailoverAttempt, modelFailoverChain, type GenesisConfig, type ModelFailoverAttempt } from "@genesis/core";
import { DEFAULT_VIDEO_MODEL } from "./video-options.js";

/** One video model that was tried and failed before another one took the job. */
export type VideoFailoverAttempt = ModelFailoverAttempt;

/**
 * The models one call may try: the requested (or configured primary) model, then
 * `agents.defaults.videoGenerationModel.fallbacks` when the call is on the primary. A call that
 * names another model is pinned to it. `sora-2` and `openai/sora-2` name the same model.
 */
export function videoModelChain(requested: string | undefined, config: Partial<Pick<GenesisConfig, "agents">> | undefined): string[] {
  const selection = config?.agents?.defaults?.videoGenerationModel;
  const primary = selection?.primary ?? DEFAULT_VIDEO_MODEL;
  return modelFailoverChain(requested ?? primary, { primary, fallbacks: selection?.fallbacks }, { defaultProvider: "openai" });
}

// A retired endpoint fails every model alike; a refused job is a model problem only as a 404.
const VIDEO_RULES = { neverCodes: ["videos_api_retired"], notFoundCodes: ["video_rejected"] };

/**
 * Whether another video model could take a job whose creation failed (core's shared rules):
 * rate or usage limits and 5xx / connection failures after the retries, 403, and a refused
 * model (404, `model_not_found` or `DeploymentNotFound`). Never: other refusals
 * (`invalid_value`, `moderation_blocked`), a 401 or a missing key (every model shares them), a
 * retired endpoint, aborts.
 */
export function canFailOverVideo(error: unknown): boolean {
  return isModelFailure(error, VIDEO_RULES);
}

/** A short attempt record, redacted: the exact `secrets` (the API key) first, then anything key-shaped. */
export function videoAttemptOf(model: string, error: unknown, secrets: Iterable<string | undefined>): VideoFailoverAttempt {
  return modelFailoverAttempt(model, error, { secrets });
}
