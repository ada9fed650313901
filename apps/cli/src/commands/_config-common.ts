import type { CommandContext } from "../_context.js";

/**
 * Shared by the `config *` commands: secret-aware display and error reporting.
 * Loaded only by those commands (it imports core lazily through its callers).
 */

const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;

/** Whether the value at `segments` is a credential (an `apiKey`, or a secret-looking `env` entry). */
export function isSecretPath(segments: readonly (string | number)[]): boolean {
  const last = segments.at(-1);
  if (last === "apiKey") return true;
  return segments.length === 2 && segments[0] === "env" && typeof last === "string" && SECRET_ENV_NAME.test(last);
}

/** A copy of `value` (found at `segments`) with every credential inside it masked. */
export function maskSecrets(value: unknown, segments: (string | number)[], mask: (s: string) => string): unknown {
  if (typeof value === "string") return isSecretPath(segments) ? mask(value) : value;
  if (Array.isArray(value)) return value.map((item, i) => maskSecrets(item, [...segments, i], mask));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, [...segments, k], mask)]));
  }
  return value;
}

/**
 * Print a Genesis error and choose the exit code: `usageCodes` (bad paths, invalid values)
 * are usage errors (2), anything else is a failure (1). Non-Genesis errors are rethrown.
 */
export function reportGenesisError(ctx: CommandContext, error: unknown, usageCodes: readonly string[]): number {
  const e = error as { code?: unknown; describe?: () => string };
  if (typeof e?.code !== "string" || typeof e.describe !== "function") throw error;
  ctx.stderr.write(`genesis: ${e.describe()}\n`);
  return usageCodes.includes(e.code) ? 2 : 1;
}
