import dc from "node:diagnostics_channel";
import http from "node:http";
import net from "node:net";
import type { LookupAllFn } from "../ssrf-guard.js";

/** A TCP listener that only counts connections: any SSRF leak to it shows up as > 0. */
export interface Canary {
  port: number;
  host: string;
  connections(): number;
  close(): Promise<void>;
}

/** Start a canary on `host` (default 127.0.0.1) and `port` (default any free one). */
export async function startCanary(host = "127.0.0.1", port = 0): Promise<Canary> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.end("HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\ncanary");
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    host,
    connections: () => count,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Counts every client socket this process creates (`net.connect`), whatever its target. */
export function watchClientSockets(): { count(): number; stop(): void } {
  let count = 0;
  const onSocket = (): void => void count++;
  dc.subscribe("net.client.socket", onSocket);
  return { count: () => count, stop: () => dc.unsubscribe("net.client.socket", onSocket) };
}

/** A loopback HTTP server whose handler the test controls; records what arrived. */
export async function startHttpServer(
  handler: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void,
): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A DNS stand-in: per host, a list of answers per call (the last repeats); records every query. */
export function dnsOf(table: Record<string, string[][]>): LookupAllFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (host: string) => {
    calls.push(host);
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    const n = calls.filter((c) => c === host).length - 1;
    return answers[Math.min(n, answers.length - 1)]!.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(fn, { calls });
}
