/**
 * `@genesis/core/lite`: the part of core that never loads zod at import time, for
 * short-lived read-only commands (`genesis models list`, `genesis models route`) whose
 * cold start matters. Everything here is also exported by `@genesis/core` (same modules,
 * same classes, so `instanceof` works across both entries). `loadConfig` still validates
 * every non-empty config with the full schema; it just imports the schema on demand.
 * json5 is loaded only when a config file exists. A test (lite.test.ts) walks this file's
 * static imports and fails if zod or json5 becomes reachable.
 */
export { GenesisError, ConfigError, ValidationError, RouteError, AuthError } from "./errors.js";
export type { GenesisErrorOptions } from "./errors.js";
export { redactSecrets, maskSecret, REDACTED } from "./redact.js";
export { resolveGenesisHome, resolveConfigPath } from "./paths.js";
export type { GenesisConfig } from "./config-schema.js";
export { readConfigDocument, resolveEnv } from "./config-document.js";
export type { ConfigFileOptions, ConfigDocument } from "./config-document.js";
export { loadConfig } from "./load-config.js";
export type { LoadedConfig } from "./load-config.js";
export { parseModelRef, tryParseModelRef, formatModelRef } from "./model-ref.js";
export type { ModelRef } from "./model-ref.js";
export { defaultCatalog, listCatalog, lookupModel, excludedRef, closeMatches, mergeLiveModels } from "./catalog.js";
export type { CatalogEntry, ModelCapabilities, LiveModel } from "./catalog.js";
export { resolveRoute } from "./route.js";
export type { Route } from "./route.js";
export type { RouteAuth } from "./_route-config.js";
export { DEFAULT_OPENAI_BASE_URL, DEFAULT_CODEX_BASE_URL } from "./_route-endpoint.js";
export { explainRoute, routeToJson } from "./explain-route.js";
export { openAuthStore } from "./auth-store.js";
export type { AuthStore } from "./auth-store.js";
export { resolveApiKey, PROVIDER_ENV_KEYS } from "./auth-snapshot.js";
export { builtinProxy } from "./catalog.js";
export { isPluginEnabled, assertPluginEnabled, pluginEnabledPath } from "./plugin-gate.js";
export type { BundledPluginId } from "./plugin-gate.js";
