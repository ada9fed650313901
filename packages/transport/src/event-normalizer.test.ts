import type { StreamEvent } from "@genesis/core";
import { startEmulator } from "@genesis/testkit";
import { describe, expect, it } from "vitest";
import { BODY, collect, transportFor } from "./__fixtures__/harness.js";
import { EventNormalizer } from "./event-normalizer.js";

function run(events: Record<string, unknown>[]): { out: StreamEvent[]; n: EventNormalizer } {
  const n = new EventNormalizer("sse");
  const out: StreamEvent[] = [];
  for (const e of events) if (n.push(e, (x) => out.push(x))) break;
  return { out, n };
}

describe("EventNormalizer", () => {
  it("keys interleaved function-call argument deltas by item id", () => {
    const { out, n } = run([
      { type: "response.output_item.added", item: { type: "function_call", id: "fc_a", call_id: "call_a", name: "a" } },
      { type: "response.output_item.added", item: { type: "function_call", id: "fc_b", call_id: "call_b", name: "b" } },
      { type: "response.function_call_arguments.delta", item_id: "fc_a", delta: '{"x":', sequence_number: 3 },
      { type: "response.function_call_arguments.delta", item_id: "fc_b", delta: '{"y":2}', sequence_number: 4 },
      { type: "response.function_call_arguments.delta", item_id: "fc_a", delta: "1}", sequence_number: 5 },
    ]);
    expect(out.filter((e) => e.type === "tool_call.delta").map((e) => (e as { callId: string }).callId)).toEqual(["call_a", "call_b", "call_a"]);
    expect(n.partial().toolCalls.map((c) => [c.name, c.arguments, c.done])).toEqual([
      ["a", '{"x":1}', false],
      ["b", '{"y":2}', false],
    ]);
    expect(n.partial().lastSequenceNumber).toBe(5);
  });

  it("treats response.done (Codex) like completed and falls back to collected items when output is empty", () => {
    const item = { type: "message", id: "m1", content: [] };
    const { out } = run([
      { type: "response.output_item.done", item },
      { type: "response.done", response: { id: "r", status: "completed", output: [], usage: { input_tokens: 5, output_tokens: 1 } } },
    ]);
    expect(out.at(-1)).toMatchObject({ type: "response.done", status: "completed", output: [item], usage: { input: 5, output: 1, total: 6 } });
  });

  it("normalizes Chat-style usage (prompt_tokens) too", () => {
    const { out } = run([{ type: "response.completed", response: { id: "r", usage: { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens: 4, total_tokens: 14 } } }]);
    expect(out.find((e) => e.type === "usage")).toEqual({ type: "usage", usage: { input: 7, cacheRead: 3, output: 4, reasoning: 0, total: 14 } });
  });

  it("drops unknown events and records an error event", () => {
    const { out, n } = run([{ type: "response.web_search_call.searching" }, { type: "error", code: "bad", message: "nope" }]);
    expect(out).toEqual([]);
    expect(n.error).toMatchObject({ code: "bad", message: "nope" });
    expect(n.terminal).toBe(true);
  });

  it("carries compaction items into response.done over SSE and WebSocket alike", async () => {
    const emu = await startEmulator();
    try {
      const results = [];
      for (const mode of ["sse", "websocket"] as const) {
        emu.script({ text: "compacted", compaction: true });
        const t = transportFor(emu, { mode });
        const { events, error } = await collect(t.stream(BODY, { sessionId: "s" }));
        t.close();
        expect(error).toBeUndefined();
        const done = events.at(-1) as Extract<StreamEvent, { type: "response.done" }>;
        results.push(done.output.map((i) => i.type));
        expect(events.some((e) => e.type === "item.done" && e.item.type === "compaction")).toBe(true);
      }
      expect(results[0]).toEqual(results[1]);
      expect(results[0]).toContain("compaction");
    } finally {
      await emu.close();
    }
  });
});
