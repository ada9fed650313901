import { z } from "zod";
import type { ModelListResponse } from "../../protocol/v2/ModelListResponse.js";
import type { AppServerProcess } from "./app-server-process.js";

// Only the fields the tier lookup reads; anything else in the answer may change freely.
const modelListSchema = z.object({
  data: z.array(z.object({ id: z.string(), model: z.string(), serviceTiers: z.array(z.object({ id: z.string() })).nullish() })),
  nextCursor: z.string().nullish(),
});

// A server that keeps handing out cursors must not keep us paging forever.
const MAX_PAGES = 20;

/**
 * The service-tier ids each model of the app-server's catalog offers (`model/list`, hidden
 * models included), keyed by both its `id` and its `model`. `undefined` when the catalog cannot
 * be read (no `model/list`, an error, an answer of another shape, or endless paging): tiers are then unknown,
 * which is not the same as "none offered".
 */
export async function readModelTiers(proc: AppServerProcess): Promise<Map<string, readonly string[]> | undefined> {
  const tiers = new Map<string, readonly string[]>();
  try {
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = modelListSchema.parse(await proc.request<ModelListResponse>("model/list", { includeHidden: true, ...(cursor ? { cursor } : {}) }));
      for (const m of res.data) {
        const ids = (m.serviceTiers ?? []).map((t) => t.id);
        tiers.set(m.model, ids);
        tiers.set(m.id, ids);
      }
      cursor = res.nextCursor ?? null;
      if (!cursor) return tiers;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
