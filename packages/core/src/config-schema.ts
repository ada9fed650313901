import { z } from "zod";

/**
 * The whole `genesis.json5` file as one zod schema: the single source of truth for every
 * config path. Every object is strict, so a misspelled key is an error (with a suggestion,
 * see {@link validateConfig}) instead of a silently ignored setting.
 *
 * Numbers are finite by construction (zod 4 rejects NaN and ±Infinity); durations, counts
 * and token budgets are additionally integers with explicit lower bounds.
 */

// --- building blocks -------------------------------------------------------------------

/** A model ref: `provider/model`, where the model part may itself contain slashes. */
const modelRef = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]*\/\S+$/, { error: "expected a model ref like openai/gpt-5.4 (provider/model)" });

/** Milliseconds: a whole, non-negative number. */
const durationMs = z.number().int({ error: "expected a whole number of milliseconds" }).min(0, { error: "must not be negative" });

/** Token budgets and windows: whole and positive. */
const tokenCount = z.number().int({ error: "expected a whole number of tokens" }).min(1, { error: "must be at least 1" });

/** 0..1 voice-activity threshold. */
const vadThreshold = z.number().min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" });

const nonEmpty = z.string().min(1, { error: "must not be empty" });

/**
 * An http(s)/ws(s) base URL. Deliberately loose about the host so documented placeholders
 * (`https://<your-resource>.openai.azure.com`) validate, but credentials embedded in the URL
 * are refused: they would leak into logs and error messages (never echoed back here).
 */
const baseUrl = z
  .string()
  .regex(/^(?:https?|wss?):\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, { error: "expected an http(s):// URL" })
  .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), {
    error: "must not contain credentials (user:password@); use apiKey instead",
  });

/** Case-insensitive `friendly` | `on` | `off`, normalized to lower case (`on` is kept; it aliases `friendly`). */
const personality = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(["friendly", "on", "off"], { error: 'expected "friendly", "on" or "off" (any case)' }));

/** Arbitrary JSON object passed through to OpenAI-compatible proxies. */
const jsonObject = z.record(z.string(), z.unknown());

const modelSelection = z.strictObject({
  /** The model ref used first. */
  primary: modelRef.optional(),
  /** Refs tried in order when the primary fails. */
  fallbacks: z.array(modelRef).optional(),
});

// --- agents.defaults -------------------------------------------------------------------

/** `agents.defaults.models["<ref>"].params`: per-model request parameters. */
export const modelParamsSchema = z.strictObject({
  /** `auto` (default: WebSocket first, SSE fallback), `sse` or `websocket`. */
  transport: z.enum(["auto", "sse", "websocket"]).optional(),
  /** WebSocket warm-up before the first turn (default true for openai/* and openai-codex/*). */
  openaiWsWarmup: z.boolean().optional(),
  /** Maps to `service_tier: "priority"` unless a tier is already set. */
  fastMode: z.boolean().optional(),
  /** Forwarded only to native OpenAI / Codex endpoints. */
  serviceTier: z.enum(["auto", "default", "flex", "priority"]).optional(),
  /** Inject `context_management` compaction (auto-on for direct openai/* Responses). */
  responsesServerCompaction: z.boolean().optional(),
  /** `compact_threshold` in tokens; the API requires at least 1000. */
  responsesCompactThreshold: z.number().int({ error: "expected a whole number of tokens" }).min(1000, { error: "must be at least 1000 (API minimum)" }).optional(),
  /** Extra JSON merged into OpenAI-compatible Completions request bodies. */
  extra_body: jsonObject.optional(),
  /** camelCase alias of `extra_body`. */
  extraBody: jsonObject.optional(),
});

const modelEntry = z.strictObject({ params: modelParamsSchema.optional() });

const agentDefaults = z.strictObject({
  model: modelSelection.optional(),
  /** Per-model settings keyed by model ref, e.g. `models["openai/gpt-5.4"]`. */
  models: z.record(modelRef, modelEntry).optional(),
  /** `pi` (default embedded runner) or `codex` (Codex app-server harness for openai/* refs). */
  embeddedHarness: z.strictObject({ runtime: z.enum(["pi", "codex"]).optional() }).optional(),
  /** `strict-agentic` tightens GPT-5 runs on openai/* and openai-codex/*. */
  embeddedPi: z.strictObject({ executionContract: z.enum(["default", "strict-agentic"]).optional() }).optional(),
  promptOverlays: z
    .strictObject({ gpt5: z.strictObject({ personality: personality.optional() }).optional() })
    .optional(),
  imageGenerationModel: modelSelection.optional(),
  videoGenerationModel: modelSelection.optional(),
  /** Runtime context budget cap for every model (a per-model `contextTokens` wins). */
  contextTokens: tokenCount.optional(),
});

// --- models.providers ------------------------------------------------------------------

/** Behaviour flags of a model or endpoint; unset means "use the catalog/endpoint default". */
export const modelCompatSchema = z.strictObject({
  /** `false` stops Genesis from forcing `store: true` and strips `store`. */
  supportsStore: z.boolean().optional(),
  /** Whether `reasoning.effort: "none"` is accepted. */
  supportsReasoningEffortNone: z.boolean().optional(),
  /** Whether tool schemas may be sent with `strict: true`. */
  supportsStrictTools: z.boolean().optional(),
  /** Whether `service_tier` may be sent. */
  supportsServiceTier: z.boolean().optional(),
  /** Whether `prompt_cache_key` may be sent. */
  supportsPromptCacheKey: z.boolean().optional(),
});

const providerModel = z.strictObject({
  /** The provider's model id (for Azure, the deployment name). */
  id: nonEmpty,
  name: z.string().optional(),
  /** Native model metadata: the model's full context window. */
  contextWindow: tokenCount.optional(),
  /** Runtime context budget (e.g. 272000 by default for openai-codex/gpt-5.5). */
  contextTokens: tokenCount.optional(),
  maxTokens: tokenCount.optional(),
  compat: modelCompatSchema.optional(),
});

const provider = z.strictObject({
  /** Overrides the provider's endpoint (Azure hosts switch to the Azure request shape). */
  baseUrl: baseUrl.optional(),
  /** Key for this provider; wins over the auth store and `OPENAI_API_KEY`. */
  apiKey: nonEmpty.optional(),
  /** Wire API spoken at `baseUrl`. */
  api: z.enum(["openai-responses", "openai-completions", "openai-codex-responses", "azure-openai-responses"]).optional(),
  /** Force the endpoint class instead of detecting it from `baseUrl`. */
  endpointClass: z.enum(["native-openai", "native-codex", "azure", "compat", "local"]).optional(),
  /** Per-request timeout in milliseconds. */
  timeoutMs: durationMs.optional(),
  models: z.array(providerModel).optional(),
});

// --- speech, media, plugins --------------------------------------------------------------

const ttsOpenAI = z.strictObject({
  /** Default `gpt-4o-mini-tts`. */
  model: nonEmpty.optional(),
  /** Default `coral`. */
  voice: nonEmpty.optional(),
  speed: z.number().min(0.25, { error: "must be between 0.25 and 4" }).max(4, { error: "must be between 0.25 and 4" }).optional(),
  instructions: z.string().optional(),
  /** Default `opus` for voice notes, `mp3` for files. */
  responseFormat: z.enum(["mp3", "opus", "aac", "flac", "wav", "pcm"]).optional(),
  /** Falls back to `OPENAI_API_KEY`. */
  apiKey: nonEmpty.optional(),
  /** Default `https://api.openai.com/v1` (env `OPENAI_TTS_BASE_URL`). */
  baseUrl: baseUrl.optional(),
});

const audioModel = z.strictObject({
  type: z.enum(["provider"]).optional(),
  provider: nonEmpty,
  /** Default `gpt-4o-transcribe` for openai. */
  model: nonEmpty.optional(),
  language: z.string().optional(),
  prompt: z.string().optional(),
  timeoutMs: durationMs.optional(),
});

/**
 * `tools.media.audio`: batch transcription of inbound audio. `language` and `prompt` are the
 * shared hints every transcription gets unless its `models[]` entry or the call sets its own.
 */
const audioMedia = z.strictObject({
  /** ISO-639-1 language hint (`en`, `de`...) for every transcription; unset by default. */
  language: z.string().optional(),
  /** Vocabulary or style hint for every transcription; unset by default. */
  prompt: z.string().optional(),
  models: z.array(audioModel).optional(),
});

const streamingOpenAI = z.strictObject({
  /** Default `gpt-4o-transcribe`. */
  model: nonEmpty.optional(),
  language: z.string().optional(),
  prompt: z.string().optional(),
  /** Default 800. */
  silenceDurationMs: durationMs.optional(),
  /** Default 0.5. */
  vadThreshold: vadThreshold.optional(),
  apiKey: nonEmpty.optional(),
});

const realtimeOpenAI = z.strictObject({
  /** Default `gpt-realtime-1.5`. */
  model: nonEmpty.optional(),
  /** Default `alloy`. */
  voice: nonEmpty.optional(),
  /** Default 0.8. */
  temperature: z.number().min(0, { error: "must be between 0 and 2" }).max(2, { error: "must be between 0 and 2" }).optional(),
  /** Default 0.5. */
  vadThreshold: vadThreshold.optional(),
  /** Default 500. */
  silenceDurationMs: durationMs.optional(),
  apiKey: nonEmpty.optional(),
  /** `https://<resource>.openai.azure.com`; switches realtime voice to Azure. */
  azureEndpoint: baseUrl.optional(),
  azureDeployment: nonEmpty.optional(),
  azureApiVersion: nonEmpty.optional(),
});

const voiceCallConfig = z.strictObject({
  streaming: z
    .strictObject({ provider: nonEmpty.optional(), providers: z.strictObject({ openai: streamingOpenAI.optional() }).optional() })
    .optional(),
  realtime: z
    .strictObject({ provider: nonEmpty.optional(), providers: z.strictObject({ openai: realtimeOpenAI.optional() }).optional() })
    .optional(),
});

const plugins = z.strictObject({
  entries: z
    .strictObject({
      "voice-call": z.strictObject({ enabled: z.boolean().optional(), config: voiceCallConfig.optional() }).optional(),
      openai: z
        .strictObject({
          enabled: z.boolean().optional(),
          /** Legacy: read only when `agents.defaults.promptOverlays.gpt5.personality` is unset. */
          config: z.strictObject({ personality: personality.optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * `tools.web.search`: server-side web search. On native OpenAI routes (api.openai.com, the
 * Codex backend, Azure) it is the Responses `web_search` tool; proxies never get it.
 */
const webSearch = z.strictObject({
  /** Offer the native `web_search` tool. Default false. */
  enabled: z.boolean().optional(),
  /** Search provider; anything other than `openai` pins search elsewhere and the native tool is not sent. */
  provider: nonEmpty.optional(),
  /** Codex backend only: `live` (default) may fetch pages, `cached` answers from OpenAI's index. */
  mode: z.enum(["cached", "live"], { error: 'expected "cached" or "live"' }).optional(),
  /** `search_context_size`: how much search context the model gets (API default medium). */
  contextSize: z.enum(["low", "medium", "high"], { error: 'expected "low", "medium" or "high"' }).optional(),
  /** `filters.allowed_domains`: bare host names (subdomains included), e.g. `docs.python.org`. */
  allowedDomains: z
    .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, { error: "expected a bare domain like example.com (no scheme, path or spaces)" }))
    .optional(),
});

// --- the file ----------------------------------------------------------------------------

/** The complete `genesis.json5` schema. */
export const configSchema = z.strictObject({
  /** Fallbacks for the process environment; a variable that is really set wins. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" }), z.string()).optional(),
  agents: z.strictObject({ defaults: agentDefaults.optional() }).optional(),
  models: z.strictObject({ providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: "expected a lower-case provider id" }), provider).optional() }).optional(),
  messages: z
    .strictObject({
      tts: z
        .strictObject({ provider: nonEmpty.optional(), providers: z.strictObject({ openai: ttsOpenAI.optional() }).optional() })
        .optional(),
    })
    .optional(),
  tools: z
    .strictObject({
      media: z.strictObject({ audio: audioMedia.optional() }).optional(),
      web: z.strictObject({ search: webSearch.optional() }).optional(),
    })
    .optional(),
  plugins: plugins.optional(),
  browser: z
    .strictObject({
      ssrfPolicy: z
        .strictObject({
          /** Allow private/LAN/loopback endpoints (e.g. a LAN image server). Default false. */
          dangerouslyAllowPrivateNetwork: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
  auth: z
    .strictObject({
      /** ChatGPT/Codex sign-in endpoints; override for tests or proxies. */
      openaiCodex: z
        .strictObject({
          /** OAuth issuer, default `https://auth.openai.com` (env `GENESIS_CODEX_AUTH_ISSUER`). */
          issuer: baseUrl.optional(),
          /** Codex backend base, default `https://chatgpt.com/backend-api/codex` (env `GENESIS_CODEX_BASE_URL`). */
          codexBaseUrl: baseUrl.optional(),
          /** OAuth client id; the Codex CLI's public id by default (env `GENESIS_CODEX_CLIENT_ID`). */
          clientId: nonEmpty.optional(),
        })
        .optional(),
    })
    .optional(),
});

/** A validated config (transforms applied: e.g. personality lower-cased). */
export type GenesisConfig = z.infer<typeof configSchema>;
/** The config as written in the file, before transforms. */
export type GenesisConfigInput = z.input<typeof configSchema>;
/** `agents.defaults.models["<ref>"].params`. */
export type ModelParams = z.infer<typeof modelParamsSchema>;
/** `models.providers.<id>.models[].compat`. */
export type ModelCompat = z.infer<typeof modelCompatSchema>;
