import WebSocket from "ws";
import type { WebSocketConstructor } from "../_socket.js";

/**
 * A real `ws` client that remembers every instance and the options it was opened with, so
 * tests can assert `followRedirects: false` and that no socket is left open; `pings` counts
 * the pings the client sent (the frames still go over the wire).
 */
export function recordingWebSocket(): { WebSocket: WebSocketConstructor; sockets: WebSocket[]; options: WebSocket.ClientOptions[]; pings: { count: number } } {
  const sockets: WebSocket[] = [];
  const options: WebSocket.ClientOptions[] = [];
  const pings = { count: 0 };
  class Recording extends WebSocket {
    constructor(url: string, opts: WebSocket.ClientOptions) {
      super(url, opts);
      sockets.push(this);
      options.push(opts);
    }
    override ping(...args: Parameters<WebSocket["ping"]>): void {
      pings.count++;
      super.ping(...args);
    }
  }
  return { WebSocket: Recording, sockets, options, pings };
}

/** Resolves once every recorded socket reached CLOSED. */
export async function allClosed(sockets: WebSocket[]): Promise<boolean> {
  await Promise.all(sockets.map((s) => (s.readyState === s.CLOSED ? undefined : new Promise((r) => s.once("close", r)))));
  return sockets.every((s) => s.readyState === s.CLOSED);
}

/** `ms` of μ-law silence at 8 kHz. */
export function mulawSilence(ms: number): Uint8Array {
  return new Uint8Array((ms * 8000) / 1000).fill(0xff);
}
