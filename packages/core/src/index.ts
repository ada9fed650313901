export { GenesisError, ConfigError, ValidationError, RouteError, AuthError } from "./errors.js";
export type { GenesisErrorOptions } from "./errors.js";
export { redactSecrets, maskSecret, REDACTED } from "./redact.js";
export { emptyUsage, normalizeUsage, addUsage } from "./usage.js";
export type { Usage } from "./usage.js";
export type { StreamEvent, OutputItem, TurnStatus, TransportKind } from "./stream-event.js";
export { resolveGenesisHome, resolveConfigPath } from "./paths.js";
export { configSchema, modelParamsSchema, modelCompatSchema } from "./config-schema.js";
export type { GenesisConfig, GenesisConfigInput, ModelParams, ModelCompat } from "./config-schema.js";
export { validateConfig, safeValidateConfig, ConfigValidationError } from "./validate-config.js";
export type { ConfigValidationResult } from "./validate-config.js";
export { formatConfigPath } from "./_config-issues.js";
export type { ConfigIssue, PathSegment } from "./_config-issues.js";
export { parseConfigPath, getConfigValue, setConfigValue, unsetConfigValue, parseConfigValue } from "./config-path.js";
export { readConfigDocument, resolveEnv } from "./config-document.js";
export type { ConfigFileOptions, ConfigDocument } from "./config-document.js";
export { writeConfigDocument, updateConfigDocument, stringifyConfigDocument } from "./config-file.js";
export { loadConfig } from "./load-config.js";
export type { LoadedConfig } from "./load-config.js";
export { parseModelRef, tryParseModelRef, formatModelRef, baseModelId, isGpt5ModelId, LEGACY_CODEX_PREFIX } from "./model-ref.js";
export type { ModelRef } from "./model-ref.js";
export {
  createCatalog, defaultCatalog, registerCatalogRecovery, lookupModel, requireModel, listCatalog, excludedRef,
  synthesizeEntry, closeMatches, mergeLiveModels,
} from "./catalog.js";
export type {
  CatalogEntry, CatalogCompat, CatalogSource, ModelCapabilities, ModelCatalog, CatalogRecovery, CatalogRecoveryRequest,
  CatalogContext, LiveModel, LiveStatus, ModelListRow,
} from "./catalog.js";
export { resolveRoute, assertRouteReady, RUNTIME_LABELS } from "./route.js";
export type { Route, RouteApi, RouteBlocker, RouteSession, ResolveRouteOptions, RuntimeId } from "./route.js";
export type { RouteConfig, RouteAuth } from "./_route-config.js";
export type { RouteParams, RouteReason, TransportMode, ServiceTier, Personality } from "./_route-params.js";
export { ROUTE_PARAM_KEYS, normalizeParam } from "./_route-params.js";
export type { RouteWebSearch, WebSearchMode, WebSearchContextSize } from "./_route-web-search.js";
export { apiKeyEnvVar } from "./_route-auth.js";
export type { AuthKind, KeySource } from "./_route-auth.js";
export {
  classifyEndpoint, isLocalHost, isNativeEndpoint, ENDPOINT_CLASSES, AZURE_HOST_SUFFIXES,
  DEFAULT_OPENAI_BASE_URL, DEFAULT_CODEX_BASE_URL,
} from "./_route-endpoint.js";
export type { EndpointClass } from "./_route-endpoint.js";
export { explainRoute, routeToJson } from "./explain-route.js";
export type { RouteJson } from "./explain-route.js";
export { buildGpt5Overlay, matchesGpt5Overlay, overlayForRoute } from "./prompt-overlay.js";
export type { Gpt5Overlay } from "./prompt-overlay.js";
export type { SessionRecord, SessionEntry, SessionStore, CreateSessionInput } from "./session-store.js";
export { openAuthStore } from "./auth-store.js";
export type { AuthStore, AuthStoreOptions, AuthFile, AuthProfile, ApiKeyProfile, OAuthProfile } from "./auth-store.js";
export { buildAuthSnapshot, resolveApiKey, PROVIDER_ENV_KEYS } from "./auth-snapshot.js";
export type { AuthSnapshot, ApiKeySource, CredentialSources } from "./auth-snapshot.js";
export { readImageInfo, sniffImageFormat, imageMime } from "./image-info.js";
export type { ImageInfo, ImageFormat } from "./image-info.js";
export { builtinProxy } from "./catalog.js";
export { isPluginEnabled, assertPluginEnabled, pluginEnabledPath, assertOpenAIProviderSelected } from "./plugin-gate.js";
export type { BundledPluginId } from "./plugin-gate.js";
export {
  isModelFailure, modelFailoverAttempt, modelFailoverChain, summarizeFailover, describeFailoverAttempts, MODEL_FAILURE_CODES, MODEL_FAILURE_SERVER_CODES,
} from "./model-failover.js";
export type { ModelFailoverAttempt, ModelFailureRules, ModelSelection } from "./model-failover.js";
