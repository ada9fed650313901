import type { ServiceTier } from "@genesis/core";

/**
 * What the Codex harness does with a route's `service_tier` (fast mode maps to `priority`).
 *
 * Codex takes a tier id on `thread/start`, `thread/resume` and `turn/start` (`serviceTier`) and
 * decides itself what goes on the Responses wire. Measured against the pinned @openai/codex
 * 0.169.0 binary (see codex-service-tier.test.ts):
 * - `"priority"` (Codex's "Fast" tier; the legacy id `"fast"` means the same) reaches the wire
 *   as `service_tier: "priority"` ONLY for models whose Codex catalog entry (`model/list`,
 *   `serviceTiers`) offers it; for any other model Codex drops it silently.
 * - `"flex"` reaches the wire as `service_tier: "flex"` for every model.
 * - `"default"` is Codex's standard speed: accepted, but no `service_tier` is sent.
 * - `"auto"` and unknown ids are dropped; `null` on `turn/start` clears an earlier tier.
 */
export interface CodexServiceTierPlan {
  /** The Genesis/OpenAI tier the route asks for; absent when none (fast mode off, proxy...). */
  requested?: ServiceTier;
  /** The tier id handed to Codex. Always set, so a `/fast off` clears an earlier `priority`. */
  codexTier: string;
  /** What the Responses request will carry as `service_tier`; absent when nothing is sent. */
  sent?: ServiceTier;
  /**
   * Why the wire differs from {@link requested} (or that it could not be confirmed yet).
   * Absent when the request goes out exactly as asked, or when nothing was asked.
   */
  note?: string;
}

/** Codex's id of its priority-processing ("Fast") tier, as listed by `model/list`. */
export const CODEX_PRIORITY_TIER = "priority";
/** Codex's id of its standard tier; it sends no `service_tier` for it. */
export const CODEX_DEFAULT_TIER = "default";

/**
 * Plan the tier for one Codex turn.
 * @param requested the route's `serviceTier` (core already dropped it for non-native endpoints).
 * @param model the wire model id, for the notes.
 * @param modelTiers the tier ids Codex's catalog offers for `model` (`[]` when the model is not
 *   in it); `undefined` when they are not known (yet), which only matters for `priority`.
 */
export function planCodexServiceTier(
  requested: ServiceTier | undefined,
  model: string,
  modelTiers: readonly string[] | undefined,
): CodexServiceTierPlan {
  // "default" pins Codex to standard speed, so a catalog default tier cannot switch fast mode on.
  if (!requested) return { codexTier: CODEX_DEFAULT_TIER };
  switch (requested) {
    case "flex":
      return { requested, codexTier: "flex", sent: "flex" };
    case "priority":
      if (modelTiers?.includes(CODEX_PRIORITY_TIER)) return { requested, codexTier: CODEX_PRIORITY_TIER, sent: "priority" };
      if (modelTiers === undefined) {
        return { requested, codexTier: CODEX_PRIORITY_TIER, note: `unconfirmed: Codex sends priority only for models its catalog offers it for, and that catalog has not been read for ${model}` };
      }
      return { requested, codexTier: CODEX_PRIORITY_TIER, note: `not sent: the Codex app-server offers no priority (Fast) tier for ${model}` };
    case "default":
      return { requested, codexTier: CODEX_DEFAULT_TIER, note: "not sent: Codex runs its default tier without a service_tier field, so the API applies the project default" };
    case "auto":
      return { requested, codexTier: CODEX_DEFAULT_TIER, note: "not sent: Codex has no auto tier; without a service_tier field the API applies auto itself" };
  }
}
