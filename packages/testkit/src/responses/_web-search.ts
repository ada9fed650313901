/**
 * The Responses `web_search` hosted tool (spec `WebSearchTool` / `WebSearchToolCall`): when the
 * request offers the tool and the scripted turn asks for a search, the output gets one
 * `web_search_call` item (action `search`), preceded by the
 * `response.web_search_call.in_progress / searching / completed` events, before the text.
 * Like the real API, `action.sources` is only filled when the request's `include` lists
 * `web_search_call.action.sources`; the message text then carries `url_citation` annotations.
 */

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

/** The `include` value that asks for the sources of web search calls. */
export const SOURCES_INCLUDE = "web_search_call.action.sources";

/** The request's web search tool (`web_search` or a dated variant), if offered. */
export function webSearchTool(body: Dict): Dict | undefined {
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  return tools.find((t): t is Dict => isDict(t) && typeof t["type"] === "string" && t["type"].startsWith("web_search")) as Dict | undefined;
}

/** A scripted web search: the query and the pages it "found" (default: one example page). */
export interface ScriptedWebSearch {
  query: string;
  sources?: { url: string; title?: string }[];
}

/** Sources the request's `filters.allowed_domains` lets through (subdomains included). */
export function allowedSources(tool: Dict, sources: readonly { url: string; title?: string }[]): { url: string; title?: string }[] {
  const filters = isDict(tool["filters"]) ? tool["filters"] : undefined;
  const allowed = Array.isArray(filters?.["allowed_domains"]) ? (filters["allowed_domains"] as unknown[]).filter((d): d is string => typeof d === "string") : [];
  if (allowed.length === 0) return [...sources];
  return sources.filter((s) => {
    const host = new URL(s.url).hostname.toLowerCase();
    return allowed.some((d) => host === d.toLowerCase() || host.endsWith(`.${d.toLowerCase()}`));
  });
}

/** The finished `web_search_call` item. */
export function renderWebSearchCall(body: Dict, id: string, search: ScriptedWebSearch, sources: readonly { url: string }[]): Dict {
  const include = Array.isArray(body["include"]) ? (body["include"] as unknown[]) : [];
  const action: Dict = { type: "search", query: search.query, queries: [search.query] };
  if (include.includes(SOURCES_INCLUDE)) action["sources"] = sources.map((s) => ({ type: "url", url: s.url }));
  return { type: "web_search_call", id, status: "completed", action };
}

/** `url_citation` annotations for the sources, each pointing at the whole reply text. */
export function citations(text: string, sources: readonly { url: string; title?: string }[]): Dict[] {
  return sources.map((s) => ({ type: "url_citation", url: s.url, title: s.title ?? new URL(s.url).hostname, start_index: 0, end_index: text.length }));
}

/** Default sources when the script names none. */
export function defaultSources(query: string): { url: string; title: string }[] {
  return [{ url: `https://example.com/search?q=${encodeURIComponent(query)}`, title: `Example result for ${query}` }];
}
