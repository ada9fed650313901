import type { IncomingMessage } from "node:http";
import { redactSecrets } from "@genesis/core";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectTimeoutError,
  ConnectionError,
  PermissionError,
  RateLimitError,
  RedirectError,
  parseErrorBody,
  type TransportError,
} from "@genesis/transport";
import WebSocket from "ws";

/** The `ws` constructor, or anything with its shape (tests inject a recording subclass). */
export type WebSocketConstructor = new (url: string, options: WebSocket.ClientOptions) => WebSocket;

/** What {@link openRealtimeSocket} needs. */
export interface OpenSocketOptions {
  url: string;
  headers: Record<string, string>;
  secrets: string[];
  handshakeTimeoutMs: number;
  WebSocket?: WebSocketConstructor;
  signal?: AbortSignal;
}

const MAX_UPGRADE_BODY = 64 * 1024;

function retryAfterMs(res: IncomingMessage): number | undefined {
  const ms = Number(res.headers["retry-after-ms"]);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(res.headers["retry-after"]);
  // Reported as the server said; callers decide whether to wait that long.
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      if (text.length < MAX_UPGRADE_BODY) text += chunk;
    });
    for (const end of ["end", "error", "close"]) res.on(end, () => resolve(text));
  });
}

function upgradeError(res: IncomingMessage, text: string, secrets: string[]): TransportError {
  const status = res.statusCode ?? 0;
  const body = parseErrorBody(text);
  const requestId = typeof res.headers["x-request-id"] === "string" ? res.headers["x-request-id"] : undefined;
  const fields = { transport: "websocket" as const, secrets, requestId, serverCode: body.code };
  const detail = redactSecrets(body.message ?? `HTTP ${status}`, secrets);
  const message = `The realtime upgrade was refused (HTTP ${status}): ${detail}`;
  if (status === 401) return new AuthenticationError(message, { ...fields, hint: "Check the API key (OPENAI_API_KEY, AZURE_OPENAI_API_KEY or the apiKey setting)." });
  if (status === 403) return new PermissionError(message, fields);
  if (status === 429) return new RateLimitError(message, { ...fields, retryAfterMs: retryAfterMs(res) });
  if (status >= 300 && status < 400) {
    const location = typeof res.headers.location === "string" ? res.headers.location : "(none)";
    return new RedirectError(location, { ...fields, status });
  }
  return new ApiError(message, { ...fields, status });
}

/**
 * Opens a realtime WebSocket. Redirects are never followed (the key would travel with them),
 * a refused upgrade becomes the matching transport error (401 → AuthenticationError, 403 →
 * PermissionError, 429 → RateLimitError, 3xx → RedirectError, else ApiError), a hanging
 * handshake fails with ConnectTimeoutError after `handshakeTimeoutMs`, and an abort
 * terminates the attempt with AbortError.
 */
export function openRealtimeSocket(options: OpenSocketOptions): Promise<WebSocket> {
  const { secrets, signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortError({ transport: "websocket", cause: signal.reason }));
  const Ctor = options.WebSocket ?? WebSocket;
  const ws = new Ctor(options.url, {
    headers: options.headers,
    handshakeTimeout: options.handshakeTimeoutMs,
    followRedirects: false,
    perMessageDeflate: false,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    let settled = false;
    const settle = (error?: TransportError): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (!error) return resolve(ws);
      ws.on("error", () => undefined);
      ws.terminate();
      reject(error);
    };
    const onAbort = (): void => settle(new AbortError({ transport: "websocket", cause: signal?.reason }));
    signal?.addEventListener("abort", onAbort, { once: true });
    ws.once("open", () => settle());
    ws.once("unexpected-response", (_req, res: IncomingMessage) => {
      void readBody(res).then((text) => settle(upgradeError(res, text, secrets)));
    });
    ws.once("error", (error: Error) => {
      const fields = { transport: "websocket" as const, secrets, cause: error };
      if (/handshake has timed out/i.test(error.message)) settle(new ConnectTimeoutError(options.handshakeTimeoutMs, fields));
      else settle(new ConnectionError(`Cannot open the realtime WebSocket ${redactSecrets(options.url, secrets)}: ${redactSecrets(error.message, secrets)}`, fields));
    });
    ws.once("close", (code: number) => settle(new ConnectionError(`The realtime WebSocket closed during the handshake (${code}).`, { transport: "websocket", secrets })));
  });
}
