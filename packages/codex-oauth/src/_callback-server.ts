import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CodexAuthError } from "./codex-auth-error.js";

/** A loopback HTTP server bound to 127.0.0.1 (never `::` or 0.0.0.0). */
export interface BoundServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Bind `handler` on 127.0.0.1, trying each port in order (0 = any free port).
 * @throws CodexAuthError `oauth_port_busy` when every port is taken.
 */
export async function bindLoopback(
  ports: readonly number[],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<BoundServer> {
  const busy: number[] = [];
  for (const port of ports) {
    const server = createServer(handler);
    // Browsers keep connections alive; do not let them hold the port after we are done.
    server.keepAliveTimeout = 1000;
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once("error", onError);
        server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
          server.off("error", onError);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" || code === "EACCES") {
        busy.push(port);
        continue;
      }
      throw error;
    }
    const bound = (server.address() as AddressInfo).port;
    let closed: Promise<void> | undefined;
    return {
      server,
      port: bound,
      close: () =>
        (closed ??= new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })),
    };
  }
  throw new CodexAuthError("oauth_port_busy", `Could not start the sign-in callback server: port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} on 127.0.0.1 ${busy.length > 1 ? "are" : "is"} in use.`, {
    hint: "Close the other sign-in (or the program holding the port), or use `--device-code`.",
  });
}

/** Escape text for an HTML page (error descriptions come from the query string). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Answer with a tiny HTML page and close the connection. */
export function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    connection: "close",
  });
  res.end(html);
}
