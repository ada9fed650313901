import { afterEach, describe, expect, it, vi } from "vitest";
import { createLoginProgress } from "./login-progress.js";

afterEach(() => vi.useRealTimers());

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (c: string) => chunks.push(c) } };
}

describe("createLoginProgress", () => {
  it("animates a spinner with elapsed seconds on a TTY and clears it on stop", () => {
    vi.useFakeTimers();
    let now = 0;
    const { chunks, stream } = sink(true);
    const p = createLoginProgress(stream, "Waiting", { now: () => now });
    now = 2500;
    vi.advanceTimersByTime(300);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.at(-1)).toMatch(/^\r\x1b\[2K. Waiting \(2s, Ctrl-C to cancel\)$/);
    p.stop("Done");
    const count = chunks.length;
    vi.advanceTimersByTime(1000);
    expect(chunks.length).toBe(count);
    expect(chunks.slice(-2)).toEqual(["\r\x1b[2K", "Done\n"]);
  });

  it("prints one waiting line (no animation) when not a TTY", () => {
    vi.useFakeTimers();
    const { chunks, stream } = sink(false);
    const p = createLoginProgress(stream, "Waiting for approval");
    vi.advanceTimersByTime(5000);
    expect(chunks).toEqual(["Waiting for approval (Ctrl-C to cancel)\n"]);
    p.update("Still waiting");
    p.stop();
    p.stop();
    expect(chunks).toEqual(["Waiting for approval (Ctrl-C to cancel)\n", "Still waiting\n"]);
  });
});
