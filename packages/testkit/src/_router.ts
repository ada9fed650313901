/**
 * Path routing for the emulator: patterns like `/v1/videos/:id` where `:name` captures
 * exactly one non-empty segment. Patterns compile once to a RegExp with named groups.
 */

/** A compiled route: the original definition plus its matcher. */
export interface CompiledRoute<T> {
  def: T;
  method: string | undefined;
  regex: RegExp;
  names: string[];
}

/** A successful match: the route and its decoded path parameters. */
export interface RouteMatch<T> {
  def: T;
  params: Record<string, string>;
}

/** Result of a lookup: a match, or why none (`not-found`, `method` = path known, wrong method). */
export type LookupResult<T> = { ok: true; match: RouteMatch<T> } | { ok: false; reason: "not-found" | "method"; allowed: string[] };

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split("/")
    .map((seg) => {
      if (seg.startsWith(":")) {
        names.push(seg.slice(1));
        return "([^/]+)";
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { regex: new RegExp(`^${source}/?$`), names };
}

/** An ordered table of routes; first registered wins. */
export class Router<T extends { pattern: string; method?: string }> {
  readonly #routes: CompiledRoute<T>[] = [];

  constructor(defs: readonly T[] = []) {
    for (const def of defs) this.add(def);
  }

  add(def: T): void {
    this.#routes.push({ def, method: def.method, ...compile(def.pattern) });
  }

  /** Finds the route for a method and path (method undefined = any, for WebSocket routes). */
  lookup(method: string | undefined, path: string): LookupResult<T> {
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (method !== undefined && route.method !== undefined && route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]!);
      });
      return { ok: true, match: { def: route.def, params } };
    }
    return { ok: false, reason: allowed.length > 0 ? "method" : "not-found", allowed };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** OpenAI's error envelope. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Builds OpenAI's error envelope `{error:{message,type,param,code}}`. */
export function openaiError(message: string, type = "invalid_request_error", code: string | null = null, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}
