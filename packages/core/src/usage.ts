/**
 * Token usage normalized across transports and API families.
 * `input` excludes cached tokens; `cacheRead` counts them; `total` is what the server reported
 * (or input + cacheRead + output when it did not).
 */
export interface Usage {
  input: number;
  cacheRead: number;
  output: number;
  reasoning: number;
  total: number;
}

/** An all-zero {@link Usage}. */
export function emptyUsage(): Usage {
  return { input: 0, cacheRead: 0, output: 0, reasoning: 0, total: 0 };
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

/**
 * Normalize a Responses (`input_tokens`) or Chat Completions (`prompt_tokens`) usage object.
 * OpenAI counts cached tokens inside the input figure, so they are subtracted out.
 */
export function normalizeUsage(raw: unknown): Usage {
  if (typeof raw !== "object" || raw === null) return emptyUsage();
  const u = raw as Record<string, any>;
  const promptTotal = num(u.input_tokens ?? u.prompt_tokens);
  const cached = num((u.input_tokens_details ?? u.prompt_tokens_details)?.cached_tokens);
  const output = num(u.output_tokens ?? u.completion_tokens);
  const reasoning = num((u.output_tokens_details ?? u.completion_tokens_details)?.reasoning_tokens);
  const cacheRead = Math.min(cached, promptTotal);
  const total = num(u.total_tokens) || promptTotal + output;
  return { input: promptTotal - cacheRead, cacheRead, output, reasoning, total };
}

/** Sum two usages (for multi-step turns). */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    cacheRead: a.cacheRead + b.cacheRead,
    output: a.output + b.output,
    reasoning: a.reasoning + b.reasoning,
    total: a.total + b.total,
  };
}
