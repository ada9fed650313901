import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CodexAuthError } from "./codex-auth-error.js";

/**
 * The loopback callback server. It always holds 127.0.0.1 and, where the host has IPv6, the
 * same port on ::1 too: the redirect URI must say `localhost` (that is what the issuer has
 * registered), and a browser may resolve `localhost` to ::1 first. Both are loopback-only;
 * never `::` or 0.0.0.0.
 */
export interface BoundServer {
  /** The listening servers, 127.0.0.1 first. */
  servers: Server[];
  port: number;
  /** The addresses actually bound (`127.0.0.1`, and `::1` when available). */
  hosts: string[];
  close(): Promise<void>;
}

/** Loopback hosts tried by default, in order; the first is required, the rest are best-effort. */
export const LOOPBACK_HOSTS = ["127.0.0.1", "::1"] as const;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })),
  ).then(() => undefined);
}

const BUSY = new Set(["EADDRINUSE", "EACCES"]);
/** The host has no usable IPv6 loopback: carry on with 127.0.0.1 alone. */
const NO_HOST = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT", "EPROTONOSUPPORT", "EINVAL"]);

/**
 * Bind `handler` on the loopback hosts, trying each port in order (0 = any free port).
 * A port counts as busy when 127.0.0.1 is taken, and also when ::1 is taken by someone else:
 * otherwise a browser resolving `localhost` to ::1 would hand the code to that program.
 * @throws CodexAuthError `oauth_port_busy` when every port is taken.
 */
export async function bindLoopback(
  ports: readonly number[],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  hosts: readonly string[] = LOOPBACK_HOSTS,
): Promise<BoundServer> {
  const busy: number[] = [];
  for (const wanted of ports) {
    const servers: Server[] = [];
    const bound: string[] = [];
    let port = wanted;
    let taken = false;
    for (const host of hosts) {
      const server = createServer(handler);
      // Browsers keep connections alive; do not let them hold the port after we are done.
      server.keepAliveTimeout = 1000;
      try {
        await listen(server, port, host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        if (BUSY.has(code)) {
          taken = true;
          break;
        }
        if (host !== hosts[0] && NO_HOST.has(code)) continue;
        await closeAll(servers);
        throw error;
      }
      servers.push(server);
      bound.push(host);
      port = (server.address() as AddressInfo).port; // the ephemeral port 0 picked, for the next host
    }
    if (taken) {
      await closeAll(servers);
      busy.push(port);
      continue;
    }
    let closed: Promise<void> | undefined;
    return { servers, port, hosts: bound, close: () => (closed ??= closeAll(servers)) };
  }
  throw new CodexAuthError("oauth_port_busy", `Could not start the sign-in callback server: port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} on localhost ${busy.length > 1 ? "are" : "is"} in use.`, {
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
