import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Checks client frames against the official OpenAPI `RealtimeClientEvent*` schemas shipped in
 * the testkit (`spec/openapi.json`). The spec's realtime schemas do not forbid extra keys, so
 * a plain JSON Schema validator would accept a stray `temperature`; this walks the schema and
 * reports every key or enum value the spec does not define.
 */
type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  additionalProperties?: unknown;
};

const specPath = createRequire(import.meta.url).resolve("@genesis/testkit/package.json").replace(/package\.json$/, "spec/openapi.json");
const schemas = (JSON.parse(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, Schema> } }).components.schemas;

function resolve(schema: Schema): Schema {
  let s = schema;
  while (s.$ref) s = schemas[s.$ref.replace("#/components/schemas/", "")]!;
  return s;
}

function problems(value: unknown, raw: Schema, path: string): string[] {
  const schema = resolve(raw);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    let best: string[] | undefined;
    for (const branch of branches) {
      const p = problems(value, branch, path);
      if (!best || p.length < best.length) best = p;
    }
    return best ?? [];
  }
  const allowed = schema.enum ?? (schema.const === undefined ? undefined : [schema.const]);
  if (allowed && !allowed.includes(value)) return [`${path}=${JSON.stringify(value)}`];
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => problems(v, schema.items!, `${path}[${i}]`)) : [];
  if (typeof value === "object" && value !== null && schema.properties && !schema.additionalProperties) {
    return Object.entries(value).flatMap(([key, v]) => (schema.properties![key] ? problems(v, schema.properties![key]!, `${path}.${key}`) : [`${path}.${key}`]));
  }
  return [];
}

/** Keys or enum values in `frame` that its `RealtimeClientEvent*` schema does not define (empty = conforms). */
export function specProblems(frame: { type: string }): string[] {
  const name = Object.keys(schemas).find((n) => n.startsWith("RealtimeClientEvent") && resolve(schemas[n]!).properties?.["type"]?.enum?.includes(frame.type));
  if (!name) return [`unknown client event ${frame.type}`];
  return problems(frame, schemas[name]!, frame.type);
}
