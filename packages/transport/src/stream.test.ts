import { getEventListeners } from "node:events";
import type { StreamEvent } from "@genesis/core";
import { describe, expect, it } from "vitest";
import { AbortError, StreamIncompleteError, StreamInterruptedError } from "./errors.js";
import { ResponseStream } from "./stream.js";

// ResponseStream is the consumer-facing queue; these cases drive it with in-process producers.
// The network paths that feed it are tested against the emulator in the *-client tests.

const delta = (d: string): StreamEvent => ({ type: "text.delta", itemId: "m", delta: d });

describe("ResponseStream", () => {
  it("delivers queued events before the error that ended the stream", async () => {
    const s = new ResponseStream(async (sink) => {
      sink.push(delta("a"));
      sink.push(delta("b"));
      throw new StreamInterruptedError("cut", {});
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of s) if (e.type === "text.delta") seen.push(e.delta);
      })(),
    ).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(seen).toEqual(["a", "b"]);
  });

  it("tee() hands an error to both branches", async () => {
    const s = new ResponseStream(async (sink) => {
      sink.push(delta("x"));
      throw new StreamInterruptedError("cut", {});
    });
    const [a, b] = s.tee();
    await expect(a.finalResponse()).rejects.toBeInstanceOf(StreamInterruptedError);
    await expect(b.finalResponse()).rejects.toBeInstanceOf(StreamInterruptedError);
  });

  it("finalResponse() without a response.done raises StreamIncompleteError", async () => {
    const s = new ResponseStream(async (sink) => sink.push(delta("x")));
    await expect(s.finalResponse()).rejects.toBeInstanceOf(StreamIncompleteError);
  });

  it("an already-aborted signal never starts the producer", async () => {
    let started = false;
    const s = new ResponseStream(
      async () => {
        started = true;
      },
      { signal: AbortSignal.abort() },
    );
    await expect(s.finalResponse()).rejects.toBeInstanceOf(AbortError);
    expect(started).toBe(false);
  });

  it("removes its abort listener from the caller's signal when done", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) {
      const s = new ResponseStream(async (sink) => sink.push(delta("x")), { signal: controller.signal });
      for await (const _ of s) void _;
    }
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("applies backpressure: the producer waits while the consumer lags", async () => {
    let produced = 0;
    const s = new ResponseStream(async (sink) => {
      for (let i = 0; i < 20_000; i++) {
        sink.push(delta("x"));
        produced++;
        const room = sink.room();
        if (room) await room;
      }
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(produced).toBeLessThan(20_000);
    let n = 0;
    for await (const _ of s) n++;
    expect(n).toBe(20_000);
  });
});
