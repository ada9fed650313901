/** Edit distance (insert, delete, substitute), early-exiting past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Up to `max` candidates close to `query`: exact case-insensitive matches, then ones that
 * contain it (or it contains them), then small edit distances, nearest first.
 */
export function closeMatches(query: string, candidates: readonly string[], max = 3): string[] {
  const q = query.toLowerCase();
  const limit = Math.max(2, Math.floor(q.length / 3));
  const scored: { value: string; score: number }[] = [];
  for (const value of new Set(candidates)) {
    const c = value.toLowerCase();
    let score: number;
    if (c === q) score = 0;
    else if (c.includes(q) || q.includes(c)) score = 0.5;
    else score = distance(q, c, limit);
    if (score <= limit) scored.push({ value, score });
  }
  // Ties go to the candidate closest in length (a prefix of "openai" beats "azure-openai-...").
  const gap = (value: string) => Math.abs(value.length - q.length);
  return scored
    .sort((x, y) => x.score - y.score || gap(x.value) - gap(y.value) || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .slice(0, max)
    .map((s) => s.value);
}
