import net from "node:net";
import tls from "node:tls";
import zlib from "node:zlib";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dnsOf, startHttpServer, watchClientSockets } from "./__fixtures__/ssrf-canary.js";
import { TLS_CERT, TLS_KEY } from "./__fixtures__/tls-self-signed.js";
import { ConnectionError } from "./errors.js";
import { createGuardedFetch } from "./guarded-fetch.js";

const OPT_IN = { dangerouslyAllowPrivateNetwork: true } as const;
const auth = { authorization: "Bearer sk-test-key-123456" };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

describe("bodies and answers (loopback echo server)", () => {
  let seen: { method: string; headers: Record<string, unknown>; body: Buffer }[] = [];
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    server = await startHttpServer((req, body, res) => {
      seen.push({ method: req.method!, headers: req.headers, body });
      if (req.url === "/gzip") return res.writeHead(200, { "content-encoding": "gzip" }).end(zlib.gzipSync("compressed hello"));
      if (req.url === "/empty") return res.writeHead(204).end();
      if (req.url === "/cookies") return res.writeHead(200, [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-multi", "v"]]).end("ok");
      res.writeHead(201, "Created Here", { "content-type": "application/octet-stream", "x-echo": "1" }).end(body);
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    seen = [];
  });
  const fetch = (): typeof globalThis.fetch => createGuardedFetch({ policy: OPT_IN });

  it.each([
    ["string", "héllo", "text/plain;charset=UTF-8", Buffer.from("héllo")],
    ["Uint8Array", new Uint8Array([0, 1, 2, 255]), undefined, Buffer.from([0, 1, 2, 255])],
    ["URLSearchParams", new URLSearchParams({ a: "1", b: "x y" }), "application/x-www-form-urlencoded;charset=UTF-8", Buffer.from("a=1&b=x+y")],
  ])("sends a %s body with its content-type and exact bytes", async (_name, body, type, bytes) => {
    const res = await fetch()(`${server.url}/echo`, { method: "PUT", body: body as RequestInit["body"] });
    expect(res.status).toBe(201);
    expect(res.statusText).toBe("Created Here");
    expect(res.headers.get("x-echo")).toBe("1");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(seen[0]!.method).toBe("PUT");
    expect(seen[0]!.headers["content-type"]).toBe(type);
    expect(seen[0]!.headers["content-length"]).toBe(String(bytes.length));
    expect(seen[0]!.body).toEqual(bytes);
  });
  it("GET and HEAD send no body; 204 has a null body", async () => {
    expect(await (await fetch()(`${server.url}/echo`)).text()).toBe("");
    expect((await fetch()(`${server.url}/echo`, { method: "HEAD" })).body).toBeNull();
    const empty = await fetch()(`${server.url}/empty`, { method: "DELETE" });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(seen.map((s) => [s.method, s.body.length])).toEqual([["GET", 0], ["HEAD", 0], ["DELETE", 0]]);
  });
  it("decompresses gzip and keeps repeated headers", async () => {
    expect(await (await fetch()(`${server.url}/gzip`)).text()).toBe("compressed hello");
    const res = await fetch()(`${server.url}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });
});

describe("abort and malformed answers", () => {
  it("an already-aborted signal rejects with its reason before any DNS or socket", async () => {
    const lookup = dnsOf({ "api.example.com": [["93.184.215.14"]] });
    const sockets = watchClientSockets();
    const reason = new Error("caller gave up");
    await expect(createGuardedFetch({ lookup })("https://api.example.com/v1/models", { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    sockets.stop();
    expect(sockets.count()).toBe(0);
    expect(lookup.calls).toEqual([]);
  });
  it("aborts while waiting for headers", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await createGuardedFetch({ policy: OPT_IN })(`${emu.apiBase}/models`, { headers: auth, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(2000);
  });
  it("aborts mid-body: the stream errors with the abort reason", async () => {
    const server = await startHttpServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
    });
    try {
      const controller = new AbortController();
      const res = await createGuardedFetch({ policy: OPT_IN })(`${server.url}/stream`, { signal: controller.signal });
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: first\n\n");
      controller.abort();
      await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    } finally {
      await server.close();
    }
  });
  it("a non-HTTP answer is a ConnectionError", async () => {
    const raw = net.createServer((s) => s.end("garbage that is not http\r\n\r\n"));
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
    const port = (raw.address() as net.AddressInfo).port;
    try {
      const error = await createGuardedFetch({ policy: OPT_IN })(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).hint).toBeTruthy();
    } finally {
      raw.close();
    }
  });
});

describe("https path", () => {
  it("dials the pinned address and sends the hostname as TLS SNI (certificate checks use the name, not the IP)", async () => {
    let hello: Buffer = Buffer.alloc(0);
    const tlsSink = net.createServer((socket) => {
      socket.once("data", (chunk: Buffer) => {
        hello = chunk;
        socket.destroy();
      });
    });
    await new Promise<void>((r) => tlsSink.listen(0, "127.0.0.1", () => r()));
    const port = (tlsSink.address() as net.AddressInfo).port;
    const lookup = dnsOf({ "tls.example.com": [["127.0.0.1"]] });
    try {
      const error = await createGuardedFetch({ policy: OPT_IN, lookup })(`https://tls.example.com:${port}/v1/models`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(hello[0]).toBe(0x16); // TLS handshake record
      expect(hello.includes(Buffer.from("tls.example.com"))).toBe(true);
      expect(lookup.calls).toEqual(["tls.example.com"]);
    } finally {
      tlsSink.close();
    }
  });
  it("verifies the certificate (pinning never turns verification off)", async () => {
    let handshakes = 0;
    const server = tls.createServer({ key: TLS_KEY, cert: TLS_CERT }, (socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
    server.on("secureConnection", () => handshakes++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const fetch = createGuardedFetch({ policy: OPT_IN, lookup: dnsOf({ "tls.example.com": [["127.0.0.1"]] }) });
      const error = await fetch(`https://tls.example.com:${port}/v1/models`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(((error as Error).cause as { code?: string }).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
      expect(handshakes).toBe(0);
    } finally {
      server.close();
    }
  });
  it("an https URL to a hostname resolving privately is blocked like http", async () => {
    const sockets = watchClientSockets();
    await expect(createGuardedFetch({ lookup: dnsOf({ "tls.example.com": [["192.168.7.7"]] }) })("https://tls.example.com/")).rejects.toMatchObject({ range: "private" });
    sockets.stop();
    expect(sockets.count()).toBe(0);
  });
});
