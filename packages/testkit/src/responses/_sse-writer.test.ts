import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sseHeaders, streamSseChunks } from "./_sse-writer.js";

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
});

/** GETs `port` over a real loopback socket and returns the body. */
async function fetchBody(port: number): Promise<{ status: number; contentType: string | undefined; body: string }> {
  const req = request({ host: "127.0.0.1", port, path: "/", agent: false });
  req.end();
  const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
  res.setEncoding("utf8");
  let body = "";
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, contentType: res.headers["content-type"], body };
}

describe("streamSseChunks", () => {
  it("hands each ~256 KiB chunk to the socket while the build is still running", async () => {
    const json = JSON.stringify({ type: "response.output_text.delta", delta: "x".repeat(1000) });
    const frames = 800; // ~800 KiB: three chunks and a tail
    const corkedAfterFirstChunk: number[] = [];
    server = createServer((_req, res) => {
      streamSseChunks(res, sseHeaders("req_1"), (add) => {
        for (let i = 0; i < frames; i++) {
          add("response.output_text.delta", json);
          // Past the first chunk, nothing written so far may still be held back by a cork.
          if (i > 300 && i % 100 === 0) corkedAfterFirstChunk.push(res.socket?.writableCorked ?? -1);
        }
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const r = await fetchBody((server.address() as AddressInfo).port);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/event-stream/);
    expect(r.body).toBe(`event: response.output_text.delta\ndata: ${json}\n\n`.repeat(frames));
    expect(corkedAfterFirstChunk.length).toBeGreaterThan(0);
    expect(corkedAfterFirstChunk.every((n) => n === 0)).toBe(true);
  });

  it("writes a small stream whole and ends the response", async () => {
    server = createServer((_req, res) => {
      streamSseChunks(res, sseHeaders("req_2"), (add) => {
        add("response.created", '{"type":"response.created"}');
        add("", '{"choices":[]}');
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const r = await fetchBody((server.address() as AddressInfo).port);
    expect(r.body).toBe('event: response.created\ndata: {"type":"response.created"}\n\ndata: {"choices":[]}\n\n');
  });
});
