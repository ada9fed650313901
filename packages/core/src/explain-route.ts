import { redactSecrets } from "./redact.js";
import type { Route } from "./route.js";

/** A route as plain JSON (what `genesis models route --json` prints), with `ready` added. */
export type RouteJson = Route & { ready: boolean };

/**
 * The route as JSON-safe data with a `ready` flag. Routes hold no credentials, but a base
 * URL from the environment or an `extraBody` might carry something secret-shaped, so every
 * string goes through `redactSecrets`.
 */
export function routeToJson(route: Route): RouteJson {
  return JSON.parse(redactSecrets(JSON.stringify({ ...route, ready: route.blockers.length === 0 }))) as RouteJson;
}

// Thousands separators by hand: toLocaleString would initialise ICU, ~20 ms of CPU on a cold start.
const number = (n: number | undefined) => (n === undefined ? "-" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","));
const onOff = (b: boolean) => (b ? "on" : "off");

function webSearchText(web: Route["webSearch"], endpointClass: Route["endpointClass"]): string {
  if (web.status === "pinned") return `pinned to ${web.provider}`;
  if (web.status === "off") return "off";
  return `native (tools.web.search.enabled${endpointClass === "native-codex" ? `, mode ${web.mode}` : ""})`;
}

function paramsText(params: Route["params"]): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return parts.length > 0 ? parts.join(" ") : "(none)";
}

/**
 * Render a route for people: one line per decision, the readiness status, then every
 * reason in the order it was decided. Deterministic, no colours.
 */
export function explainRoute(route: Route): string {
  const model = route.model;
  const rows: [string, string][] = [
    ["provider", route.provider],
    ["model", `${route.modelId} (${model.name}; ${model.source}${model.apiEnabled ? "" : "; not yet on the public API"})`],
    ["runtime", `${route.runtime} (${route.runtimeLabel})`],
    ["auth", route.authSource ? `${route.authKind} (${route.authSource})` : route.authKind],
    ["endpoint", `${route.endpointClass}  ${route.baseUrl || "(none)"}`],
    ["api", route.api],
    ["transport", route.transport],
    ["fast mode", onOff(route.fastMode)],
    ["service tier", route.serviceTier ?? "(not sent)"],
    ["context", `window ${number(route.contextWindow)}, tokens ${number(route.contextTokens)}`],
    ["overlays", `gpt5 ${onOff(route.overlays.gpt5)}, friendly ${onOff(route.overlays.friendly)}`],
    ["execution", route.executionContract],
    ["web search", webSearchText(route.webSearch, route.endpointClass)],
    ["params", paramsText(route.params)],
  ];
  const lines = [`Route for ${route.requestedRef}${route.requestedRef === route.ref ? "" : ` (as ${route.ref})`}`];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(14)}${value}`);
  if (route.blockers.length === 0) {
    lines.push("", "Status: ready");
  } else {
    lines.push("", "Status: not ready");
    for (const blocker of route.blockers) lines.push(`  ${blocker.code}: ${blocker.message}`, `    hint: ${blocker.hint}`);
  }
  lines.push("", "Why:");
  for (const reason of route.reasons) lines.push(`  ${reason.field} = ${reason.value}: ${reason.why}`);
  return redactSecrets(lines.join("\n"));
}
