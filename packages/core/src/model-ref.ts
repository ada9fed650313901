import { RouteError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/**
 * A parsed model ref. The first `/` segment is the provider; everything after it is the
 * provider's own model id, which may itself contain slashes (`openrouter/openai/gpt-5.5`
 * has provider `openrouter` and model `openai/gpt-5.5`).
 */
export interface ModelRef {
  /** Provider id, lower-cased (`openai`, `openai-codex`, `azure-openai-responses`, ...). */
  provider: string;
  /** The provider's model id, kept as written (`gpt-5.4`, `openai/gpt-5.5`). */
  model: string;
  /** Canonical `provider/model`. For a legacy `codex/*` ref this is the `openai/*` form. */
  ref: string;
  /** What the caller passed, trimmed. */
  raw: string;
  /**
   * `"codex"` when the ref used the legacy `codex/` prefix. Such refs mean "the `openai`
   * model, run by the Codex app-server harness", so they are rewritten to `openai/*`.
   */
  legacy?: "codex";
}

/** The legacy prefix that selects the Codex app-server harness for an `openai` model. */
export const LEGACY_CODEX_PREFIX = "codex";

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]*$/;
// Model ids in the wild use dots, colons (fine-tunes: ft:gpt-4.1:org::id), @ and +.
const MODEL_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/;
const EXAMPLE = "openai/gpt-5.4";

function invalid(raw: string, message: string, hint: string): RouteError {
  // The ref comes from user input; never echo anything key-shaped back.
  const shown = redactSecrets(raw);
  return new RouteError("invalid_model_ref", `Invalid model ref "${shown}": ${message}`, { ref: shown, hint });
}

/**
 * Parse `provider/model`. Throws {@link RouteError} `invalid_model_ref` (with a hint) when
 * the ref is empty, has no provider, has an empty segment or contains characters no
 * provider accepts. A legacy `codex/<model>` ref becomes `openai/<model>` with
 * `legacy: "codex"`.
 *
 * @param knownRefs optional refs to suggest when a bare model id (no provider) is given.
 */
export function parseModelRef(input: string, knownRefs: readonly string[] = []): ModelRef {
  const raw = typeof input === "string" ? input.trim() : "";
  if (raw === "") {
    throw invalid(String(input ?? ""), "it is empty", `Write provider/model, for example ${EXAMPLE}.`);
  }
  if (/\s/.test(raw)) {
    throw invalid(raw, "it contains whitespace", `Write provider/model without spaces, for example ${EXAMPLE}.`);
  }
  const slash = raw.indexOf("/");
  if (slash === -1) {
    const matches = knownRefs.filter((ref) => ref.slice(ref.indexOf("/") + 1) === raw);
    const hint = matches.length > 0
      ? `Add the provider: ${matches.join(" or ")}.`
      : `Add the provider in front, for example ${EXAMPLE} (API key) or openai-codex/gpt-5.5 (Codex sign-in).`;
    throw invalid(raw, "it has no provider prefix", hint);
  }
  const provider = raw.slice(0, slash).toLowerCase();
  const model = raw.slice(slash + 1);
  if (!PROVIDER_ID.test(provider)) {
    throw invalid(raw, `provider "${provider}" is not a valid provider id`, "Provider ids use letters, digits, '.', '_' and '-', e.g. openai or openai-codex.");
  }
  const segments = model.split("/");
  if (segments.some((segment) => segment === "")) {
    throw invalid(raw, "the model id is empty or has an empty segment", `Write provider/model, for example ${EXAMPLE}.`);
  }
  const bad = segments.find((segment) => !MODEL_SEGMENT.test(segment));
  if (bad !== undefined) {
    throw invalid(raw, `model id segment "${bad}" has characters model ids never use`, `Check the spelling; model ids look like gpt-5.4 or openai/gpt-5.5.`);
  }
  if (provider === LEGACY_CODEX_PREFIX) {
    return { provider: "openai", model, ref: `openai/${model}`, raw, legacy: "codex" };
  }
  return { provider, model, ref: `${provider}/${model}`, raw };
}

/** `parseModelRef` that returns `undefined` instead of throwing. */
export function tryParseModelRef(input: string): ModelRef | undefined {
  try {
    return parseModelRef(input);
  } catch {
    return undefined;
  }
}

/** Join a provider and model id into a ref string. */
export function formatModelRef(provider: string, model: string): string {
  return `${provider}/${model}`;
}

/**
 * The model's family id with any vendor path removed: `openai/gpt-5.5` (an OpenRouter
 * model id) becomes `gpt-5.5`. Used to match behaviour by model across providers.
 */
export function baseModelId(model: string): string {
  const slash = model.lastIndexOf("/");
  return (slash === -1 ? model : model.slice(slash + 1)).toLowerCase();
}

const GPT5_ID = /^gpt-5(?:[.o-]|$)/;

/**
 * True for GPT-5-family model ids on any provider (`gpt-5`, `gpt-5.4`, `gpt-5.5-pro`,
 * `openai/gpt-5.5` on OpenRouter) and false for GPT-4.x and non-chat models.
 */
export function isGpt5ModelId(model: string): boolean {
  return GPT5_ID.test(baseModelId(model));
}
