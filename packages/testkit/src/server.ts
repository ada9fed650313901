import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import { checkApiKey } from "./_api-key.js";
import { isStreaming, type CoreReply, type EmulatorCore } from "./_core.js";
import { isMultipart, isReply, multipartBody } from "./_endpoint-util.js";
import { faultReply, pick } from "./_faults.js";
import { openaiError, Router } from "./_router.js";
import type { EmulatorRequest, HttpReply, RouteDef, WsRouteDef } from "./_types.js";
import { sleep } from "./responses/_sse-writer.js";

/**
 * The emulator's single listener: one node:http server on 127.0.0.1 for every HTTP route,
 * plus a `ws` server in noServer mode that takes over upgrades on WebSocket routes. Every
 * request is recorded first, then faults, auth, spec validation and the route run in order.
 */

/** An HTTP route of the emulator (endpoint modules' {@link RouteDef} or a streaming one). */
export interface CoreRoute extends Omit<RouteDef, "handler"> {
  handler(req: EmulatorRequest, ctx: EmulatorCore["ctx"]): CoreReply | Promise<CoreReply>;
  /** Auth check run before spec validation (a 401 beats a 400, like the real services). */
  precheck?(req: EmulatorRequest): HttpReply | undefined;
}

/** A WebSocket route, with an optional check that may refuse the upgrade with an HTTP answer. */
export interface CoreWsRoute extends WsRouteDef {
  precheck?(req: EmulatorRequest): HttpReply | undefined;
}

const MAX_BODY = 100 * 1024 * 1024;

// `ws` is loaded on the first upgrade (it is CommonJS, so synchronously): an emulator that
// only serves HTTP, and the package import itself, do not pay for it.
const requireCjs = createRequire(import.meta.url);
let wsModule: typeof import("ws") | undefined;
function newWebSocketServer(): WebSocketServer {
  wsModule ??= requireCjs("ws") as typeof import("ws");
  // Pings are answered by hand so the `ws-no-pong` fault can withhold them per connection.
  return new wsModule.WebSocketServer({ noServer: true, autoPong: false, maxPayload: 64 * 1024 * 1024 });
}

/** The listening server of one emulator. */
export interface EmulatorServer {
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

function isJsonType(ct: string | undefined): boolean {
  return ct !== undefined && /[/+]json\b/i.test(ct);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Writes a complete answer: objects as JSON, Buffers and strings as they are. */
export function sendReply(res: ServerResponse, reply: HttpReply, requestId: string): void {
  const headers: Record<string, string> = { "x-request-id": requestId, ...reply.headers };
  let payload: Buffer | string | undefined;
  if (reply.body === undefined) payload = undefined;
  else if (Buffer.isBuffer(reply.body) || typeof reply.body === "string") payload = reply.body;
  else {
    payload = JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  headers["content-length"] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function rejectUpgrade(socket: Duplex, reply: HttpReply): void {
  const body = reply.body === undefined ? "" : typeof reply.body === "string" || Buffer.isBuffer(reply.body) ? reply.body.toString() : JSON.stringify(reply.body);
  const headers: Record<string, string> = { "content-type": "application/json", ...reply.headers, "content-length": String(Buffer.byteLength(body)), connection: "close" };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.end(`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? "Error"}\r\n${head}\r\n${body}`);
}

/** Creates the server for `core` with its HTTP and WebSocket routes. */
export function createEmulatorServer(core: EmulatorCore, routes: readonly CoreRoute[], wsRoutes: readonly CoreWsRoute[]): EmulatorServer {
  const http = new Router<CoreRoute>(routes);
  const ws = new Router<CoreWsRoute>(wsRoutes);
  const sockets = new Set<Duplex>();
  const clients = new Set<WebSocket>();
  let wss: WebSocketServer | undefined;
  const server: Server = createServer({ keepAliveTimeout: 5_000 });
  let closed = false;

  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  const toRequest = (req: IncomingMessage, id: number, rawBody: Buffer, json: unknown): EmulatorRequest => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    return { id, method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, json, params: {} };
  };

  async function onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      return sendReply(res, { status: 413, body: openaiError("Request body too large.", "invalid_request_error", "request_too_large") }, "req_none");
    }
    const ct = req.headers["content-type"];
    let json: unknown;
    let badJson = false;
    if (rawBody.length > 0 && (isJsonType(ct) || (ct === undefined && (rawBody[0] === 0x7b || rawBody[0] === 0x5b)))) {
      try {
        json = JSON.parse(rawBody.toString("utf8"));
      } catch {
        badJson = isJsonType(ct);
      }
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const rec = core.recorder.record({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, json, transport: "http" });
    core.onRequest?.(rec);
    const ereq = toRequest(req, rec.id, rawBody, json);
    const requestId = `req_${rec.id}`;

    const faults = core.faults.take("http-request", ereq.path, "http");
    const slow = pick(faults, "slow-first-byte");
    if (slow) await sleep(slow.ms, core.signal);
    if (pick(faults, "connection-reset")) return void req.socket.destroy();
    for (const f of faults) {
      const r = faultReply(f, core.ctx.now());
      if (r) return sendReply(res, r, requestId);
    }

    const found = http.lookup(ereq.method, ereq.path);
    if (!found.ok) return sendReply(res, { status: 404, body: openaiError(`Invalid URL (${ereq.method} ${ereq.path})`, "invalid_request_error") }, requestId);
    ereq.params = found.match.params;
    if (ereq.path.startsWith("/v1/")) {
      const denied = checkApiKey(req.headers, core.apiKeys);
      if (denied) return sendReply(res, denied, requestId);
    }
    const refused = found.match.def.precheck?.(ereq);
    if (refused) return sendReply(res, refused, requestId);
    if (badJson) {
      return sendReply(res, { status: 400, body: openaiError("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", "invalid_request_error") }, requestId);
    }
    const opId = found.match.def.operationId;
    if (opId && core.validate && json !== undefined) {
      const violation = core.validator.validate(opId, json);
      if (violation) return sendReply(res, { status: 400, body: openaiError(violation.message, "invalid_request_error", violation.code, violation.param) }, requestId);
    } else if (opId && core.validate && isMultipart(ereq) && core.validator.hasForm(opId)) {
      // A body that does not parse is left to the handler, which answers the parse error.
      const form = multipartBody(ereq);
      const violation = isReply(form) ? undefined : core.validator.validateForm(opId, form);
      if (violation) return sendReply(res, { status: 400, body: openaiError(violation.message, "invalid_request_error", violation.code, violation.param) }, requestId);
    }
    const reply = await found.match.def.handler(ereq, core.ctx);
    if (isStreaming(reply)) await reply.stream(res);
    else sendReply(res, reply, requestId);
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const rec = core.recorder.record({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, transport: "websocket" });
    core.onRequest?.(rec);
    const ereq = toRequest(req, rec.id, Buffer.alloc(0), undefined);

    const faults = core.faults.take("ws-upgrade", ereq.path, "websocket");
    const slow = pick(faults, "slow-first-byte");
    if (slow) await sleep(slow.ms, core.signal);
    if (pick(faults, "ws-refuse") || pick(faults, "connection-reset")) return void socket.destroy();
    // Accept the TCP connection but never answer: the client's handshake timeout must fire.
    if (pick(faults, "ws-blackhole-handshake")) return;
    const status = pick(faults, "ws-upgrade-status");
    if (status) {
      return rejectUpgrade(socket, {
        status: status.status,
        headers: status.headers,
        body: status.body ?? openaiError(`Emulated upgrade failure (HTTP ${status.status}).`, status.status >= 500 ? "server_error" : "invalid_request_error"),
      });
    }
    for (const f of faults) {
      const r = faultReply(f, core.ctx.now());
      if (r) return rejectUpgrade(socket, r);
    }

    const found = ws.lookup(undefined, ereq.path);
    if (!found.ok) return rejectUpgrade(socket, { status: 404, body: openaiError(`Invalid URL (GET ${ereq.path})`, "invalid_request_error") });
    ereq.params = found.match.params;
    if (ereq.path.startsWith("/v1/")) {
      const denied = checkApiKey(req.headers, core.apiKeys);
      if (denied) return rejectUpgrade(socket, denied);
    }
    const denied = found.match.def.precheck?.(ereq);
    if (denied) return rejectUpgrade(socket, denied);
    if (closed) return void socket.destroy();

    const noPong = pick(faults, "ws-no-pong") !== undefined;
    wss ??= newWebSocketServer();
    wss.handleUpgrade(req, socket, head, (client) => {
      clients.add(client);
      client.on("close", () => clients.delete(client));
      client.on("error", () => client.terminate());
      client.on("ping", (data) => {
        if (!noPong) client.pong(data);
      });
      // Registered before the route's own listener, so frames are recorded before they are handled.
      client.on("message", (data, isBinary) => {
        let frame: unknown;
        if (isBinary) frame = { binary: true, size: (data as Buffer).length };
        else {
          const text = data.toString();
          try {
            frame = JSON.parse(text);
          } catch {
            frame = text;
          }
        }
        rec.frames?.push(frame);
      });
      found.match.def.onConnection(client, ereq, core.ctx);
    });
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    onHttp(req, res).catch(() => {
      if (!res.headersSent) sendReply(res, { status: 500, body: openaiError("The emulator failed while handling the request.", "server_error") }, "req_error");
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch(() => socket.destroy());
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          const addr = server.address();
          resolve(typeof addr === "object" && addr ? addr.port : port);
        });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const c of clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const w = wss;
      if (w) await new Promise<void>((resolve) => w.close(() => resolve()));
    },
  };
}
