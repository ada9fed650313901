import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const SCHEMA_SOURCES = ["config-schema.ts", "_config-issues.ts", "validate-config.ts"];

/**
 * A hash of the config schema's source files, injected at build time as
 * `__GENESIS_SCHEMA_FINGERPRINT__`: core's validated-config cache is keyed by it, so a cached
 * validation never outlives the schema that produced it.
 */
export function schemaFingerprint(): string {
  const dir = resolve(import.meta.dirname, "../packages/core/src");
  const hash = createHash("sha256");
  for (const file of SCHEMA_SOURCES) {
    const path = join(dir, file);
    hash.update(file).update("\0").update(existsSync(path) ? readFileSync(path) : "").update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
