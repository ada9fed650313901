import { isModelFailure, modelFailoverAttempt, modelFailoverChain, type GenesisConfig, type ModelFailoverAttempt } from "@genesis/core";
import { DEFAULT_IMAGE_MODEL } from "./image-request.js";
import { pickImageModel } from "./_image-route.js";

/** One image model that was tried and failed before another one produced the images. */
export type ImageFailoverAttempt = ModelFailoverAttempt;

/**
 * The image models one call may try: the requested (or configured primary) model, then
 * `agents.defaults.imageGenerationModel.fallbacks` when the call is on the primary. A call
 * that names another model is pinned to it.
 */
export function imageModelChain(requested: string | undefined, config: GenesisConfig): string[] {
  const selection = config.agents?.defaults?.imageGenerationModel;
  return modelFailoverChain(pickImageModel(requested, config), { primary: selection?.primary ?? DEFAULT_IMAGE_MODEL, fallbacks: selection?.fallbacks });
}

/**
 * Whether another image model could fix this failure (core's shared rules): rate or usage
 * limits, 5xx and connection failures after the retries, 403, and 404 / `model_not_found` /
 * `DeploymentNotFound` (the model or deployment is not available). Never: bad requests (400,
 * content policy), a 401 or missing credentials (every image model shares them), broken or
 * undecodable answers, aborts.
 */
export function canFailOverImage(error: unknown): boolean {
  return isModelFailure(error);
}

/** A short attempt record, redacted: the exact `secrets` of the route first, then anything key-shaped. */
export function imageAttemptOf(model: string, error: unknown, secrets: Iterable<string | undefined> = []): ImageFailoverAttempt {
  return modelFailoverAttempt(model, error, { secrets });
}
