import { describe, expect, it } from "vitest";
import { estimateTokens, fitHistory } from "./context-budget.js";
import type { TranscriptItem } from "./turn-runner.js";

const user = (text: string): TranscriptItem => ({ type: "message", role: "user", content: text });
const call = (id: string): TranscriptItem => ({ type: "function_call", call_id: id, name: "get_time", arguments: "{}" } as TranscriptItem);
const output = (id: string): TranscriptItem => ({ type: "function_call_output", call_id: id, output: "x".repeat(400) } as TranscriptItem);
const compaction: TranscriptItem = { type: "compaction", id: "cmp_1", encrypted_content: "e".repeat(200) } as TranscriptItem;
const cost = (items: readonly TranscriptItem[]) => items.reduce((n, i) => n + estimateTokens(i), 0);

describe("fitHistory", () => {
  it("keeps everything that fits", () => {
    const history = [user("a"), call("c1"), output("c1")];
    expect(fitHistory(history, 10_000)).toEqual({ items: history, droppedTurns: 0, estimatedTokens: cost(history) });
  });

  it("drops whole turns oldest first (a call never loses its output) and stays within the budget", () => {
    const history = [user("one"), call("c1"), output("c1"), user("two"), call("c2"), output("c2"), user("three")];
    const budget = cost(history.slice(3)) + 5;
    const fitted = fitHistory(history, budget);
    expect(fitted.droppedTurns).toBe(1);
    expect(fitted.estimatedTokens).toBeLessThanOrEqual(budget);
    expect(fitted.items[0]).toMatchObject({ role: "developer", content: expect.stringMatching(/1 earlier turn/) });
    expect(fitted.items.slice(1)).toEqual(history.slice(3));
  });

  it("starts at the latest compaction item and keeps it even when later turns must go", () => {
    const history = [user("old"), output("c0"), compaction, user("after-1"), call("c1"), output("c1"), user("after-2")];
    const roomy = fitHistory(history, 10_000);
    expect(roomy.items).toEqual(history.slice(2));
    const tight = fitHistory(history, estimateTokens(compaction) + estimateTokens(history[6]!) + 2);
    expect(tight.items[0]).toBe(compaction);
    expect(tight.items.at(-1)).toEqual(user("after-2"));
    expect(tight.items.some((i) => (i as { call_id?: string }).call_id === "c1")).toBe(false);
    expect(tight.droppedTurns).toBe(1);
  });
});
