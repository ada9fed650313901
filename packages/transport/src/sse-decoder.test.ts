import type { StreamEvent } from "@genesis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TransportContext } from "./_context.js";
import { SseDecoder, type SseMessage } from "./sse-decoder.js";
import { readSseBody } from "./_sse-read.js";
import { StreamIncompleteError, StreamParseError } from "./errors.js";
import { ResponseStream } from "./stream.js";

// Property P1 (reliability §1 item 17, item 13): any byte split of a valid stream yields the
// same events; a last event without its blank line is delivered, never silently dropped.

const enc = new TextEncoder();

const textArb = fc.string({ unit: fc.constantFrom("a", "é", "日", "🌍", " ", "\\", '"', "ß", "x", "€") });
const eventArb = fc.record({ name: fc.constantFrom(undefined, "response.output_text.delta", "error"), text: textArb });

interface StreamShape {
  events: { name: string | undefined; text: string }[];
  eol: "\n" | "\r\n" | "\r";
  comments: boolean;
  trailingBlank: boolean;
}

const streamArb: fc.Arbitrary<StreamShape> = fc.record({
  events: fc.array(eventArb, { minLength: 1, maxLength: 8 }),
  eol: fc.constantFrom("\n" as const, "\r\n" as const, "\r" as const),
  comments: fc.boolean(),
  trailingBlank: fc.boolean(),
});

function render(shape: StreamShape): { bytes: Uint8Array; expected: SseMessage[] } {
  const { eol } = shape;
  let out = "";
  const expected: SseMessage[] = [];
  shape.events.forEach((ev, i) => {
    const data = JSON.stringify({ type: "x", i, text: ev.text });
    if (shape.comments) out += `: keep-alive${eol}`;
    if (ev.name) out += `event: ${ev.name}${eol}`;
    out += `data: ${data}${eol}`;
    const last = i === shape.events.length - 1;
    if (!last || shape.trailingBlank) out += eol;
    expected.push({ event: ev.name, data });
  });
  return { bytes: enc.encode(out), expected };
}

function decode(bytes: Uint8Array, cuts: number[]): SseMessage[] {
  const got: SseMessage[] = [];
  const decoder = new SseDecoder((m) => got.push({ event: m.event, data: m.data }));
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.push(bytes.subarray(at, cut));
    at = cut;
  }
  decoder.end();
  return got;
}

const cutsArb = (len: number) => fc.uniqueArray(fc.integer({ min: 0, max: len }), { maxLength: 12 }).map((a) => a.sort((x, y) => x - y));

describe("SseDecoder (property P1)", () => {
  it("any byte split (inside UTF-8 sequences, between CR and LF) yields the same events as the whole", () => {
    fc.assert(
      fc.property(
        streamArb.chain((shape) => {
          const rendered = render(shape);
          return fc.tuple(fc.constant(rendered), cutsArb(rendered.bytes.length));
        }),
        ([{ bytes, expected }, cuts]) => {
          expect(decode(bytes, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("splits every byte apart (worst case) for a CRLF stream with 4-byte characters", () => {
    const { bytes, expected } = render({ events: [{ name: "e", text: "🌍€日" }, { name: undefined, text: "é" }], eol: "\r\n", comments: true, trailingBlank: false });
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(decode(bytes, cuts)).toEqual(expected);
  });
});

describe("SseDecoder event-stream rules", () => {
  it("strips a BOM, joins multi-line data, ignores id/retry/unknown fields and skips data-less messages", () => {
    const text =
      "\uFEFFid: 7\nretry: 100\nevent: a\n\n" + // no data: not dispatched
      "event: a\ndata: one\ndata:two\ndata\nfoo: bar\n\n" +
      "event:b\ndata:  lead\n\n" + // only one space after the colon is dropped
      "event: c\ndata: x\n\n" + // same length as "b": the name cache must compare bytes, not lengths
      "data: plain\n\n";
    const bytes = enc.encode(text);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const expected = [
      { event: "a", data: "one\ntwo\n" },
      { event: "b", data: " lead" },
      { event: "c", data: "x" },
      { event: undefined, data: "plain" },
    ];
    expect(decode(bytes, [])).toEqual(expected);
    expect(decode(bytes, cuts)).toEqual(expected);
  });
});

function ctx(): TransportContext {
  return { idleTimeoutMs: 10_000, now: Date.now } as TransportContext;
}

function terminalStream(eol: string, trailingBlank: boolean): string {
  const lines = [
    `event: response.created${eol}data: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "r1" } })}${eol}${eol}`,
    `data: ${JSON.stringify({ type: "response.output_text.delta", sequence_number: 1, item_id: "m", delta: "héllo 🌍" })}${eol}${eol}`,
    `data: ${JSON.stringify({ type: "response.completed", sequence_number: 2, response: { id: "r1", status: "completed", output: [] } })}${eol}`,
  ];
  return lines.join("") + (trailingBlank ? eol : "");
}

async function readChunks(chunks: Uint8Array[]): Promise<{ events: StreamEvent[]; error: unknown }> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const stream = new ResponseStream((sink, signal) => readSseBody(ctx(), { status: 200, ok: true, headers: new Headers(), reader: () => body.getReader() }, sink, new AbortController(), signal, undefined, []));
  const events: StreamEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(at, cut));
    at = cut;
  }
  return out;
}

describe("SseDecoder chunking", () => {
  it("strips a BOM whose bytes arrive one at a time", () => {
    const bytes = enc.encode("\ufeffdata: {\"a\":1}\n\n");
    expect(decode(bytes, [1, 2, 3])).toEqual([{ event: undefined, data: '{"a":1}' }]);
  });

  it("joins an 8 MiB line sent in 1 KiB chunks once, not once per chunk", () => {
    const big = "x".repeat(8 * 1024 * 1024);
    const bytes = enc.encode(`event: big\ndata: "${big}"\n\n`);
    const cuts: number[] = [];
    for (let at = 1024; at < bytes.length; at += 1024) cuts.push(at);
    const start = performance.now();
    const got = decode(bytes, cuts);
    // Re-joining the carried text on every chunk would copy ~32 GiB here and take minutes.
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(got).toHaveLength(1);
    expect(got[0]!.event).toBe("big");
    expect(got[0]!.data.length).toBe(big.length + 2);
  });
});

describe("readSseBody end of stream (item 13)", () => {
  it("a terminal event without the trailing blank line is delivered, under any split", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("\n", "\r\n"), fc.boolean(), fc.integer({ min: 0, max: 1_000_000 }), async (eol, blank, seed) => {
        const bytes = enc.encode(terminalStream(eol, blank));
        const cuts = [...new Set([seed % bytes.length, (seed >> 3) % bytes.length, (seed >> 7) % bytes.length])].sort((a, b) => a - b);
        const { events, error } = await readChunks(split(bytes, cuts));
        expect(error).toBeUndefined();
        expect(events.map((e) => e.type)).toEqual(["response.started", "text.delta", "response.done"]);
        expect(events[1]).toMatchObject({ delta: "héllo 🌍" });
      }),
      { numRuns: 150 },
    );
  });

  it("a stream truncated at any byte either completes or raises a typed error; it never ends silently", async () => {
    const bytes = enc.encode(terminalStream("\r\n", true));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length }), async (end) => {
        const { events, error } = await readChunks([bytes.subarray(0, end)]);
        const done = events.some((e) => e.type === "response.done");
        if (!done) expect(error instanceof StreamIncompleteError || error instanceof StreamParseError).toBe(true);
        else expect(error).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
