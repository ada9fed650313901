import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { AbortError, ConnectTimeoutError } from "@genesis/transport";
import { createRealtimeTranscriber } from "./create-realtime-transcriber.js";
import { createRealtimeVoiceSession, type VoiceEvent } from "./create-realtime-voice-session.js";
import { RealtimeProtocolError } from "./realtime-errors.js";

/**
 * The emulator only sends well-formed events, so malformed server frames are played by a
 * tiny `ws` server on loopback that confirms the session and then misbehaves on cue.
 */
const KEY = "sk-malformed-secret-0123456789";
let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

function misbehavingServer(script: (socket: WebSocket) => void): Promise<string> {
  return new Promise((resolve) => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(`ws://127.0.0.1:${(server!.address() as { port: number }).port}/v1/realtime`));
    server.on("connection", (socket) => {
      socket.once("message", () => {
        socket.send(JSON.stringify({ type: "session.updated", event_id: "e1", session: {} }));
        script(socket);
      });
    });
  });
}

describe("malformed server frames", () => {
  it("reports non-JSON, binary and mis-shaped events as typed protocol errors and keeps going", async () => {
    const url = await misbehavingServer((socket) => {
      socket.send(`{"type": "response.output_audio.delta", "delta": "${KEY}`); // truncated JSON quoting a secret
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      socket.send(JSON.stringify({ type: "response.output_audio.delta", response_id: "r1", item_id: "i1" })); // no delta
      // Spec-valid: a transcription delta may omit `delta` (nothing to report, no error).
      socket.send(JSON.stringify({ type: "conversation.item.input_audio_transcription.delta", event_id: "e2", item_id: "i0", content_index: 0 }));
      socket.send(JSON.stringify({ type: "response.created", response: { id: "r2" } }));
      socket.send(JSON.stringify({ type: "response.output_audio.delta", response_id: "r2", item_id: "i2", delta: Buffer.from([0xff, 0x7f]).toString("base64") }));
    });
    const session = await createRealtimeVoiceSession({ url, apiKey: KEY });
    const events: VoiceEvent[] = [];
    for await (const e of session) {
      events.push(e);
      if (e.type === "audio") break;
    }
    const errors = events.filter((e) => e.type === "error").map((e) => (e as unknown as { error: RealtimeProtocolError }).error);
    expect(errors).toHaveLength(3);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RealtimeProtocolError);
      expect(error.code).toBe("realtime_bad_event");
      expect(inspect(error)).not.toContain(KEY);
      expect(error.message).not.toContain(KEY);
    }
    expect(errors[1]!.message).toMatch(/binary frame/);
    expect(errors[2]).toMatchObject({ eventType: "response.output_audio.delta" });
    expect(errors[2]!.message).toMatch(/bad delta/);
    expect(events.at(-1)).toMatchObject({ type: "audio", responseId: "r2", audio: new Uint8Array([0xff, 0x7f]) });
    await session.close();
  });

  it("a listener that throws is reported as an error event instead of breaking the socket", async () => {
    // Listeners only see events from the moment they are added, so the server waits a little.
    const url = await misbehavingServer((socket) => setTimeout(() => {
      socket.send(JSON.stringify({ type: "response.created", response: { id: "r1" } }));
      socket.send(JSON.stringify({ type: "response.output_audio_transcript.delta", response_id: "r1", item_id: "i1", delta: "hi" }));
      socket.send(JSON.stringify({ type: "response.done", response: { id: "r1", status: "completed" } }));
    }, 50));
    const session = await createRealtimeVoiceSession({ url, apiKey: KEY });
    session.on("transcript-delta", () => {
      throw new Error("listener bug");
    });
    const events: VoiceEvent[] = [];
    for await (const e of session) {
      events.push(e);
      if (e.type === "response-done") break;
    }
    expect(events.map((e) => e.type)).toEqual(["error", "transcript-delta", "response-done"]);
    expect(events[0]).toMatchObject({ error: { code: "listener_failed" } });
    expect(events.at(-1)).toMatchObject({ transcript: "hi", status: "completed" });
    await session.close();
  });
});

describe("session set-up", () => {
  it("an abort while waiting for session.updated rejects with AbortError and closes the socket", async () => {
    const url = await new Promise<string>((resolve) => {
      server = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(`ws://127.0.0.1:${(server!.address() as { port: number }).port}/v1/realtime`));
    });
    const closed = new Promise<void>((resolve) => server!.on("connection", (socket) => {
      socket.on("close", () => resolve());
      socket.once("message", () => controller.abort());
    }));
    const controller = new AbortController();
    const started = Date.now();
    const error = await createRealtimeVoiceSession({ url, apiKey: KEY, signal: controller.signal, handshakeTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(2000);
    await closed;
  });

  it("gives up with ConnectTimeoutError when session.updated never comes, and closes the socket", async () => {
    const url = await new Promise<string>((resolve) => {
      server = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(`ws://127.0.0.1:${(server!.address() as { port: number }).port}/v1/realtime`));
    });
    const closed = new Promise<void>((resolve) => server!.on("connection", (socket) => socket.on("close", () => resolve())));
    const error = await createRealtimeTranscriber({ url, apiKey: KEY, handshakeTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect((error as ConnectTimeoutError).hint).toMatch(/session\.updated/);
    await closed;
  });
});
