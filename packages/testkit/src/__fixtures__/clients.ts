import { WebSocket } from "ws";

/** Minimal plain clients for tests: raw SSE over fetch and a frame-collecting WebSocket. */

export const KEY = { authorization: "Bearer sk-test-plain" };

/** POSTs JSON and returns the status, headers and the whole body text (or the read error). */
export async function post(url: string, body: unknown, headers: Record<string, string> = KEY): Promise<{ status: number; headers: Headers; text: string; error?: unknown }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  try {
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (error) {
    return { status: res.status, headers: res.headers, text: "", error };
  }
}

/** Parses `event:`/`data:` frames of an SSE body (data kept as raw text). */
export function sseFrames(text: string): { event: string; data: string }[] {
  return text
    .split("\n\n")
    .filter((b) => b.trim() !== "")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
      return { event, data };
    });
}

/** A connected WebSocket that queues every message it receives. */
export interface TestSocket {
  ws: WebSocket;
  messages: unknown[];
  /** Resolves with the next `n` messages (waiting as needed). */
  take(n: number): Promise<unknown[]>;
  /** Collects messages until one whose `type` is terminal for a response. */
  untilTerminal(): Promise<{ type: string; [k: string]: unknown }[]>;
  closed: Promise<{ code: number; reason: string }>;
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed", "error"]);

export function openSocket(url: string, headers: Record<string, string> = KEY, opts: { handshakeTimeout?: number; maxPayload?: number } = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, { headers, ...opts });
  const messages: unknown[] = [];
  let waiter: (() => void) | undefined;
  ws.on("message", (d) => {
    messages.push(JSON.parse(d.toString()));
    waiter?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  let read = 0;
  const take = async (n: number): Promise<unknown[]> => {
    while (messages.length < read + n) {
      await Promise.race([new Promise<void>((r) => (waiter = r)), closed.then(() => {
        throw new Error(`socket closed after ${messages.length} messages`);
      })]);
    }
    const out = messages.slice(read, read + n);
    read += n;
    return out;
  };
  const untilTerminal = async (): Promise<{ type: string }[]> => {
    const out: { type: string }[] = [];
    for (;;) {
      const [m] = (await take(1)) as { type: string }[];
      out.push(m!);
      if (TERMINAL.has(m!.type)) return out;
    }
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, messages, take, untilTerminal, closed }));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`upgrade answered ${res.statusCode}`), { status: res.statusCode, res })));
  });
}
