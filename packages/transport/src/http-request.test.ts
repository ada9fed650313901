import { createServer, type Server } from "node:http";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError, AuthenticationError, ConnectionError, RateLimitError, RedirectError, UsageLimitError } from "./errors.js";
import { createGuardedFetch } from "./guarded-fetch.js";
import { joinUrl, sendRequest } from "./http-request.js";
import { SsrfBlockedError } from "./ssrf-guard.js";

const KEY = "sk-http-request-test-0123456789";
/** A caller secret with no well-known shape: only the `secrets` list can catch it. */
const SIGNED = "plainSignature4242xyz";
let emu: Emulator;
const delays: number[] = [];
const sleep = async (ms: number) => {
  delays.push(ms);
};

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  delays.length = 0;
});

const json = (body: unknown) => ({ method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("joinUrl", () => {
  it("joins with exactly one slash", () => {
    expect(joinUrl("https://x.test/v1/", "/embeddings")).toBe("https://x.test/v1/embeddings");
    expect(joinUrl("https://x.test/v1", "embeddings")).toBe("https://x.test/v1/embeddings");
  });
});

describe("sendRequest", () => {
  it("sends a JSON body once and returns the unread response", async () => {
    const res = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "hi" }), { sleep });
    const body = (await res.json()) as { data: { embedding: number[] }[] };
    expect(body.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(emu.requests).toHaveLength(1);
    expect(emu.requests[0]).toMatchObject({ method: "POST", path: "/v1/embeddings", body: { model: "text-embedding-3-small", input: "hi" } });
  });

  it("sends FormData as multipart with its boundary", async () => {
    const form = new FormData();
    form.set("model", "gpt-image-2");
    form.set("prompt", "glass");
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108020000009077053e0000000c4944415408d763f8ffff3f0005fe02fea7d6a0a40000000049454e44ae426082", "hex");
    form.append("image[]", new Blob([png], { type: "image/png" }), "ref.png");
    const res = await sendRequest(joinUrl(emu.apiBase, "/images/edits"), { method: "POST", headers: { authorization: `Bearer ${KEY}` }, body: form }, { sleep });
    expect(res.status).toBe(200);
    const rec = emu.requests[0]!;
    expect(rec.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(rec.body).toMatchObject({ fields: { model: "gpt-image-2", prompt: "glass" }, files: [{ field: "image[]", filename: "ref.png", contentType: "image/png", size: png.length }] });
  });

  it("retries a 429 after the server's retry-after, then succeeds", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1500", times: 1 });
    const res = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "x" }), { sleep });
    expect(res.ok).toBe(true);
    expect(delays).toEqual([1500]);
    expect(emu.requests).toHaveLength(2);
  });

  it("gives up after maxRetries with a typed RateLimitError", async () => {
    emu.fault({ kind: "rate-limit", retryAfter: "1", times: 5 });
    const error = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "x" }), { sleep, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(emu.requests).toHaveLength(2);
  });

  it("does not retry a plan usage limit: one request, a typed UsageLimitError with plan and reset", async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 600;
    emu.fault({ kind: "usage-limit", planType: "plus", resetsAt, times: 3 });
    const error = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "x" }), { sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect(error).toMatchObject({ code: "usage_limit", status: 429, plan: "plus", resetsAt });
    expect(emu.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("an endless error page neither holds a retry back nor the final error", async () => {
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits++;
      res.writeHead(503, { "content-type": "text/html" });
      const chunk = "<p>busy</p>".repeat(1000);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/embeddings`;
      const error = await sendRequest(url, json({ input: "x" }), { sleep, maxRetries: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 503 });
      expect(hits).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("does not retry a 400 and keeps the server's message", async () => {
    const error = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small" }), { sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as Error).message).toMatch(/input/);
    expect(emu.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("turns 401 into AuthenticationError without the key anywhere", async () => {
    const local = await startEmulator({ apiKeys: ["sk-the-only-good-key"] });
    try {
      const error = await sendRequest(joinUrl(local.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "x" }), { sleep, secrets: [KEY] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(`${(error as Error).message} ${inspect(error, { depth: 5 })}`).not.toContain(KEY);
    } finally {
      await local.close();
    }
  });

  it("never follows a redirect, so credentials stay on the first origin", async () => {
    let elsewhereHits = 0;
    const elsewhere = await listen(createServer((_req, res) => {
      elsewhereHits++;
      res.end("{}");
    }));
    const redirector = await listen(createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${port(elsewhere)}/v1/embeddings?sig=${SIGNED}` }).end();
    }));
    try {
      const error = await sendRequest(`http://127.0.0.1:${port(redirector)}/v1/embeddings`, json({ input: "x" }), { sleep, secrets: [KEY, SIGNED] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedirectError);
      expect((error as RedirectError).status).toBe(307);
      expect((error as RedirectError).location).toContain(`127.0.0.1:${port(elsewhere)}/v1/embeddings`);
      for (const text of [(error as Error).message, (error as RedirectError).location, inspect(error, { depth: 5 }), JSON.stringify(error)]) {
        expect(text).not.toContain(SIGNED);
      }
      expect(elsewhereHits).toBe(0);
    } finally {
      redirector.close();
      elsewhere.close();
    }
  });

  it("retries connection failures and then raises ConnectionError with the cause", async () => {
    const closed = await listen(createServer());
    const url = `http://127.0.0.1:${port(closed)}/v1/embeddings`;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await sendRequest(url, json({ input: "x" }), { sleep, maxRetries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).cause).toBeDefined();
    expect(delays).toHaveLength(2);
  });

  it("raises an SSRF block at once, without retrying", async () => {
    const error = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ input: "x" }), { sleep, fetch: createGuardedFetch() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect(delays).toEqual([]);
    expect(emu.requests).toHaveLength(0);
    const allowed = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ model: "text-embedding-3-small", input: "x" }), {
      sleep,
      fetch: createGuardedFetch({ policy: { dangerouslyAllowPrivateNetwork: true } }),
    });
    expect(allowed.ok).toBe(true);
    expect(emu.requests).toHaveLength(1);
  });

  it.each([
    ["not a url", /not a valid absolute URL/],
    ["/v1/embeddings", /not a valid absolute URL/],
    ["file:///etc/passwd", /Unsupported URL scheme file:/],
    [`https://svc:${KEY}@api.example.com/v1/embeddings`, /https:\/\/api\.example\.com carries user:pass@/],
  ])("refuses %s up front: typed invalid_url, no fetch, no retry, no secret", async (url, message) => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      throw new TypeError(`fetch failed for ${url}`);
    }) as typeof globalThis.fetch;
    const error = await sendRequest(url, json({ input: "x" }), { sleep, fetch }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_url" });
    expect((error as Error).message).toMatch(message);
    expect((error as { hint?: string }).hint).toBeTruthy();
    expect(`${(error as Error).message} ${inspect(error, { depth: 5 })}`).not.toContain(KEY);
    expect(calls).toBe(0);
    expect(delays).toEqual([]);
  });

  it("stops at once when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("user stop"));
    const error = await sendRequest(joinUrl(emu.apiBase, "/embeddings"), json({ input: "x" }), { sleep, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("user stop");
    expect(delays).toEqual([]);
  });
});

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function port(server: Server): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}
