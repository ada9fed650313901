import { PROVIDER_ENV_KEYS } from "./auth-snapshot.js";
import { asDict, providerConfig, type RouteAuth, type RouteConfig } from "./_route-config.js";
import type { EndpointClass } from "./_route-endpoint.js";
import { builtinProxy, type CatalogEntry } from "./catalog.js";
import type { ModelRef } from "./model-ref.js";
import type { RouteBlocker, RuntimeId } from "./route.js";

/** How a route authenticates. `none` = nothing usable was found (see the route's blockers). */
export type AuthKind = "api_key" | "codex_oauth" | "codex_app_server" | "azure_key" | "none";

/** Where an API key was found. */
export type KeySource = "env" | "store" | "config";

/** The env variable that carries a provider's API key (`OPENAI_API_KEY`, `OPENROUTER_API_KEY`, ...). */
export function apiKeyEnvVar(provider: string): string {
  const known = PROVIDER_ENV_KEYS[provider];
  if (known) return known;
  return `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`;
}

/**
 * Where `provider`'s API key comes from, if anywhere: the auth snapshot (which already
 * folds in env and store), else config `models.providers.<id>.apiKey`, else the env var.
 * Returns the source only, never the key.
 */
export function findApiKey(provider: string, config: RouteConfig | undefined, auth: RouteAuth | undefined, env: Record<string, string | undefined>): KeySource | undefined {
  const snap = asDict(auth?.apiKeys)?.[provider] as { source?: unknown } | undefined;
  if (snap) return snap.source === "store" || snap.source === "config" ? snap.source : "env";
  if (providerConfig(config, provider)?.apiKey) return "config";
  if (env[apiKeyEnvVar(provider)]) return "env";
  return undefined;
}

/** The Codex (ChatGPT) sign-in from the auth snapshot, if any. Never holds tokens. */
export function findCodexSignIn(auth: RouteAuth | undefined): { accountId?: string; expiresAt?: number } | undefined {
  return asDict(auth?.oauth)?.["openai-codex"] as { accountId?: string; expiresAt?: number } | undefined;
}

/** Why a resolved route cannot run yet: missing base URL, missing credentials, model not on the public API. */
export function authBlockers(input: {
  ref: ModelRef; model: CatalogEntry; authKind: AuthKind; endpointClass: EndpointClass; baseUrl: string; provider: string; auth: RouteAuth | undefined; runtime: RuntimeId;
}): RouteBlocker[] {
  const { ref, model, authKind, endpointClass, baseUrl, provider } = input;
  const out: RouteBlocker[] = [];
  if (baseUrl === "") {
    out.push({ code: "base_url_missing", message: `${ref.ref} has no base URL.`, hint: `Set models.providers["${provider}"].baseUrl.` });
  }
  if (authKind === "none" && provider !== "openai-codex" && endpointClass !== "local") {
    const proxy = builtinProxy(provider);
    const env = provider === "azure-openai-responses" ? "AZURE_OPENAI_API_KEY"
      : provider === "openai" ? "OPENAI_API_KEY"
      : proxy ? `${proxy.envKey} or models.providers["${provider}"].apiKey`
      : `models.providers["${provider}"].apiKey`;
    const hint = provider === "openai" && findCodexSignIn(input.auth)
      ? `use openai-codex/${ref.model} or set OPENAI_API_KEY`
      : provider === "openai" ? "Set OPENAI_API_KEY or run 'genesis onboard --auth-choice openai-api-key'." : `Set ${env}.`;
    out.push({ code: "api_key_missing", message: `${ref.ref} needs an API key for ${provider}.`, hint });
  }
  if (provider === "openai" && endpointClass === "azure" && model.capabilities.text && input.runtime === "pi") {
    // On the openai provider an Azure host only switches the image-generation shape.
    out.push({
      code: "azure_needs_provider",
      message: `${ref.ref} points models.providers.openai.baseUrl at Azure, which only covers image generation.`,
      hint: `For chat/Responses on Azure use azure-openai-responses/<deployment> with models.providers["azure-openai-responses"].baseUrl and apiKey.`,
    });
  }
  // The public API (or an endpoint config forces to behave like it) is what does not serve it yet.
  const publicApi = endpointClass === "native-openai" || /^api\.openai\.com$/i.test(hostOf(baseUrl));
  if (input.runtime === "pi" && provider === "openai" && !model.apiEnabled && authKind === "api_key" && publicApi) {
    out.push({
      code: "model_not_api_enabled",
      message: `${ref.ref} is not enabled on the public OpenAI API yet.`,
      hint: `Use openai-codex/${ref.model} (Codex sign-in), set agents.defaults.embeddedHarness.runtime to "codex", or pick an API model such as openai/gpt-5.4. `
        + `Once OpenAI serves it to your key ('genesis models list --provider openai' shows it as listed), `
        + `declare it under models.providers.openai.models (e.g. [{ id: "${ref.model}" }]) to use it now.`,
    });
  }
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
