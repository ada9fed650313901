import { it } from "vitest";
import { buildLifecycle } from "./responses/_lifecycle.js";
it("t", () => {
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const l = buildLifecycle({ model: "x", input: "benchmark", stream: true }, { text: "bench", events: 10000 }, { id: "resp_1", createdAt: 1 });
    times.push(performance.now() - t0);
    const parts: string[] = [];
    for (const f of l.frames) parts.push("event: ", f.type, "\ndata: ", f.json, "\n\n");
    parts.join("");
  }
  times.sort((a, b) => a - b);
  console.log("build median", times[15]!.toFixed(1), "min", times[0]!.toFixed(1));
});
