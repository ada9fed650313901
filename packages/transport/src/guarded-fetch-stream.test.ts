import http from "node:http";
import type net from "node:net";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createGuardedFetch } from "./guarded-fetch.js";

const OPT_IN = { dangerouslyAllowPrivateNetwork: true } as const;
const CHUNK = 64 * 1024;
const MB = 1024 * 1024;
const fetch = createGuardedFetch({ policy: OPT_IN });

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A raw loopback server (no body buffering) so each test controls reading and writing. */
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("request bodies that are not buffered", () => {
  it("a ReadableStream is sent chunked while it is still being produced", async () => {
    let sawFirst!: () => void;
    const firstArrived = new Promise<void>((r) => (sawFirst = r));
    let received = "";
    let headers: http.IncomingHttpHeaders = {};
    const url = await serve((req, res) => {
      headers = req.headers;
      req.on("data", (c: Buffer) => {
        received += c.toString();
        sawFirst();
      });
      req.on("end", () => res.end("done"));
    });
    // The second chunk is only produced after the server has the first: a buffering fetch deadlocks here.
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode("part1;"));
        await firstArrived;
        controller.enqueue(new TextEncoder().encode("part2"));
        controller.close();
      },
    });
    const res = await fetch(`${url}/upload`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await res.text()).toBe("done");
    expect(received).toBe("part1;part2");
    expect(headers["transfer-encoding"]).toBe("chunked");
    expect(headers["content-length"]).toBeUndefined();
  });

  it("a Blob is streamed with its exact size and type", async () => {
    let seen: { type?: string; length?: string; bytes: number } = { bytes: 0 };
    const url = await serve((req, res) => {
      seen = { type: req.headers["content-type"], length: req.headers["content-length"], bytes: 0 };
      req.on("data", (c: Buffer) => (seen.bytes += c.length)).on("end", () => res.end());
    });
    const blob = new Blob([new Uint8Array(3 * MB).fill(7)], { type: "audio/wav" });
    expect((await fetch(`${url}/blob`, { method: "POST", body: blob })).status).toBe(200);
    expect(seen).toEqual({ type: "audio/wav", length: String(3 * MB), bytes: 3 * MB });
  });

  it("a slow server pauses the caller's stream (backpressure), and abort cancels it", async () => {
    let pulled = 0;
    let cancelled = false;
    const url = await serve((req) => req.pause()); // never reads
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += CHUNK;
        controller.enqueue(new Uint8Array(CHUNK));
        if (pulled >= 512 * MB) controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    const pending = fetch(`${url}/slow`, { method: "PUT", body, duplex: "half", signal: controller.signal } as RequestInit).catch((e: unknown) => e);
    await wait(400);
    expect(pulled).toBeLessThan(64 * MB);
    controller.abort(new Error("stop uploading"));
    expect(((await pending) as Error).message).toBe("stop uploading");
    await wait(20);
    expect(cancelled).toBe(true);
  });

  it("the caller's stream failing surfaces that error, not a ConnectionError", async () => {
    const url = await serve((req) => req.resume());
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        setTimeout(() => controller.error(new Error("disk read failed")), 10);
      },
    });
    const error = await fetch(`${url}/broken`, { method: "POST", body, duplex: "half" } as RequestInit).catch((e: unknown) => e);
    expect((error as Error).message).toBe("disk read failed");
  });
});

describe("response bodies", () => {
  it("stream with backpressure: an unread body does not pull the whole answer into memory", async () => {
    let written = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(CHUNK, 97);
      const pump = (): void => {
        while (written < 512 * MB) {
          written += CHUNK;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const res = await fetch(`${url}/big`);
    const reader = res.body!.getReader();
    expect((await reader.read()).value!.byteLength).toBeGreaterThan(0);
    await wait(400);
    expect(written).toBeLessThan(64 * MB);
    await reader.cancel();
  });

  it.each([
    ["gzip", (b: Buffer) => zlib.gzipSync(b)],
    ["br", (b: Buffer) => zlib.brotliCompressSync(b)],
    ["deflate, gzip", (b: Buffer) => zlib.gzipSync(zlib.deflateSync(b))],
  ])("decodes %s and drops content-encoding/content-length that no longer match", async (coding, encode) => {
    const plain = Buffer.from("é".repeat(5000));
    const wire = encode(plain);
    const url = await serve((_req, res) => res.writeHead(200, { "content-encoding": coding, "content-length": wire.length, "x-multi": ["a", "b"] }).end(wire));
    const res = await fetch(`${url}/z?q=1#frag`);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("x-multi")).toBe("a, b");
    expect(res.url).toBe(`${url}/z?q=1`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(plain);
  });

  it("keeps an unknown coding's bytes and headers as sent", async () => {
    const url = await serve((_req, res) => res.writeHead(200, { "content-encoding": "zstd", "content-length": 3 }).end("abc"));
    const res = await fetch(`${url}/raw`);
    expect(res.headers.get("content-encoding")).toBe("zstd");
    expect(res.headers.get("content-length")).toBe("3");
    expect(await res.text()).toBe("abc");
  });

  it("a connection reset inside a gzip body errors the stream instead of hanging", async () => {
    const wire = zlib.gzipSync(Buffer.alloc(256 * 1024, 1));
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": wire.length });
      res.write(wire.subarray(0, 200), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const res = await fetch(`${url}/cut`);
    const outcome = await Promise.race([res.arrayBuffer().then(() => "resolved", () => "errored"), wait(3000).then(() => "hung")]);
    expect(outcome).toBe("errored");
  });

  it("abort mid-body errors a decoded stream with AbortError, also for a non-Error reason", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      const gz = zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH });
      gz.pipe(res);
      gz.write("data: first\n\n");
    });
    const controller = new AbortController();
    const res = await fetch(`${url}/sse`, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: first\n\n");
    controller.abort("user pressed stop");
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
  });
});
