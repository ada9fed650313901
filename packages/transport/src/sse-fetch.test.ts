import { startEmulator } from "@genesis/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_KEY, BODY, collect, recordingSleep, textOf, transportFor, type Emu } from "./__fixtures__/harness.js";
import { ApiError, RedirectError, StreamIdleTimeoutError, StreamIncompleteError, StreamInterruptedError } from "./errors.js";

// The same SSE rules when the caller injects `fetch` instead of the default node:http client.

let emu: Emu;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.close();
});

let calls = 0;
const countingFetch: typeof fetch = (input, init) => {
  calls++;
  expect(init?.redirect).toBe("manual");
  return fetch(input, init);
};
const sse = (extra: Parameters<typeof transportFor>[1] = {}) => transportFor(emu, { mode: "sse", fetch: countingFetch, ...extra });

describe("SSE over an injected fetch", () => {
  it("streams a turn through the injected fetch with the same request shape", async () => {
    calls = 0;
    emu.script({ text: "via fetch" });
    const { events, error } = await collect(sse().stream(BODY, { sessionId: "s", turnId: "t" }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe("via fetch");
    expect(calls).toBe(1);
    const [req] = emu.requests;
    expect(req).toMatchObject({ method: "POST", path: "/v1/responses", body: { ...BODY, stream: true } });
    expect(req!.headers).toMatchObject({ session_id: "s", "x-client-request-id": "t", "x-genesis-attempt": "0" });
    expect(emu.authHeaderOf(req!.id)).toBe(`Bearer ${API_KEY}`);
  });

  it("retries a 503 and reports the final status", async () => {
    emu.fault({ kind: "http-status", status: 503, times: 3 });
    const { sleep } = recordingSleep();
    const { error } = await collect(sse({ sleep }).stream(BODY, { sessionId: "s" }));
    expect((error as ApiError).status).toBe(503);
    expect(emu.requests).toHaveLength(3);
  });

  it("refuses a cross-origin redirect", async () => {
    emu.fault({ kind: "http-status", status: 307, headers: { location: `http://localhost:${emu.port}/v1/responses` } });
    const { error } = await collect(sse().stream(BODY, { sessionId: "s" }));
    expect(error).toBeInstanceOf(RedirectError);
    expect(emu.requests).toHaveLength(1);
  });

  it("types a dropped socket, a missing terminal event and an idle stall", async () => {
    emu.fault({ kind: "stall", afterEvents: 3, ms: 100 });
    emu.fault({ kind: "sse-destroy", afterEvents: 4 });
    expect((await collect(sse().stream(BODY, { sessionId: "s" }))).error).toBeInstanceOf(StreamInterruptedError);
    emu.fault({ kind: "sse-no-terminal" });
    expect((await collect(sse().stream(BODY, { sessionId: "s" }))).error).toBeInstanceOf(StreamIncompleteError);
    emu.fault({ kind: "stall", afterEvents: 2, ms: 3000 });
    expect((await collect(sse({ idleTimeoutMs: 150 }).stream(BODY, { sessionId: "s" }))).error).toBeInstanceOf(StreamIdleTimeoutError);
  });
});
