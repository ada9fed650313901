import JSON5 from "json5";
import { ValidationError } from "./errors.js";
import { formatConfigPath, isForbiddenKey, type PathSegment } from "./_config-issues.js";

/**
 * Config paths as users type them: dotted words plus bracketed keys and indexes,
 * e.g. `agents.defaults.models["openai/gpt-5.4"].params.fastMode`,
 * `agents.defaults.models['openai/gpt-5.4']`, `tools.media.audio.models[0].model`.
 */

const WORD = /[A-Za-z0-9_$-]/;

function pathError(path: string, why: string): ValidationError {
  return new ValidationError(`Invalid config path "${path}": ${why}`, {
    code: "config_path_invalid",
    path,
    hint: 'Use dotted keys, and brackets for keys with dots or slashes: agents.defaults.models["openai/gpt-5.4"].params.fastMode',
  });
}

/**
 * Split a path into segments. Numbers appear only for `[n]` indexes.
 * @throws ValidationError (code `config_path_invalid`) for malformed paths and for
 *   `__proto__` / `constructor` / `prototype` segments.
 */
export function parseConfigPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const expectWord = () => {
    const start = i;
    while (i < path.length && WORD.test(path[i]!)) i++;
    if (i === start) throw pathError(path, `expected a key at position ${start + 1}`);
    segments.push(path.slice(start, i));
  };
  if (path.trim() === "") throw pathError(path, "the path is empty");
  if (path[0] !== "[") expectWord();
  while (i < path.length) {
    const ch = path[i];
    if (ch === ".") {
      i++;
      expectWord();
    } else if (ch === "[") {
      i++;
      const quote = path[i];
      if (quote === '"' || quote === "'") {
        i++;
        let key = "";
        while (i < path.length && path[i] !== quote) {
          if (path[i] === "\\" && i + 1 < path.length) i++;
          key += path[i];
          i++;
        }
        if (path[i] !== quote) throw pathError(path, "unterminated quoted key");
        i++;
        segments.push(key);
      } else {
        const start = i;
        while (i < path.length && /[0-9]/.test(path[i]!)) i++;
        if (i === start) throw pathError(path, 'brackets need a quoted key ["..."] or an index [0]');
        segments.push(Number(path.slice(start, i)));
      }
      if (path[i] !== "]") throw pathError(path, `expected "]" at position ${i + 1}`);
      i++;
    } else {
      throw pathError(path, `unexpected "${ch}" at position ${i + 1}`);
    }
  }
  const bad = segments.find(isForbiddenKey);
  if (bad !== undefined) throw pathError(path, `the key "${String(bad)}" is not allowed`);
  return segments;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

function child(container: unknown, segment: PathSegment): unknown {
  if (Array.isArray(container)) return typeof segment === "number" ? container[segment] : undefined;
  if (isContainer(container) && typeof segment === "string" && Object.hasOwn(container, segment)) {
    return (container as Record<string, unknown>)[segment];
  }
  return undefined;
}

/** The value at `segments`, or undefined when any step is missing. */
export function getConfigValue(document: unknown, segments: readonly PathSegment[]): unknown {
  let current = document;
  for (const segment of segments) {
    current = child(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Deep copy of plain JSON data, so edits never touch the caller's document. */
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A copy of `document` with `value` placed at `segments`; missing objects on the way are
 * created (arrays only through an existing array, at an index up to its length).
 * @throws ValidationError when a step goes through a non-object value.
 */
export function setConfigValue(document: unknown, segments: readonly PathSegment[], value: unknown): Record<string, unknown> {
  if (segments.length === 0) throw new ValidationError("Refusing to replace the whole config", { code: "config_path_invalid" });
  const root: Record<string, unknown> = isContainer(document) && !Array.isArray(document) ? clone(document) : {};
  let current: Container = root;
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k]!;
    const last = k === segments.length - 1;
    const where = formatConfigPath(segments.slice(0, k + 1));
    if (Array.isArray(current)) {
      if (typeof segment !== "number" || segment > current.length) {
        throw new ValidationError(`Cannot set ${where}: expected an index up to ${current.length}`, { code: "config_path_invalid", path: where });
      }
    } else if (typeof segment === "number") {
      throw new ValidationError(`Cannot set ${where}: the value there is not a list`, { code: "config_path_invalid", path: where });
    }
    const bag = current as Record<string | number, unknown>;
    if (last) {
      bag[segment] = clone(value);
    } else {
      const next = bag[segment];
      if (next === undefined) bag[segment] = {};
      else if (!isContainer(next)) {
        throw new ValidationError(`Cannot set below ${where}: it holds a ${typeof next}, not an object`, { code: "config_path_invalid", path: where });
      }
      current = bag[segment] as Container;
    }
  }
  return root;
}

/**
 * A copy of `document` without the value at `segments`. Objects left empty by the removal
 * are removed too, so `unset` does not leave `{ params: {} }` litter behind.
 * @returns `removed: false` when nothing was there.
 */
export function unsetConfigValue(document: unknown, segments: readonly PathSegment[]): { document: Record<string, unknown>; removed: boolean } {
  const root: Record<string, unknown> = isContainer(document) && !Array.isArray(document) ? clone(document) : {};
  if (segments.length === 0 || getConfigValue(root, segments) === undefined) return { document: root, removed: false };
  const chain: Container[] = [root];
  for (const segment of segments.slice(0, -1)) chain.push(child(chain[chain.length - 1], segment) as Container);
  for (let k = segments.length - 1; k >= 0; k--) {
    const parent = chain[k]!;
    const segment = segments[k]!;
    if (Array.isArray(parent)) parent.splice(segment as number, 1);
    else delete parent[segment as string];
    const emptied = Array.isArray(parent) ? parent.length === 0 : Object.keys(parent).length === 0;
    if (k === 0 || !emptied || Array.isArray(parent)) break;
  }
  return { document: root, removed: true };
}

/**
 * Parse a CLI value as a JSON5 literal (`true`, `120000`, `"x"`, `{a: 1}`, `[1, 2]`).
 * Text that is not valid JSON5 is taken as a plain string, so `config set ... off` works.
 */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}
