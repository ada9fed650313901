import type { IncomingHttpHeaders } from "node:http";
import type { WebSocket } from "ws";
import type { Fault } from "./_faults.js";

/**
 * Internal contract between the emulator's server (server.ts) and its endpoint modules.
 * Every endpoint module exports `routes: RouteDef[]` (HTTP) and/or `wsRoutes: WsRouteDef[]`.
 */

/** An incoming request as endpoint handlers see it. The body is fully read. */
export interface EmulatorRequest {
  /** Sequence number of the request within this emulator (also the index in `requests`). */
  id: number;
  method: string;
  /** Path without the query string, e.g. `/v1/responses`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON body when the content type is JSON and it parsed. */
  json?: unknown;
  /** Named groups captured from the route pattern (e.g. `{ id }` for `/v1/videos/:id`). */
  params: Record<string, string>;
}

/** A complete HTTP answer. Objects are sent as JSON; Buffers and strings as-is. */
export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | object;
}

/**
 * Per-emulator mutable state shared by endpoint modules (video jobs, OAuth codes,
 * refresh tokens, device codes...). Each module keeps its own namespaced slot.
 */
export interface EmulatorContext {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
  /** Slots owned by endpoint modules, keyed by module name. */
  state: Map<string, unknown>;
  /** Milliseconds since epoch; injectable so tests can move time. */
  now(): number;
  /** Takes the armed `stream`-stage faults for a WebSocket stream on `path` (realtime responses use it). */
  takeStreamFaults?(path: string): Fault[];
  /** Takes the armed `stream`-stage faults for a streamed HTTP answer on `path` (the streamed `/v1/audio/speech` uses it). */
  takeHttpStreamFaults?(path: string): Fault[];
}

/** An endpoint module's request handler: one answer per request (may be async). */
export type HttpHandler = (req: EmulatorRequest, ctx: EmulatorContext) => HttpReply | Promise<HttpReply>;

/** `pattern` is a path like `/v1/videos/:id` (`:name` captures one segment). */
export interface RouteDef {
  method: "GET" | "POST" | "DELETE";
  pattern: string;
  handler: HttpHandler;
  /**
   * Name of the OpenAPI operation whose request body schema validates the body (e.g.
   * `createResponse`): the JSON schema for JSON bodies, the multipart/form-data schema for forms.
   */
  operationId?: string;
}

/** A WebSocket endpoint; the upgrade has already been accepted when `onConnection` runs. */
export interface WsRouteDef {
  pattern: string;
  onConnection(socket: WebSocket, req: EmulatorRequest, ctx: EmulatorContext): void;
}
