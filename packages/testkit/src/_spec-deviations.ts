/**
 * Where the live OpenAI API accepts request bodies that the published OpenAPI document forbids.
 * The emulator must accept what the real service accepts (otherwise real clients such as the
 * Codex binary cannot be tested with validation on), so each entry widens one property, and
 * only after it was observed from an OpenAI-made client that works against the real API.
 * Everything else the spec forbids is still rejected.
 */
export interface SpecDeviation {
  /** Component schema name in `components.schemas`. */
  schema: string;
  /** Property of that schema that the API also accepts as `null`. */
  property: string;
  /** Why: which real client sends it. */
  reason: string;
}

/** The allowances applied on top of the spec (README "Spec validation" lists them too). */
export const SPEC_DEVIATIONS: readonly SpecDeviation[] = [
  {
    schema: "ReasoningItem",
    property: "content",
    // codex-rs `ResponseItem::Reasoning { content: Option<Vec<_>> }` serializes `None` as null,
    // and Codex replays every reasoning item of the conversation on each turn with store=false.
    reason: "the Codex CLI / app-server replays reasoning input items with \"content\": null",
  },
];

/** Widens the listed properties of `schemas` to also accept null (in place; absent schemas are skipped). */
export function applySpecDeviations(schemas: Record<string, unknown>, deviations: readonly SpecDeviation[] = SPEC_DEVIATIONS): void {
  for (const d of deviations) {
    const props = (schemas[d.schema] as { properties?: Record<string, unknown> } | undefined)?.properties;
    const original = props?.[d.property];
    if (!props || original === undefined) continue;
    props[d.property] = { anyOf: [original, { type: "null" }] };
  }
}
