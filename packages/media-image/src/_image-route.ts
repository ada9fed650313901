import { DEFAULT_OPENAI_BASE_URL, loadConfig, redactSecrets, resolveApiKey, type AuthStore, type GenesisConfig } from "@genesis/core";
import { isAzureHost } from "@genesis/azure";
import { ImageGenerationError, ImageRequestError } from "./image-errors.js";
import { DEFAULT_IMAGE_MODEL, assertImageModel } from "./image-request.js";

/** Core's auth store: routing reads the `openai-codex` sign-in and stored API keys; the Codex route refreshes through it. */
export type ImageAuthStore = AuthStore;

/** A config as passed in: the validated `GenesisConfig`, or `loadConfig()`'s result. */
export type ImageConfigInput = GenesisConfig | { config: GenesisConfig; path?: string };

/** Which wire an image request takes. */
export type ImageRouteKind = "openai" | "azure" | "codex";

/** A resolved image route. Holds the API key for key routes: never log it. */
export type ImageRoute =
  | { kind: "codex"; ref: string; modelId: string }
  | { kind: "openai" | "azure"; ref: string; modelId: string; baseUrl: string; apiKey: string; custom: boolean; allowPrivateNetwork: boolean };

/** Unwrap `{ config }` (a `LoadedConfig`) or load the file GENESIS_HOME points at. */
export async function resolveConfig(input: ImageConfigInput | undefined, env: NodeJS.ProcessEnv): Promise<GenesisConfig> {
  if (input === undefined) return (await loadConfig({ env })).config;
  const maybe = input as { config?: unknown; path?: unknown };
  return typeof maybe.path === "string" && typeof maybe.config === "object" && maybe.config !== null ? (maybe.config as GenesisConfig) : (input as GenesisConfig);
}

/** `request.model`, else `agents.defaults.imageGenerationModel.primary`, else `openai/gpt-image-2`. */
export function pickImageModel(requested: string | undefined, config: GenesisConfig): string {
  return requested ?? config.agents?.defaults?.imageGenerationModel?.primary ?? DEFAULT_IMAGE_MODEL;
}

/**
 * Pick the route the spec prescribes: a stored `openai-codex` OAuth sign-in wins unless
 * `models.providers.openai` is configured with an `apiKey` or `baseUrl` (then, and without a
 * sign-in, the API key route: Azure's shape when the base URL is an Azure host). The Codex
 * route never looks for an API key.
 */
export async function resolveImageRoute(input: {
  ref: string;
  config: GenesisConfig;
  env: NodeJS.ProcessEnv;
  store: ImageAuthStore;
  /** True when the caller injected Codex credentials (counts as a sign-in). */
  codexInjected: boolean;
}): Promise<ImageRoute> {
  const { ref, config, env } = input;
  const modelId = assertImageModel(ref);
  const block = config.models?.providers?.["openai"];
  const explicit = Boolean(block?.apiKey?.trim() || block?.baseUrl?.trim());
  if (input.codexInjected && !explicit) return { kind: "codex", ref, modelId };
  // One read of the auth store answers both questions (Codex sign-in, stored API key).
  const file = await input.store.read();
  if (file.profiles["openai-codex"]?.kind === "oauth" && !explicit) return { kind: "codex", ref, modelId };
  const key = resolveApiKey("openai", { file, env, config });
  if (!key) {
    throw new ImageGenerationError("image_no_credentials", `No credentials for ${ref}: no OpenAI API key and no Codex sign-in.`, {
      hint: "Set OPENAI_API_KEY (or models.providers.openai.apiKey), or sign in with `genesis models auth login --provider openai-codex`.",
    });
  }
  const configured = block?.baseUrl?.trim();
  const raw = configured || env.OPENAI_BASE_URL?.trim() || DEFAULT_OPENAI_BASE_URL;
  const field = configured ? "models.providers.openai.baseUrl" : env.OPENAI_BASE_URL?.trim() ? "OPENAI_BASE_URL" : "default";
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    throw new ImageRequestError(field, `"${redactSecrets(raw).slice(0, 80)}" is not an http(s) URL`, "Use an absolute URL such as https://api.openai.com/v1 or https://<resource>.openai.azure.com.");
  }
  const baseUrl = raw.replace(/\/+$/, "");
  const allowPrivateNetwork = config.browser?.ssrfPolicy?.dangerouslyAllowPrivateNetwork === true;
  const custom = baseUrl !== DEFAULT_OPENAI_BASE_URL;
  if (isAzureHost(url)) return { kind: "azure", ref, modelId, baseUrl, apiKey: key.key, custom, allowPrivateNetwork };
  return { kind: "openai", ref, modelId, baseUrl, apiKey: key.key, custom, allowPrivateNetwork };
}
