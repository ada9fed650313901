import type { IncomingMessage } from "node:http";
import type WebSocket from "ws";
import { mergeHeaders, type TransportContext } from "./_context.js";
import { describeCause, errorFromStatus, parseErrorBody, secretsOf } from "./_http-errors.js";
import { AbortError, ConnectTimeoutError, ConnectionError, type TransportError } from "./errors.js";
import type { TurnIdentity } from "./identity.js";

/** An open socket plus the secrets used to open it (for redaction). */
export interface OpenedSocket {
  ws: WebSocket;
  secrets: string[];
}

const MAX_UPGRADE_BODY = 64 * 1024;

/**
 * Open a WebSocket to the Responses endpoint. Redirects are never followed (credentials stay
 * put); a 401/403/429 answer to the upgrade becomes the matching typed error; a hanging
 * handshake fails after `handshakeTimeoutMs`.
 */
export async function openSocket(ctx: TransportContext, identity: TurnIdentity, signal: AbortSignal): Promise<OpenedSocket> {
  if (signal.aborted) throw new AbortError({ transport: "websocket" });
  const headers = mergeHeaders(
    await ctx.headers(),
    ctx.wsBetaHeader ? { "openai-beta": ctx.wsBetaHeader } : undefined,
    identity.nextAttemptHeaders(),
  );
  const secrets = secretsOf(headers);
  const ws = new ctx.WebSocket(ctx.wsUrl, {
    headers,
    handshakeTimeout: ctx.handshakeTimeoutMs,
    followRedirects: false,
    maxPayload: ctx.maxPayload,
    perMessageDeflate: false,
  });
  return new Promise<OpenedSocket>((resolve, reject) => {
    let settled = false;
    const settle = (error: TransportError | undefined) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      ws.removeListener("open", onOpen);
      if (error) {
        ws.on("error", () => undefined);
        try {
          ws.terminate();
        } catch {
          // already closed
        }
        reject(error);
      } else resolve({ ws, secrets });
    };
    const onOpen = () => settle(undefined);
    const onAbort = () => settle(new AbortError({ transport: "websocket" }));
    signal.addEventListener("abort", onAbort, { once: true });
    ws.once("open", onOpen);
    ws.once("unexpected-response", (_req, res: IncomingMessage) => {
      readUpgradeBody(res).then((text) => {
        const header = (name: string) => {
          const v = res.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const h = new Headers();
        for (const name of ["retry-after", "retry-after-ms"]) {
          const v = header(name);
          if (v) h.set(name, v);
        }
        settle(
          errorFromStatus({
            status: res.statusCode ?? 0,
            body: parseErrorBody(text),
            requestId: header("x-request-id"),
            retryAfterMs: ctx.retry.retryAfterMs(h),
            attempts: [],
            transport: "websocket",
            secrets,
            now: ctx.now(),
          }),
        );
      });
    });
    ws.once("error", (error: Error) => {
      const fields = { transport: "websocket" as const, secrets, cause: error };
      if (/handshake has timed out/i.test(error.message)) settle(new ConnectTimeoutError(ctx.handshakeTimeoutMs, fields));
      else settle(new ConnectionError(`WebSocket connect to ${ctx.wsUrl} failed: ${describeCause(error)}`, fields));
    });
    ws.once("close", (code: number) => {
      settle(new ConnectionError(`WebSocket closed during the handshake (${code}).`, { transport: "websocket", secrets }));
    });
  });
}

function readUpgradeBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      if (text.length < MAX_UPGRADE_BODY) text += chunk;
    });
    res.on("end", () => resolve(text));
    res.on("error", () => resolve(text));
    res.on("close", () => resolve(text));
  });
}
