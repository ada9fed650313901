import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the peer saw. */
export interface PeerRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A scripted answer. */
export interface PeerAnswer {
  status: number;
  body?: unknown;
  /** Raw text body instead of JSON. */
  text?: string;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
}

/**
 * A tiny scriptable HTTP peer on 127.0.0.1 for token-endpoint edge cases the emulator
 * does not produce (malformed JWTs, missing fields, odd statuses). Answers are taken in
 * order per path; with none queued it answers 500.
 */
export async function startOAuthPeer(): Promise<{
  url: string;
  requests: PeerRequest[];
  answer(path: string, ...answers: PeerAnswer[]): void;
  close(): Promise<void>;
  server: Server;
}> {
  const queues = new Map<string, PeerAnswer[]>();
  const requests: PeerRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      requests.push({ method: req.method ?? "", path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = queues.get(path)?.shift() ?? { status: 500, body: { error: "server_error" } };
      if (next.reset) {
        req.socket.destroy();
        return;
      }
      res.writeHead(next.status, { "content-type": "application/json" });
      res.end(next.text ?? (next.body === undefined ? "" : JSON.stringify(next.body)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    server,
    answer(path, ...answers) {
      queues.set(path, [...(queues.get(path) ?? []), ...answers]);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An unsigned JWT with the OpenAI auth claim, for fixtures. */
export function fakeJwt(claims: { accountId?: string; plan?: string; exp?: number; email?: string; extra?: Record<string, unknown> }): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const payload: Record<string, unknown> = { ...claims.extra };
  if (claims.exp !== undefined) payload.exp = claims.exp;
  if (claims.email) payload.email = claims.email;
  if (claims.accountId !== undefined || claims.plan !== undefined) {
    payload["https://api.openai.com/auth"] = { chatgpt_account_id: claims.accountId, chatgpt_plan_type: claims.plan };
  }
  return `${enc({ alg: "none", typ: "JWT" })}.${enc(payload)}.`;
}
