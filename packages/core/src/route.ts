import { authBlockers, findApiKey, findCodexSignIn, type AuthKind, type KeySource } from "./_route-auth.js";
import { asString, effectiveEnv, providerConfig, type RouteAuth, type RouteConfig } from "./_route-config.js";
import { pickBaseUrl, pickEndpointClass } from "./_route-base-url.js";
import type { EndpointClass } from "./_route-endpoint.js";
import { layerParams, type Personality, type RouteParams, type RouteReason, type ServiceTier, type TransportMode } from "./_route-params.js";
import { resolveRouteTail } from "./_route-tail.js";
import { resolveWebSearch, type RouteWebSearch } from "./_route-web-search.js";
import { builtinProxy, defaultCatalog, requireModel, type CatalogEntry, type LiveModel, type ModelCatalog } from "./catalog.js";
import { RouteError } from "./errors.js";
import { parseModelRef, type ModelRef } from "./model-ref.js";
import { isPluginEnabled, pluginDisabledText } from "./plugin-gate.js";

/** `pi` = Genesis's embedded runner; `codex` = the Codex app-server harness. */
export type RuntimeId = "pi" | "codex";

/** Which API family the route speaks. */
export type RouteApi = "responses" | "chat-completions" | "images" | "videos" | "audio" | "embeddings" | "realtime";

/** A reason the route cannot run yet; {@link assertRouteReady} throws the first one. */
export interface RouteBlocker {
  code: string;
  message: string;
  hint: string;
}

/** The resolved answer to "how does a request for this ref go out". Holds no secrets. */
export interface Route {
  /** Canonical ref (`codex/gpt-5.5` becomes `openai/gpt-5.5`). */
  ref: string;
  /** The ref as requested. */
  requestedRef: string;
  provider: string;
  /** The provider's model id. */
  modelId: string;
  /** Catalog row merged with config. */
  model: CatalogEntry;
  runtime: RuntimeId;
  /** What `/status` shows: `Genesis Pi Default` or `OpenAI Codex`. */
  runtimeLabel: string;
  authKind: AuthKind;
  /** Where the API key came from, for key-based routes. */
  authSource?: KeySource;
  endpointClass: EndpointClass;
  baseUrl: string;
  api: RouteApi;
  transport: TransportMode;
  /** Effective params: catalog < config < session override. */
  params: RouteParams;
  fastMode: boolean;
  /** The `service_tier` to send; absent when nothing should be sent. */
  serviceTier?: ServiceTier;
  contextWindow?: number;
  contextTokens?: number;
  overlays: { gpt5: boolean; friendly: boolean; personality: Personality };
  executionContract: "default" | "strict-agentic";
  /** Server-side web search: the native Responses tool, off, or pinned to another provider. */
  webSearch: RouteWebSearch;
  /** Empty when the route is ready to run. */
  blockers: RouteBlocker[];
  /** Why each field has its value, in decision order. */
  reasons: RouteReason[];
}

/** Per-session inputs: the recorded harness and the session's overrides. A `SessionRecord` fits. */
export interface RouteSession {
  runtime?: RuntimeId;
  overrides?: Record<string, unknown>;
}

/** Inputs to {@link resolveRoute}. Nothing is read from `process`; pass `env` explicitly. */
export interface ResolveRouteOptions {
  ref: string | ModelRef;
  config?: RouteConfig | undefined;
  auth?: RouteAuth | undefined;
  session?: RouteSession | undefined;
  /** The process environment; config `env` entries fill gaps in it. Default `{}`. */
  env?: Record<string, string | undefined> | undefined;
  /** Default: the built-in catalog plus registered recovery hooks. */
  catalog?: ModelCatalog | undefined;
  /**
   * A live model listing already fetched for this provider (`GET /v1/models`, Codex
   * `/models`). A model it lists counts as served by the API, which lifts the
   * `model_not_api_enabled` blocker of a catalog row such as `openai/gpt-5.5`.
   */
  live?: readonly LiveModel[] | undefined;
}

/** `/status` labels per runtime. */
export const RUNTIME_LABELS: Readonly<Record<RuntimeId, string>> = { pi: "Genesis Pi Default", codex: "OpenAI Codex" };

const RESPONSES_PROVIDERS = new Set(["openai", "openai-codex", "azure-openai-responses"]);

function mediaApi(model: CatalogEntry): RouteApi | undefined {
  const c = model.capabilities;
  // Realtime models also do text, but only over the Realtime WebSocket API.
  if (c.realtime) return "realtime";
  if (c.text) return undefined;
  if (c.image) return "images";
  if (c.video) return "videos";
  if (c.tts || c.stt) return "audio";
  if (c.embedding) return "embeddings";
  return undefined;
}

function pickRuntime(ref: ModelRef, model: CatalogEntry, config: RouteConfig | undefined, session: RouteSession | undefined, reasons: RouteReason[]): RuntimeId {
  const harness = asString(config?.agents?.defaults?.embeddedHarness?.runtime)?.toLowerCase();
  const say = (value: RuntimeId, why: string) => (reasons.push({ field: "runtime", value, why }), value);
  if (ref.provider === "openai-codex") {
    return say("pi", harness === "codex"
      ? "openai-codex/* is Codex OAuth through the Pi runner; embeddedHarness.runtime \"codex\" never applies to it"
      : "openai-codex/* always runs on the Pi runner (it never enables the Codex harness)");
  }
  if (ref.provider !== "openai") return say("pi", `${ref.provider}/* runs on the Pi runner; the Codex harness only takes openai/* models`);
  if (!model.capabilities.text || model.capabilities.realtime) return say("pi", "media and realtime models are called as tools; the agent harness choice does not apply");
  if (ref.legacy === "codex") return say("codex", "legacy codex/* ref selects the Codex app-server harness");
  if (session?.runtime) return say(session.runtime, "the session's recorded harness (use /new or /reset to pick up config changes)");
  if (harness === "codex") return say("codex", 'agents.defaults.embeddedHarness.runtime is "codex"');
  return say("pi", harness ? `agents.defaults.embeddedHarness.runtime is "${harness}"; openai/* uses the direct API-key route` : "openai/* is the direct API-key route by default");
}

/**
 * Resolve how a request for `ref` goes out. Pure: the same inputs always give the same
 * route, and nothing is read from disk, network or `process`.
 *
 * Throws {@link RouteError} for refs that can never route (`invalid_model_ref`,
 * `model_excluded`, `unknown_model`, `unknown_provider`, `invalid_base_url`,
 * `invalid_param`). Missing credentials do NOT throw: the route comes back with
 * `authKind: "none"` and `blockers` (see {@link assertRouteReady}).
 */
export function resolveRoute(options: ResolveRouteOptions): Route {
  const { config, auth, session } = options;
  const ref = typeof options.ref === "string" ? parseModelRef(options.ref) : options.ref;
  const env = effectiveEnv(config, options.env);
  let model = requireModel(ref, { config, auth, catalog: options.catalog, live: options.live });
  const reasons: RouteReason[] = [];
  reasons.push({ field: "model", value: ref.ref, why: modelWhy(ref, model) });
  if (!model.apiEnabled && options.live?.some((m) => m.provider === ref.provider && m.id === ref.model)) {
    model = { ...model, apiEnabled: true, note: `The live ${ref.provider} model listing includes it, so it is served by the API.` };
    reasons.push({ field: "apiEnabled", value: "true", why: `the live ${ref.provider} model listing includes ${ref.model}` });
  } else if (model.configured && (options.catalog ?? defaultCatalog()).get(ref.provider, ref.model)?.apiEnabled === false) {
    reasons.push({ field: "apiEnabled", value: "true", why: `declared under models.providers.${ref.provider}.models (you assert the endpoint serves it)` });
  }

  const runtime = pickRuntime(ref, model, config, session, reasons);
  const blockers: RouteBlocker[] = [];
  const provider = ref.provider;
  let authKind: AuthKind;
  let authSource: KeySource | undefined;
  let viaCodexBackend = false;

  if (runtime === "codex") {
    authKind = "codex_app_server";
    reasons.push({ field: "authKind", value: authKind, why: "the Codex app-server harness signs in with its own auth (Codex app-server auth)" });
  } else if (provider === "openai-codex") {
    authKind = findCodexSignIn(auth) ? "codex_oauth" : "none";
    reasons.push({ field: "authKind", value: authKind, why: authKind === "none" ? "no Codex sign-in in the auth store" : "Codex sign-in found in the auth store" });
    if (authKind === "none") {
      blockers.push({ code: "oauth_missing", message: `${ref.ref} needs a ChatGPT/Codex sign-in.`, hint: "Run 'genesis models auth login --provider openai-codex' (add --device-code on headless hosts)." });
    }
  } else {
    const openaiBlock = providerConfig(config, "openai");
    const explicitOpenai = Boolean(openaiBlock?.apiKey || openaiBlock?.baseUrl);
    if (provider === "openai" && model.capabilities.image && findCodexSignIn(auth) && !explicitOpenai) {
      // Image generation follows the Codex sign-in when present, without trying an API key first.
      viaCodexBackend = true;
      authKind = "codex_oauth";
      reasons.push({ field: "authKind", value: authKind, why: "a Codex sign-in is present and models.providers.openai is not configured, so images go through the Codex Responses backend" });
    } else {
      authSource = findApiKey(provider, config, auth, env);
      authKind = authSource ? (provider === "azure-openai-responses" ? "azure_key" : "api_key") : "none";
      reasons.push({ field: "authKind", value: authKind, why: authSource ? `API key from ${authSource}` : `no API key for ${provider}` });
    }
  }

  // Images on a Codex sign-in use the image_generation tool on the Codex Responses backend.
  const baseUrl = pickBaseUrl(viaCodexBackend ? "openai-codex" : provider, config, env, reasons);
  const endpointClass = pickEndpointClass(viaCodexBackend ? "openai-codex" : provider, baseUrl, config, reasons);
  if (endpointClass === "azure" && authKind === "api_key") {
    authKind = "azure_key";
    reasons.push({ field: "authKind", value: authKind, why: "Azure host: the key is sent as an api-key header" });
  }

  const api = pickApi(provider, model, viaCodexBackend, providerConfig(config, provider)?.api, reasons);

  const params = layerParams(
    defaultParams(provider, endpointClass, api, runtime),
    config,
    ref.legacy ? [ref.raw, ref.ref] : [ref.ref],
    session?.overrides,
    reasons,
  );

  const tail = resolveRouteTail({ ref, model, runtime, endpointClass, api, params, config, providerBlock: providerConfig(config, provider), session, reasons });
  const webSearch = resolveWebSearch(config, { endpointClass, api, runtime }, reasons);
  if (provider === "openai" && !isPluginEnabled(config, "openai")) {
    // First, so assertRouteReady reports the switch the user flipped rather than a missing key.
    const { message, hint } = pluginDisabledText("openai", ref.ref);
    blockers.push({ code: "plugin_disabled", message, hint });
    reasons.push({ field: "plugin", value: "openai: disabled", why: "config plugins.entries.openai.enabled is false" });
  }
  blockers.push(...authBlockers({ ref, model, authKind, endpointClass, baseUrl, provider, auth, runtime }));

  const route: Route = {
    ref: ref.ref, requestedRef: ref.raw, provider, modelId: ref.model, model, runtime, runtimeLabel: RUNTIME_LABELS[runtime],
    authKind, endpointClass, baseUrl, api, transport: tail.transport, params, fastMode: tail.fastMode,
    overlays: tail.overlays, executionContract: tail.executionContract, webSearch, blockers, reasons,
  };
  if (authSource) route.authSource = authSource;
  if (tail.serviceTier) route.serviceTier = tail.serviceTier;
  if (tail.contextWindow !== undefined) route.contextWindow = tail.contextWindow;
  if (tail.contextTokens !== undefined) route.contextTokens = tail.contextTokens;
  return route;
}

function modelWhy(ref: ModelRef, model: CatalogEntry): string {
  if (model.source === "builtin") return model.configured ? "built-in catalog row, with config overrides" : "built-in catalog row";
  const proxy = builtinProxy(ref.provider);
  if (model.source === "generic" && proxy) {
    return `${proxy.label} is a built-in OpenAI-compatible proxy: any model id (here ${ref.model}) is passed through`;
  }
  return `${model.source} row`;
}

function pickApi(provider: string, model: CatalogEntry, viaCodexBackend: boolean, configured: string | undefined, reasons: RouteReason[]): RouteApi {
  const say = (value: RouteApi, why: string) => (reasons.push({ field: "api", value, why }), value);
  if (viaCodexBackend) return say("responses", "image_generation tool on the Codex Responses backend");
  const media = mediaApi(model);
  if (media) return say(media, `${model.ref} is a media model`);
  if (configured) {
    const value = configured === "openai-completions" ? "chat-completions" : "responses";
    return say(value, `config models.providers["${provider}"].api is "${configured}"`);
  }
  if (RESPONSES_PROVIDERS.has(provider)) return say("responses", `${provider} speaks the Responses API`);
  return say("chat-completions", "OpenAI-compatible providers default to Chat Completions");
}

/** Catalog-level param defaults: WebSocket-first with warm-up on OpenAI/Codex Responses routes. */
function defaultParams(provider: string, endpointClass: EndpointClass, api: RouteApi, runtime: RuntimeId): RouteParams {
  if (api !== "responses") return {};
  if (provider === "openai" || provider === "openai-codex") {
    const params: RouteParams = { transport: "auto", openaiWsWarmup: true };
    // Direct OpenAI Responses models get server-side compaction unless config says otherwise.
    // The Codex harness manages its own context, so it gets no compaction default.
    if (provider === "openai" && endpointClass === "native-openai" && runtime === "pi") params.responsesServerCompaction = true;
    return params;
  }
  return { transport: "sse" };
}

/**
 * Throw the first blocker as a {@link RouteError} (`api_key_missing`, `oauth_missing`,
 * `base_url_missing`, `model_not_api_enabled`, ...). Returns the route when it is ready.
 */
export function assertRouteReady(route: Route): Route {
  const first = route.blockers[0];
  if (first) throw new RouteError(first.code, first.message, { ref: route.ref, hint: first.hint });
  return route;
}
