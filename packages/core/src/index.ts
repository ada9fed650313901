export { GenesisError, ConfigError, ValidationError, RouteError, AuthError } from "./errors.js";
export type { GenesisErrorOptions } from "./errors.js";
export { redactSecrets, maskSecret, REDACTED } from "./redact.js";
export { emptyUsage, normalizeUsage, addUsage } from "./usage.js";
export type { Usage } from "./usage.js";
export type { StreamEvent, OutputItem, TurnStatus, TransportKind } from "./stream-event.js";
export { resolveGenesisHome, resolveConfigPath } from "./paths.js";
