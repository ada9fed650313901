import { asDict, asPositiveInt, asString, modelParams, pluginConfig, type RouteConfig } from "./_route-config.js";
import { RouteError } from "./errors.js";

/** How a Responses stream is carried. `auto` = WebSocket first, SSE fallback. */
export type TransportMode = "auto" | "sse" | "websocket";
/** OpenAI `service_tier` values Genesis accepts. */
export type ServiceTier = "auto" | "default" | "flex" | "priority";
/** GPT-5 friendly-style layer: `on` in config is an alias of `friendly`. */
export type Personality = "friendly" | "off";

/** Effective per-model parameters after layering catalog < config < session override. */
export interface RouteParams {
  transport?: TransportMode;
  /** Send a `generate: false` warm-up before the first WebSocket turn. */
  openaiWsWarmup?: boolean;
  fastMode?: boolean;
  serviceTier?: ServiceTier;
  /** Inject `context_management` compaction on Responses routes. */
  responsesServerCompaction?: boolean;
  responsesCompactThreshold?: number;
  /** Extra JSON merged into OpenAI-compatible Completions bodies (`extra_body` in config). */
  extraBody?: Record<string, unknown>;
}

/** One explained decision. */
export interface RouteReason {
  field: string;
  value: string;
  why: string;
}

const TRANSPORTS: readonly string[] = ["auto", "sse", "websocket"];
const TIERS: readonly string[] = ["auto", "default", "flex", "priority"];
const TRUTHY = new Set(["true", "on", "yes", "1", "fast"]);
const FALSY = new Set(["false", "off", "no", "0", "normal"]);

/** The parameter keys routes understand (plus the `extra_body` spelling of `extraBody`). */
export const ROUTE_PARAM_KEYS: readonly (keyof RouteParams)[] = [
  "transport", "openaiWsWarmup", "fastMode", "serviceTier", "responsesServerCompaction", "responsesCompactThreshold", "extraBody",
];

function bad(where: string, message: string, hint: string): RouteError {
  return new RouteError("invalid_param", `${where}: ${message}`, { hint });
}

function toBool(value: unknown, where: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (TRUTHY.has(v)) return true;
    if (FALSY.has(v)) return false;
  }
  throw bad(where, `expected true or false, got ${JSON.stringify(value)}`, "Use true/false (on/off also work).");
}

/**
 * Validate and normalize one parameter value. `where` names its origin for the error.
 * Throws {@link RouteError} `invalid_param`.
 */
export function normalizeParam(key: string, value: unknown, where: string): [keyof RouteParams, unknown] | undefined {
  switch (key) {
    case "transport": {
      const v = typeof value === "string" ? value.trim().toLowerCase() : value;
      if (typeof v !== "string" || !TRANSPORTS.includes(v)) throw bad(where, `unknown transport ${JSON.stringify(value)}`, "Use auto, sse or websocket.");
      return ["transport", v];
    }
    case "serviceTier": {
      const v = typeof value === "string" ? value.trim().toLowerCase() : value;
      if (typeof v !== "string" || !TIERS.includes(v)) throw bad(where, `unknown service tier ${JSON.stringify(value)}`, "Use auto, default, flex or priority.");
      return ["serviceTier", v];
    }
    case "openaiWsWarmup":
    case "fastMode":
    case "responsesServerCompaction":
      return [key, toBool(value, where)];
    case "responsesCompactThreshold": {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1000) {
        throw bad(where, `expected an integer of at least 1000, got ${JSON.stringify(value)}`, "OpenAI requires compact_threshold >= 1000 tokens.");
      }
      return ["responsesCompactThreshold", value];
    }
    case "extraBody":
    case "extra_body": {
      const body = asDict(value);
      if (!body) throw bad(where, "expected a JSON object", "Write extra_body as an object, e.g. { top_k: 20 }.");
      return ["extraBody", body];
    }
    default:
      return undefined;
  }
}

/**
 * Layer params: `defaults` (catalog) < config `agents.defaults.models[<ref>].params`
 * (the first of `configRefs` that has a block) < session `overrides`. Records a reason
 * per parameter naming the winning layer.
 */
export function layerParams(
  defaults: RouteParams,
  config: RouteConfig | undefined,
  configRefs: readonly string[],
  overrides: Record<string, unknown> | undefined,
  reasons: RouteReason[],
): RouteParams {
  const out: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) {
    if (value === undefined) continue;
    out[key] = value;
    source[key] = "catalog default for this provider";
  }
  const refWithParams = configRefs.find((ref) => modelParams(config, ref));
  if (refWithParams) {
    const where = `agents.defaults.models["${refWithParams}"].params`;
    for (const [rawKey, value] of Object.entries(modelParams(config, refWithParams)!)) {
      if (value === undefined) continue;
      const normalized = normalizeParam(rawKey, value, `${where}.${rawKey}`);
      if (!normalized) continue;
      out[normalized[0]] = normalized[1];
      source[normalized[0]] = `config ${where}`;
    }
  }
  for (const [rawKey, value] of Object.entries(overrides ?? {})) {
    if (value === undefined || value === null) continue;
    const normalized = normalizeParam(rawKey, value, `session override ${rawKey}`);
    if (!normalized) continue;
    out[normalized[0]] = normalized[1];
    source[normalized[0]] = "session override (wins over config)";
  }
  for (const key of Object.keys(out)) {
    const value = out[key];
    reasons.push({ field: `params.${key}`, value: typeof value === "object" ? JSON.stringify(value) : String(value), why: source[key]! });
  }
  return out as RouteParams;
}

/**
 * The GPT-5 personality: session override, else `agents.defaults.promptOverlays.gpt5.personality`,
 * else legacy `plugins.entries.openai.config.personality`, else `friendly`.
 * Case-insensitive; `on` means `friendly`.
 */
export function resolvePersonality(config: RouteConfig | undefined, override: unknown): { value: Personality; why: string } {
  const candidates: [unknown, string][] = [
    [override, "session override"],
    [config?.agents?.defaults?.promptOverlays?.gpt5?.personality, "agents.defaults.promptOverlays.gpt5.personality"],
    [pluginConfig(config, "openai")?.personality, "legacy plugins.entries.openai.config.personality (fallback)"],
  ];
  for (const [raw, where] of candidates) {
    if (raw === undefined || raw === null) continue;
    const v = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    if (v === "friendly" || v === "on") return { value: "friendly", why: `${where} = ${JSON.stringify(raw)}${v === "on" ? " (alias of friendly)" : ""}` };
    if (v === "off") return { value: "off", why: `${where} = ${JSON.stringify(raw)}` };
    throw new RouteError("invalid_param", `${where}: unknown personality ${JSON.stringify(raw)}`, {
      hint: 'Use "friendly" (default), "on" (same as friendly) or "off"; case does not matter.',
    });
  }
  return { value: "friendly", why: "default (friendly)" };
}

/**
 * Runtime context budget: the model's config row `contextTokens`, else
 * `agents.defaults.contextTokens`, else the catalog default, capped at `contextWindow`.
 */
export function resolveContextTokens(
  modelRowTokens: number | undefined,
  config: RouteConfig | undefined,
  catalogTokens: number | undefined,
  contextWindow: number | undefined,
  configPath: string,
): { value: number | undefined; why: string } {
  const defaults = asPositiveInt(config?.agents?.defaults?.contextTokens);
  let value: number | undefined;
  let why: string;
  if (modelRowTokens !== undefined) [value, why] = [modelRowTokens, `config ${configPath}.contextTokens`];
  else if (defaults !== undefined) [value, why] = [defaults, "config agents.defaults.contextTokens"];
  else if (catalogTokens !== undefined) [value, why] = [catalogTokens, "catalog default cap"];
  else [value, why] = [contextWindow, "no cap configured; using the context window"];
  if (value !== undefined && contextWindow !== undefined && value > contextWindow) {
    return { value: contextWindow, why: `${why} (${value}) capped at contextWindow` };
  }
  return { value, why };
}

/** `agents.defaults.embeddedPi.executionContract`, validated. */
export function configuredExecutionContract(config: RouteConfig | undefined): "default" | "strict-agentic" | undefined {
  const raw = config?.agents?.defaults?.embeddedPi?.executionContract;
  if (raw === undefined) return undefined;
  const v = asString(raw)?.toLowerCase();
  if (v === "default" || v === "strict-agentic") return v;
  throw new RouteError("invalid_param", `agents.defaults.embeddedPi.executionContract: unknown value ${JSON.stringify(raw)}`, {
    hint: 'Use "default" or "strict-agentic".',
  });
}
