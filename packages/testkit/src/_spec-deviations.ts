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
  /** Property of that schema that the API also accepts as `null` (or as {@link SpecDeviation.accepts}). */
  property: string;
  /** JSON Schema of the extra values the API accepts for the property (default: `null`). */
  accepts?: Record<string, unknown>;
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
  {
    schema: "EditImageBodyJsonParam",
    property: "size",
    // The JSON edit body lists only the fixed sizes, while the same operation's multipart body
    // and the generation body take any string and document gpt-image-2's WIDTHxHEIGHT sizes;
    // the emulator checks the size per model after validation (resolveImageSize).
    accepts: { type: "string", pattern: "^\\d+x\\d+$" },
    reason: "gpt-image-2 takes arbitrary WIDTHxHEIGHT sizes on edits, as documented on the multipart edit and generation bodies",
  },
];

/** Widens the listed properties of `schemas` to also accept null or `accepts` (in place; absent schemas are skipped). */
export function applySpecDeviations(schemas: Record<string, unknown>, deviations: readonly SpecDeviation[] = SPEC_DEVIATIONS): void {
  for (const d of deviations) {
    const props = (schemas[d.schema] as { properties?: Record<string, unknown> } | undefined)?.properties;
    const original = props?.[d.property];
    if (!props || original === undefined) continue;
    props[d.property] = { anyOf: [original, d.accepts ?? { type: "null" }] };
  }
}
