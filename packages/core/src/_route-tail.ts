import type { ProviderConfigView, RouteConfig } from "./_route-config.js";
import type { EndpointClass } from "./_route-endpoint.js";
import {
  configuredExecutionContract, resolveContextTokens, resolvePersonality,
  type RouteParams, type RouteReason, type ServiceTier, type TransportMode,
} from "./_route-params.js";
import type { CatalogEntry } from "./catalog.js";
import { isGpt5ModelId, type ModelRef } from "./model-ref.js";
import type { Route, RouteApi, RouteSession, RuntimeId } from "./route.js";

/** The second half of route resolution: everything decided after auth and endpoint. */
export function resolveRouteTail(input: {
  ref: ModelRef;
  model: CatalogEntry;
  runtime: RuntimeId;
  endpointClass: EndpointClass;
  api: RouteApi;
  params: RouteParams;
  config: RouteConfig | undefined;
  providerBlock: ProviderConfigView | undefined;
  session: RouteSession | undefined;
  reasons: RouteReason[];
}): Pick<Route, "transport" | "fastMode" | "serviceTier" | "contextWindow" | "contextTokens" | "overlays" | "executionContract"> {
  const { ref, model, runtime, endpointClass, api, params, config, reasons } = input;
  const say = (field: string, value: unknown, why: string) => reasons.push({ field, value: String(value), why });

  // Transport: only Responses streams have a WebSocket variant.
  let transport: TransportMode;
  if (api === "realtime") {
    transport = "websocket";
    say("transport", transport, "the Realtime API is WebSocket-only");
  } else if (api !== "responses") {
    transport = "sse";
    say("transport", transport, `${api} requests are plain HTTP; WebSocket mode exists only for Responses`);
  } else {
    transport = params.transport ?? "sse";
    say("transport", transport, runtime === "codex"
      ? "kept for Pi turns; the Codex app-server owns its own wire"
      : params.transport ? "from params.transport" : "no WebSocket default for this provider");
  }

  // Fast mode maps to priority processing, but an explicit service tier is preserved.
  const openaiFamily = ref.provider === "openai" || ref.provider === "openai-codex";
  const fastMode = openaiFamily && params.fastMode === true;
  if (params.fastMode === true && !openaiFamily) say("fastMode", false, `fast mode is only defined for openai/* and openai-codex/*`);
  else say("fastMode", fastMode, params.fastMode === undefined ? "not set (default off)" : "from params.fastMode");
  const wanted: ServiceTier | undefined = params.serviceTier ?? (fastMode ? "priority" : undefined);
  let serviceTier: ServiceTier | undefined;
  if (wanted) {
    const native = endpointClass === "native-openai" || endpointClass === "native-codex";
    if (!native) say("serviceTier", "(not sent)", `service_tier is only forwarded to api.openai.com and chatgpt.com/backend-api; this endpoint is ${endpointClass}`);
    else if (!model.compat.supportsServiceTier) say("serviceTier", "(not sent)", "model compat sets supportsServiceTier: false");
    else {
      serviceTier = wanted;
      say("serviceTier", wanted, params.serviceTier ? "from params.serviceTier (fast mode never overrides it)" : "fast mode maps to priority processing");
    }
  }

  // Context: native window vs runtime budget.
  const row = input.providerBlock?.models.find((m) => m.id === ref.model);
  const contextWindow = model.contextWindow;
  if (contextWindow !== undefined) say("contextWindow", contextWindow, row?.contextWindow !== undefined ? `config models.providers["${ref.provider}"].models[id=${ref.model}].contextWindow` : "catalog metadata");
  const tokens = resolveContextTokens(row?.contextTokens, config, model.contextTokens, contextWindow, `models.providers["${ref.provider}"].models[id=${ref.model}]`);
  if (tokens.value !== undefined) say("contextTokens", tokens.value, tokens.why);

  // GPT-5 overlay: matched by model id on any provider; friendly layer follows personality.
  const gpt5 = isGpt5ModelId(ref.model) && model.capabilities.text;
  const personality = resolvePersonality(config, input.session?.overrides?.personality);
  const friendly = gpt5 && personality.value === "friendly";
  say("overlays.gpt5", gpt5, gpt5 ? `${ref.model} is a GPT-5-family model id (behaviour contract always on)` : "not a GPT-5-family model id");
  if (gpt5) say("overlays.friendly", friendly, `personality ${personality.value}: ${personality.why}`);

  // Strict-agentic applies to OpenAI/Codex GPT-5 runs on the Pi runner only.
  const configured = configuredExecutionContract(config);
  let executionContract: "default" | "strict-agentic" = "default";
  if (configured === "strict-agentic") {
    if (runtime === "pi" && openaiFamily && gpt5) {
      executionContract = "strict-agentic";
      say("executionContract", executionContract, "agents.defaults.embeddedPi.executionContract");
    } else {
      say("executionContract", "default", runtime === "codex" ? "the Codex harness manages its own turns" : "strict-agentic is scoped to openai/openai-codex GPT-5 models");
    }
  }
  const out: ReturnType<typeof resolveRouteTail> = {
    transport, fastMode, overlays: { gpt5, friendly, personality: personality.value }, executionContract,
  };
  if (serviceTier) out.serviceTier = serviceTier;
  if (contextWindow !== undefined) out.contextWindow = contextWindow;
  if (tokens.value !== undefined) out.contextTokens = tokens.value;
  return out;
}
