import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { decodeMulaw, mulawTone, MULAW_SILENCE, rms } from "../_g711.js";
import { startEmulator, type Emulator } from "../index.js";

type Ev = Record<string, unknown> & { type: string };

/** A tiny event-collecting client over a real socket. */
class Client {
  readonly events: Ev[] = [];
  #waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const e = JSON.parse(d.toString()) as Ev;
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
  }
  static open(url: string, headers: Record<string, string>): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const c = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(c));
      ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once("error", reject);
    });
  }
  send(e: object): void {
    this.ws.send(JSON.stringify(e));
  }
  next(type: string): Promise<Ev> {
    const seen = this.events.find((e) => e.type === type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pred: (e) => e.type === type, resolve }));
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

let emu: Emulator;
const open: Client[] = [];
const auth = { Authorization: "Bearer sk-realtime" };
beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => {
  for (const c of open.splice(0)) c.ws.terminate();
});
afterAll(() => emu.close());

async function connect(query: string, headers: Record<string, string> = auth): Promise<Client> {
  const c = await Client.open(emu.wsUrl(`/v1/realtime?${query}`), headers);
  open.push(c);
  await c.next("session.created");
  return c;
}

/** 20 ms μ-law chunks: `toneMs` of 440 Hz then `silenceMs` of silence. */
function utterance(toneMs: number, silenceMs: number): string[] {
  const bytes = Buffer.concat([mulawTone(toneMs, 440, 0.5), Buffer.alloc((silenceMs * 8000) / 1000, MULAW_SILENCE)]);
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 160) chunks.push(bytes.subarray(i, i + 160).toString("base64"));
  return chunks;
}

describe("realtime WebSocket (GA protocol)", () => {
  it("refuses the upgrade without a bearer token", async () => {
    await expect(Client.open(emu.wsUrl("/v1/realtime?model=gpt-realtime"), {})).rejects.toMatchObject({ status: 401 });
  });

  it("runs a voice turn: session.update with pcmu, VAD, committed, audio reply", async () => {
    const c = await connect("model=gpt-realtime-1.5");
    expect((c.events[0]!["session"] as { model: string }).model).toBe("gpt-realtime-1.5");
    c.send({
      type: "session.update",
      session: { type: "realtime", audio: { input: { format: { type: "audio/pcmu" }, transcription: { model: "gpt-4o-mini-transcribe" }, turn_detection: { type: "server_vad", threshold: 0.5, silence_duration_ms: 200, prefix_padding_ms: 100 } }, output: { format: { type: "audio/pcmu" }, voice: "marin" } } },
    });
    const updated = await c.next("session.updated");
    expect(updated["session"]).toMatchObject({ audio: { input: { format: { type: "audio/pcmu" } }, output: { voice: "marin" } } });
    for (const chunk of utterance(600, 300)) c.send({ type: "input_audio_buffer.append", audio: chunk });
    const started = await c.next("input_audio_buffer.speech_started");
    expect(started["audio_start_ms"]).toBe(0);
    const stopped = await c.next("input_audio_buffer.speech_stopped");
    expect(stopped["audio_end_ms"]).toBe(800); // 600 ms tone + 200 ms of silence
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed["transcript"]).toMatch(/^Heard \d+ milliseconds of audio\.$/);
    const done = await c.next("response.done");
    expect((done["response"] as { status: string }).status).toBe("completed");
    const audio = c.events.filter((e) => e.type === "response.output_audio.delta").map((e) => Buffer.from(e["delta"] as string, "base64"));
    expect(audio.length).toBeGreaterThan(0);
    expect(rms(decodeMulaw(Buffer.concat(audio)))).toBeGreaterThan(0.05);
    const transcript = c.events.filter((e) => e.type === "response.output_audio_transcript.delta").map((e) => e["delta"]).join("");
    expect(transcript).toBe(`Echo: ${String(completed["transcript"])}`);
    const order = c.types();
    expect(order.indexOf("input_audio_buffer.committed")).toBeLessThan(order.indexOf("response.created"));
    // Sequence of frames the client sent is recorded.
    const rec = emu.requests.find((r) => r.transport === "websocket" && r.query["model"] === "gpt-realtime-1.5")!;
    expect((rec.frames![0] as { type: string }).type).toBe("session.update");
  });

  it("stays silent below the VAD threshold and rejects a too-small manual commit", async () => {
    const c = await connect("model=gpt-realtime");
    c.send({ type: "session.update", session: { audio: { input: { format: { type: "audio/pcmu" }, turn_detection: { type: "server_vad", threshold: 0.9 } } } } });
    await c.next("session.updated");
    c.send({ type: "input_audio_buffer.append", audio: mulawTone(400, 440, 0.02).toString("base64") });
    c.send({ type: "input_audio_buffer.clear" });
    await c.next("input_audio_buffer.cleared");
    expect(c.types()).not.toContain("input_audio_buffer.speech_started");
    c.send({ type: "input_audio_buffer.append", audio: mulawTone(40).toString("base64") });
    c.send({ type: "input_audio_buffer.commit", event_id: "evt_commit" });
    const err = await c.next("error");
    expect(err["error"]).toMatchObject({ code: "input_audio_buffer_commit_empty", event_id: "evt_commit" });
  });

  it("calls a configured tool, takes the function_call_output, then answers", async () => {
    const c = await connect("model=gpt-realtime");
    const tool = { type: "function", name: "get_weather", description: "weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
    c.send({ type: "session.update", session: { type: "realtime", output_modalities: ["text"], tools: [tool], audio: { input: { turn_detection: null } } } });
    await c.next("session.updated");
    c.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "use get_weather for Paris" }] } });
    c.send({ type: "response.create" });
    const args = await c.next("response.function_call_arguments.done");
    expect(args).toMatchObject({ name: "get_weather", arguments: '{"city":"emulated"}' });
    const deltas = c.events.filter((e) => e.type === "response.function_call_arguments.delta").map((e) => e["delta"]).join("");
    expect(deltas).toBe(args["arguments"]);
    await c.next("response.done");
    c.events.length = 0;
    c.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: args["call_id"], output: '{"temp":21}' } });
    c.send({ type: "response.create" });
    const text = await c.next("response.output_text.done");
    expect(text["text"]).toBe('The tool returned: {"temp":21}');
  });

  it("runs a transcription session (intent=transcription) with deltas and completed", async () => {
    const c = await connect("intent=transcription");
    expect(c.events[0]!["session"]).toMatchObject({ type: "transcription" });
    c.send({ type: "session.update", session: { type: "transcription", audio: { input: { format: { type: "audio/pcmu" }, transcription: { model: "gpt-4o-transcribe", language: "en" }, turn_detection: { type: "server_vad", silence_duration_ms: 300 } } } } });
    await c.next("session.updated");
    for (const chunk of utterance(500, 400)) c.send({ type: "input_audio_buffer.append", audio: chunk });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    const deltas = c.events.filter((e) => e.type === "conversation.item.input_audio_transcription.delta").map((e) => e["delta"]).join("");
    expect(deltas).toBe(completed["transcript"]);
    expect(c.types()).not.toContain("response.created");
    c.send({ type: "session.update", session: { type: "realtime" } });
    expect((await c.next("error"))["error"]).toMatchObject({ param: "session.type" });
  });

  it("rejects an unsupported audio format naming the field", async () => {
    const c = await connect("model=gpt-realtime");
    c.send({ type: "session.update", session: { audio: { input: { format: { type: "audio/mp3" } } } } });
    expect((await c.next("error"))["error"]).toMatchObject({ code: "invalid_value", param: "session.audio.input.format" });
  });
});

describe("realtime stream faults", () => {
  it("ws-close with afterEvents drops the socket in the middle of a response", async () => {
    const c = await connect("model=gpt-realtime");
    c.send({ type: "session.update", session: { type: "realtime", audio: { input: { turn_detection: null }, output: { format: { type: "audio/pcmu" } } } } });
    await c.next("session.updated");
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 6 });
    const closed = new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code)));
    c.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "hello there friend" }] } });
    c.send({ type: "response.create" });
    expect(await closed).toBe(1006);
    const after = c.types().slice(c.types().indexOf("response.created"));
    expect(after).toHaveLength(6);
    expect(after).toContain("response.output_audio.delta");
    expect(after).not.toContain("response.done");
  });

  it("error-event replaces the rest of a response with a server_error", async () => {
    const c = await connect("model=gpt-realtime");
    emu.fault({ kind: "error-event", code: "server_error", afterEvents: 1 });
    c.send({ type: "response.create" });
    const err = await c.next("error");
    expect(err["error"]).toMatchObject({ type: "server_error", code: "server_error" });
    expect(c.types().filter((t) => t.startsWith("response."))).toEqual(["response.created"]);
  });

  it("error-event with code session_expired sends the GA expiry error mid-response, then closes 1000", async () => {
    const c = await connect("model=gpt-realtime");
    emu.fault({ kind: "error-event", code: "session_expired", afterEvents: 5 });
    const closed = new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code)));
    c.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "a long story please" }] } });
    c.send({ type: "response.create" });
    expect(await closed).toBe(1000);
    const err = c.events.at(-1)!;
    expect(err).toMatchObject({ type: "error", error: { type: "invalid_request_error", code: "session_expired", message: "Your session hit the maximum duration of 60 minutes." } });
    const during = c.types().slice(c.types().indexOf("response.created"), -1);
    expect(during).toHaveLength(5);
    expect(during).not.toContain("response.done");
  });

  it("in transcription sessions stream faults act on the committed utterance's events", async () => {
    const c = await connect("intent=transcription");
    c.send({ type: "session.update", session: { type: "transcription", audio: { input: { format: { type: "audio/pcmu" }, transcription: { model: "gpt-4o-transcribe" }, turn_detection: { type: "server_vad", silence_duration_ms: 300 } } } } });
    await c.next("session.updated");
    // committed, item.added, item.done, then two deltas before the expiry.
    emu.fault({ kind: "error-event", code: "session_expired", message: "Your session hit the maximum duration of 30 minutes.", afterEvents: 5 });
    const closed = new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code)));
    for (const chunk of utterance(500, 400)) c.send({ type: "input_audio_buffer.append", audio: chunk });
    expect(await closed).toBe(1000);
    const types = c.types();
    const from = types.indexOf("input_audio_buffer.committed");
    expect(types.slice(from)).toEqual([
      "input_audio_buffer.committed",
      "conversation.item.added",
      "conversation.item.done",
      "conversation.item.input_audio_transcription.delta",
      "conversation.item.input_audio_transcription.delta",
      "error",
    ]);
    expect(c.events.at(-1)!["error"]).toMatchObject({ code: "session_expired", message: "Your session hit the maximum duration of 30 minutes." });
  });

  it("ws-no-pong: the realtime connection answers events but never pings", async () => {
    emu.fault({ kind: "ws-no-pong", match: { path: "/v1/realtime" } });
    const silent = await connect("model=gpt-realtime");
    const normal = await connect("model=gpt-realtime");
    const pong = (c: Client) => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      c.ws.once("pong", () => (clearTimeout(timer), resolve(true)));
      c.ws.ping();
    });
    expect(await pong(silent)).toBe(false);
    expect(await pong(normal)).toBe(true);
    silent.send({ type: "input_audio_buffer.clear" });
    expect(await silent.next("input_audio_buffer.cleared")).toMatchObject({ type: "input_audio_buffer.cleared" });
  });

  it("stall holds the rest of a response for ms, then delivers it in order", async () => {
    const c = await connect("model=gpt-realtime");
    emu.fault({ kind: "stall", afterEvents: 3, ms: 250 });
    const started = Date.now();
    c.send({ type: "response.create" });
    await c.next("response.created");
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(c.types().slice(c.types().indexOf("response.created"))).toHaveLength(3);
    await c.next("response.done");
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const seqTypes = c.types().slice(c.types().indexOf("response.created"));
    expect(seqTypes.at(-1)).toBe("response.done");
    expect(seqTypes.filter((t) => t === "response.created")).toHaveLength(1);
  });
});
