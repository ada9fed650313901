import type { StreamEvent } from "@genesis/core";
import { startEmulator } from "@genesis/testkit";
import { AbortError } from "../errors.js";
import { createResponsesTransport, type ResponsesTransportOptions } from "../responses-transport.js";
import type { ResponseStream } from "../stream.js";

/** An emulator instance (type derived so tests need not name testkit internals). */
export type Emu = Awaited<ReturnType<typeof startEmulator>>;

export const API_KEY = "sk-test-canary-0123456789abcdef";

/** A sleep that records each requested delay and returns at once (still honours abort). */
export function recordingSleep(): { delays: number[]; sleep: NonNullable<ResponsesTransportOptions["sleep"]> } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms, signal) => {
      delays.push(ms);
      if (signal?.aborted) throw new AbortError();
    },
  };
}

/** A transport against the emulator's /v1 with fast defaults for tests. */
export function transportFor(emu: Emu, options: Partial<ResponsesTransportOptions> = {}) {
  return createResponsesTransport({
    baseUrl: emu.apiBase,
    headers: () => ({ Authorization: `Bearer ${API_KEY}` }),
    heartbeatMs: 0,
    ...options,
  });
}

/** Drain a stream: every event delivered, and the error it ended with (if any). */
export async function collect(stream: ResponseStream): Promise<{ events: StreamEvent[]; error: unknown }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** Concatenated text deltas of `events`. */
export function textOf(events: StreamEvent[]): string {
  let text = "";
  for (const e of events) if (e.type === "text.delta") text += e.delta;
  return text;
}

export const BODY = { model: "gpt-5.4", input: "hello there" };
