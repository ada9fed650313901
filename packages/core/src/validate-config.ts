import { ConfigError, type GenesisErrorOptions } from "./errors.js";
import { configSchema, type GenesisConfig } from "./config-schema.js";
import { findForbiddenKeys, toConfigIssues, type ConfigIssue } from "./_config-issues.js";

/**
 * The config failed validation. `issues` lists every problem with its full path;
 * `path` is the first one's. Messages name paths and rules, never the values.
 */
export class ConfigValidationError extends ConfigError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], fields: { file?: string } & GenesisErrorOptions = {}) {
    const where = fields.file ? ` in ${fields.file}` : "";
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
    super("config_invalid", `Invalid config${where}:\n${lines.join("\n")}`, {
      path: issues[0]?.path,
      file: fields.file,
      hint: fields.hint ?? "Fix the keys listed above, then check with `genesis config validate`.",
    });
    this.issues = issues;
  }
}

/** Result of {@link safeValidateConfig}. */
export type ConfigValidationResult =
  | { ok: true; config: GenesisConfig }
  | { ok: false; issues: ConfigIssue[] };

/**
 * Validate a parsed config document without throwing. Unknown keys come back as
 * `unknown_key` issues with the full path and the closest known sibling; prototype keys
 * (`__proto__`, `constructor`, `prototype`) are `forbidden_key` issues.
 */
export function safeValidateConfig(document: unknown): ConfigValidationResult {
  const forbidden = findForbiddenKeys(document);
  if (forbidden.length > 0) return { ok: false, issues: forbidden };
  const parsed = configSchema.safeParse(document);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, issues: toConfigIssues(configSchema, parsed.error.issues) };
}

/**
 * Validate a parsed config document.
 * @param file shown in the error message when given.
 * @throws ConfigValidationError (code `config_invalid`) listing every issue.
 */
export function validateConfig(document: unknown, file?: string): GenesisConfig {
  const result = safeValidateConfig(document);
  if (!result.ok) throw new ConfigValidationError(result.issues, file === undefined ? {} : { file });
  return result.config;
}
