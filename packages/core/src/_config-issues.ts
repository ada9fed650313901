import type { z } from "zod";

/** One segment of a config path: an object key or an array index. */
export type PathSegment = string | number;

const BARE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Render segments the way users type them: `agents.defaults.models["openai/gpt-5.4"].params`.
 * Keys that are not plain words (slashes, dots, spaces, leading digits) are bracketed and
 * quoted; array indexes are `[n]`. The empty path renders as `(root)`.
 */
export function formatConfigPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (BARE_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Classic edit distance; inputs are short config keys, so the O(n·m) table is fine. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key closest to `unknown`, or undefined when nothing is plausibly meant.
 * Case-only differences always match; otherwise allow about a third of the length in edits.
 */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === unknown.toLowerCase() ? 0.5 : levenshtein(unknown, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const budget = Math.max(2, Math.ceil(unknown.length / 3));
  return bestDistance <= budget ? best : undefined;
}

interface ZodInternals {
  _zod: { def: { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown; getter?: () => unknown } };
}

/** Strip wrappers (optional, default, pipe, ...) to reach the structural schema. */
function unwrap(schema: unknown): ZodInternals | undefined {
  let current = schema as ZodInternals | undefined;
  for (let guard = 0; current?._zod && guard < 32; guard++) {
    const def = current._zod.def;
    if (def.innerType) current = def.innerType as ZodInternals;
    else if (def.type === "pipe") current = def.in as ZodInternals;
    else if (def.type === "lazy" && def.getter) current = def.getter() as ZodInternals;
    else return current;
  }
  return current;
}

/** The schema that validates the value at `segments`, if the path is structurally known. */
export function schemaAt(root: z.ZodType, segments: readonly PathSegment[]): ZodInternals | undefined {
  let current = unwrap(root);
  for (const segment of segments) {
    const def = current?._zod.def;
    if (!def) return undefined;
    if (def.type === "object" && typeof segment === "string") current = unwrap(def.shape?.[segment]);
    else if (def.type === "record") current = unwrap(def.valueType);
    else if (def.type === "array" && typeof segment === "number") current = unwrap(def.element);
    else return undefined;
  }
  return current;
}

/** Keys an object schema at `segments` accepts (empty when it is not a fixed-shape object). */
export function knownKeysAt(root: z.ZodType, segments: readonly PathSegment[]): string[] {
  const def = schemaAt(root, segments)?._zod.def;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** One problem found in a config document. */
export interface ConfigIssue {
  /** `unknown_key`, `forbidden_key`, or zod's issue code (`invalid_type`, `too_small`, ...). */
  code: string;
  /** Rendered path, e.g. `agents.defaults.modle`. */
  path: string;
  /** Raw segments of `path`. */
  segments: PathSegment[];
  /** What is wrong, without the offending value (values may be secrets). */
  message: string;
  /** Rendered path of the closest known key, for unknown keys. */
  suggestion?: string;
}

/** Turn zod issues into path-first, value-free {@link ConfigIssue}s. */
export function toConfigIssues(root: z.ZodType, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const base = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(root, base);
      for (const key of issue.keys) {
        const segments = [...base, key];
        const near = closestKey(key, known);
        const suggestion = near === undefined ? undefined : formatConfigPath([...base, near]);
        out.push({
          code: "unknown_key",
          path: formatConfigPath(segments),
          segments,
          message: suggestion ? `unknown key; did you mean ${suggestion}?` : `unknown key (known here: ${known.join(", ") || "none"})`,
          ...(suggestion ? { suggestion } : {}),
        });
      }
    } else if (issue.code === "invalid_key") {
      const inner = issue.issues.map((i) => i.message).join("; ");
      out.push({ code: "invalid_key", path: formatConfigPath(base), segments: base, message: `invalid key: ${inner}` });
    } else {
      out.push({ code: issue.code, path: formatConfigPath(base), segments: base, message: issue.message });
    }
  }
  return out;
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Keys that could pollute prototypes when merged (`__proto__`, `constructor`, `prototype`).
 * JSON5 keeps them as own properties, so we look for them before anything copies the object.
 */
export function findForbiddenKeys(value: unknown, segments: PathSegment[] = [], out: ConfigIssue[] = []): ConfigIssue[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => findForbiddenKeys(item, [...segments, index], out));
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      const next = [...segments, key];
      if (FORBIDDEN.has(key)) {
        out.push({ code: "forbidden_key", path: formatConfigPath(next), segments: next, message: `the key "${key}" is not allowed` });
      } else {
        findForbiddenKeys((value as Record<string, unknown>)[key], next, out);
      }
    }
  }
  return out;
}

/** True for `__proto__`, `constructor` and `prototype`. */
export function isForbiddenKey(key: PathSegment): boolean {
  return typeof key === "string" && FORBIDDEN.has(key);
}
