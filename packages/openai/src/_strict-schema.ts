/**
 * Convert a JSON Schema into the form OpenAI's strict function calling accepts: every object
 * lists all of its properties in `required` and sets `additionalProperties: false`; a property
 * that was optional becomes nullable instead (the model sends `null` for "not given").
 * Returns `undefined` when the schema uses something strict mode cannot express, so the caller
 * can fall back to a loose tool rather than send a schema the API would reject.
 */
export function toStrictSchema(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    return convert(schema) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

class NotStrictable extends Error {}

const UNSUPPORTED = ["patternProperties", "if", "then", "else", "dependentSchemas", "dependentRequired", "not"];

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (typeof node !== "object" || node === null) return node;
  const src = node as Record<string, unknown>;
  for (const key of UNSUPPORTED) if (key in src) throw new NotStrictable(key);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === "properties" || key === "required" || key === "additionalProperties") continue;
    if (key === "items" || key === "anyOf" || key === "oneOf" || key === "allOf" || key === "prefixItems") {
      out[key === "oneOf" ? "anyOf" : key] = convert(value);
    } else if (key === "$defs" || key === "definitions") {
      const defs: Record<string, unknown> = {};
      for (const [name, def] of Object.entries(value as Record<string, unknown>)) defs[name] = convert(def);
      out[key] = defs;
    } else {
      out[key] = value;
    }
  }
  const isObject = src.type === "object" || (src.properties !== undefined && src.type === undefined);
  if (!isObject) return out;
  if (src.additionalProperties !== undefined && src.additionalProperties !== false) {
    // An open map (additionalProperties: {...} / true) has no strict equivalent.
    throw new NotStrictable("additionalProperties");
  }
  const props = (src.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(src.required) ? (src.required as string[]) : []);
  const outProps: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(props)) {
    const converted = convert(prop);
    outProps[name] = required.has(name) ? converted : nullable(converted);
  }
  out.properties = outProps;
  out.required = Object.keys(props);
  out.additionalProperties = false;
  return out;
}

function nullable(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return schema;
  const s = schema as Record<string, unknown>;
  if (typeof s.type === "string") {
    if (s.type === "null") return s;
    const copy: Record<string, unknown> = { ...s, type: [s.type, "null"] };
    if (Array.isArray(s.enum)) copy.enum = [...(s.enum as unknown[]), null];
    return copy;
  }
  if (Array.isArray(s.type)) return (s.type as unknown[]).includes("null") ? s : { ...s, type: [...s.type, "null"] };
  return { anyOf: [s, { type: "null" }] };
}
