import { providerConfig, type RouteAuth, type RouteConfig } from "./_route-config.js";
import { defaultCatalog, synthesizeEntry, type CatalogEntry, type ModelCatalog } from "./catalog.js";

/** One model a provider's live listing (e.g. `GET /v1/models`) returned. */
export interface LiveModel {
  provider: string;
  id: string;
  /**
   * When the listing reports one (the Codex backend does; `/v1/models` does not). Upstream
   * metadata beats the built-in figure; only a config `contextWindow` beats it.
   */
  contextWindow?: number;
  /** Display name from the listing; used for rows the catalog does not know. */
  name?: string;
  ownedBy?: string;
}

/**
 * How a row relates to live discovery: `listed` (the server lists it), `missing` (the
 * server omitted it), `recovered` (omitted, but the provider's recovery hook vouched for
 * it), `live-only` (listed but not in the catalog). Absent when that provider was not
 * queried.
 */
export type LiveStatus = "listed" | "missing" | "recovered" | "live-only";

/** A catalog row annotated with live discovery. */
export type ModelListRow = CatalogEntry & { live?: LiveStatus };

/**
 * Merge a live model listing into catalog rows. Only providers that appear in `live` are
 * annotated, so merging one provider's listing leaves the others untouched. A listed row
 * takes the listing's context window (unless config sets one) and counts as served by the
 * API (`apiEnabled: true`: the server offers it to these credentials). Rows that discovery
 * omitted go through the catalog's recovery hook (with `config` and `auth`) before being
 * marked `missing`; listed ids the catalog lacks are appended as `live-only` rows.
 */
export function mergeLiveModels(
  rows: readonly CatalogEntry[],
  live: readonly LiveModel[],
  options: { catalog?: ModelCatalog; config?: RouteConfig; auth?: RouteAuth } = {},
): ModelListRow[] {
  const catalog = options.catalog ?? defaultCatalog();
  const queried = new Set(live.map((m) => m.provider));
  const listed = new Map(live.map((m) => [`${m.provider}/${m.id}`, m]));
  const out: ModelListRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row.ref);
    if (!queried.has(row.provider)) {
      out.push({ ...row });
      continue;
    }
    const hit = listed.get(row.ref);
    if (hit) {
      const listedRow: ModelListRow = { ...row, apiEnabled: true, live: "listed" };
      const fromConfig = providerConfig(options.config, row.provider)?.models.find((m) => m.id === row.id)?.contextWindow;
      if (hit.contextWindow !== undefined && fromConfig === undefined) listedRow.contextWindow = hit.contextWindow;
      if (!row.apiEnabled) listedRow.note = `The live ${row.provider} model listing includes it, so it is served by the API.`;
      out.push(listedRow);
      continue;
    }
    const recovered = catalog.recover({ provider: row.provider, modelId: row.id, config: options.config, auth: options.auth });
    out.push(recovered ? { ...recovered, configured: row.configured, live: "recovered" } : { ...row, live: "missing" });
  }
  for (const model of live) {
    const ref = `${model.provider}/${model.id}`;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const row: ModelListRow = { ...synthesizeEntry(model.provider, model.id, "live"), live: "live-only" };
    if (model.contextWindow !== undefined) row.contextWindow = model.contextWindow;
    if (model.name) row.name = model.name;
    out.push(row);
  }
  return out;
}
