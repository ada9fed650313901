import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { startEmulator, type Emulator, type RecordedRequest } from "@genesis/testkit";
import { AuthenticationError } from "@genesis/transport";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allClosed, mulawSilence, recordingWebSocket } from "./__fixtures__/recording-websocket.js";
import { createRealtimeVoiceSession, type RealtimeVoiceSession, type ResponseDoneEvent, type VoiceEvent } from "./create-realtime-voice-session.js";
import { manualClock } from "./__fixtures__/test-clocks.js";
import { decodeMulaw } from "./mulaw.js";
import { RealtimeClosedError, RealtimeServerError, RealtimeSessionExpiredError } from "./realtime-errors.js";

const KEY = "sk-voice-secret-0123456789abcdef";
const AZURE_KEY = "azure-voice-key-0123456789abcdef";
const tone = readFileSync(new URL("./__fixtures__/tone-440hz-8k.ulaw", import.meta.url));
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const lastSocket = (): RecordedRequest => emu.requests.filter((r) => r.transport === "websocket").at(-1)!;
const sent = (type: string): Record<string, unknown>[] => lastSocket().frames!.filter((f) => (f as { type: string }).type === type) as Record<string, unknown>[];
const base = () => ({ url: emu.apiBase + "/realtime", env: { OPENAI_API_KEY: KEY } });

async function collect(session: RealtimeVoiceSession, stop: (e: VoiceEvent) => boolean): Promise<VoiceEvent[]> {
  const seen: VoiceEvent[] = [];
  for await (const e of session) {
    seen.push(e);
    if (stop(e)) break;
  }
  return seen;
}
const of = <K extends VoiceEvent["type"]>(events: VoiceEvent[], type: K) => events.filter((e) => e.type === type) as Extract<VoiceEvent, { type: K }>[];

const weather = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  execute: (args: unknown) => ({ city: (args as { city: string }).city, tempC: 21 }),
};

describe("createRealtimeVoiceSession against the emulator", () => {
  it("connects to ?model=... with Bearer auth and sends the GA realtime session.update", async () => {
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket, instructions: "Be brief.", voice: "marin", tools: [weather] });
    const req = lastSocket();
    expect(req.path).toBe("/v1/realtime");
    expect(req.query).toEqual({ model: "gpt-realtime-1.5" });
    expect(emu.authHeaderOf(req.id)).toBe(`Bearer ${KEY}`);
    expect(rec.options[0]).toMatchObject({ followRedirects: false });
    expect(req.frames![0]).toEqual({
      type: "session.update",
      session: {
        type: "realtime",
        output_modalities: ["audio"],
        instructions: "Be brief.",
        audio: {
          input: { format: { type: "audio/pcmu" }, turn_detection: { type: "server_vad", threshold: 0.5, silence_duration_ms: 500, prefix_padding_ms: 300 } },
          output: { format: { type: "audio/pcmu" }, voice: "marin" },
        },
        tools: [{ type: "function", name: "get_weather", description: "Current weather for a city", parameters: weather.parameters }],
        tool_choice: "auto",
      },
    });
    // GA has no session temperature: resolved for config compatibility, never sent.
    expect(s.settings.temperature).toBe(0.8);
    expect(JSON.stringify(req.frames![0])).not.toContain("temperature");
    await s.close();
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("answers caller audio: VAD, input transcript, μ-law audio deltas that decode, response-done", async () => {
    const s = await createRealtimeVoiceSession({ ...base(), silenceDurationMs: 200, inputTranscription: { model: "gpt-4o-mini-transcribe" } });
    const audioIn = Buffer.concat([tone, mulawSilence(300)]);
    for (let i = 0; i < audioIn.length; i += 160) s.sendAudio(audioIn.subarray(i, i + 160));
    const events = await collect(s, (e) => e.type === "response-done");
    expect(of(events, "speech-started")).toHaveLength(1);
    const heard = of(events, "input-transcript")[0]!.text;
    expect(heard).toMatch(/^Heard \d+ milliseconds of audio\.$/);
    const audio = of(events, "audio");
    expect(audio.length).toBeGreaterThan(1);
    const pcm = decodeMulaw(Buffer.concat(audio.map((a) => a.audio)));
    // The emulator speaks a 330 Hz tone at amplitude 6000: check level and pitch of what we decoded.
    const rms = Math.sqrt(pcm.reduce((sum, v) => sum + v * v, 0) / pcm.length);
    expect(rms).toBeGreaterThan(3500);
    expect(rms).toBeLessThan(4800);
    let crossings = 0;
    for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) crossings++;
    expect(crossings / (pcm.length / 8000)).toBeCloseTo(330, -1);
    const done = events.at(-1) as ResponseDoneEvent;
    expect(done).toMatchObject({ status: "completed", calledTools: false, transcript: `Echo: ${heard}`, audioBytes: pcm.length });
    expect(of(events, "transcript-delta").map((d) => d.text).join("")).toBe(done.transcript);
    expect(done.usage?.totalTokens).toBeGreaterThan(0);
    expect(lastSocket().frames![0]).toMatchObject({ session: { audio: { input: { transcription: { model: "gpt-4o-mini-transcribe" } } } } });
    await s.close();
  });

  it("runs a tool call round trip: function call → execute → output + response.create → final answer", async () => {
    const calls: unknown[] = [];
    const s = await createRealtimeVoiceSession({ ...base(), tools: [{ ...weather, execute: (args, ctx) => (calls.push({ args, callId: ctx.callId }), weather.execute(args)) }] });
    s.sendText("What does get_weather say for Paris?");
    const events = await collect(s, (e) => e.type === "response-done" && !e.calledTools);
    const [first, final] = of(events, "response-done");
    expect(first).toMatchObject({ status: "completed", calledTools: true });
    const toolCall = of(events, "tool-call")[0]!;
    expect(toolCall).toMatchObject({ name: "get_weather", arguments: '{"city":"emulated"}', output: '{"city":"emulated","tempC":21}', error: undefined });
    expect(calls).toEqual([{ args: { city: "emulated" }, callId: toolCall.callId }]);
    expect(final!.transcript).toBe('The tool returned: {"city":"emulated","tempC":21}');
    // Exactly what went over the wire, in order.
    const types = lastSocket().frames!.map((f) => (f as { type: string }).type);
    expect(types).toEqual(["session.update", "conversation.item.create", "response.create", "conversation.item.create", "response.create"]);
    expect(sent("conversation.item.create")[0]).toEqual({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "What does get_weather say for Paris?" }] } });
    expect(sent("conversation.item.create")[1]).toEqual({ type: "conversation.item.create", item: { type: "function_call_output", call_id: toolCall.callId, output: '{"city":"emulated","tempC":21}' } });
    await s.close();
  });

  it("reports a failing tool to the model as {error} and as a typed tool-call error, without secrets", async () => {
    const s = await createRealtimeVoiceSession({ ...base(), tools: [{ ...weather, execute: () => { throw new Error(`upstream refused key ${KEY}`); } }] });
    s.sendText("use get_weather");
    const events = await collect(s, (e) => e.type === "response-done" && !e.calledTools);
    const call = of(events, "tool-call")[0]!;
    expect(call.error?.code).toBe("realtime_tool_failed");
    expect(call.output).toBe(JSON.stringify({ error: "upstream refused key [redacted]" }));
    expect(inspect(call.error)).not.toContain(KEY);
    expect(call.error!.message).not.toContain(KEY);
    expect((events.at(-1) as ResponseDoneEvent).transcript).toBe(`The tool returned: ${call.output}`);
    await s.close();
  });

  it("connects to Azure with the api-key header, the v1 path and ?model=<deployment>", async () => {
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({
      azureEndpoint: emu.url,
      azureDeployment: "rt-deploy",
      env: { AZURE_OPENAI_API_KEY: AZURE_KEY, OPENAI_API_KEY: KEY },
      WebSocket: rec.WebSocket,
    });
    const req = lastSocket();
    expect(req.path).toBe("/openai/v1/realtime");
    expect(req.query).toEqual({ model: "rt-deploy" });
    expect(emu.authHeaderOf(req.id)).toBe(AZURE_KEY);
    expect(req.headers["authorization"]).toBeUndefined();
    expect(rec.options[0]).toMatchObject({ followRedirects: false, headers: { "api-key": AZURE_KEY } });
    expect(s.settings).toMatchObject({ provider: "azure", azureDeployment: "rt-deploy", keySource: "env:AZURE_OPENAI_API_KEY" });
    s.sendText("hello azure");
    const done = (await collect(s, (e) => e.type === "response-done")).at(-1) as ResponseDoneEvent;
    expect(done.transcript).toBe("Echo: hello azure");
    await s.close();
  });

  it("interrupt() sends response.cancel for the active response and the server's answer arrives as a typed error", async () => {
    const s = await createRealtimeVoiceSession(base());
    expect(s.interrupt()).toBe(false);
    let interrupted: boolean | undefined;
    s.on("audio", () => (interrupted ??= s.interrupt()));
    s.sendText("a long story please");
    const events = await collect(s, (e) => e.type === "error");
    expect(interrupted).toBe(true);
    const responseId = of(events, "audio")[0]!.responseId;
    expect(sent("response.cancel")).toEqual([{ type: "response.cancel", response_id: responseId }]);
    // The emulator finished the response before the cancel arrived, like a real race.
    const error = (events.at(-1) as unknown as { error: RealtimeServerError }).error;
    expect(error).toBeInstanceOf(RealtimeServerError);
    expect(error.serverCode).toBe("response_cancel_not_active");
    await s.close();
  });

  it("an unexpected close mid-response fails the iterator with the partial transcript, and nothing is replayed", async () => {
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket });
    emu.fault({ kind: "ws-close", code: 1011, afterEvents: 8 });
    s.sendText("tell me something long");
    const error = (await collect(s, () => false).catch((e: unknown) => e)) as RealtimeClosedError;
    expect(error).toBeInstanceOf(RealtimeClosedError);
    expect(error.code).toBe("realtime_interrupted");
    expect(error.closeCode).toBe(1011);
    expect(error.responseId).toMatch(/^resp_/);
    expect(error.partialTranscript.length).toBeGreaterThan(0);
    expect("Echo: tell me something long".startsWith(error.partialTranscript)).toBe(true);
    expect(error.partialAudioBytes).toBeGreaterThan(0);
    await expect(s.ended).rejects.toBe(error);
    expect(s.open).toBe(false);
    expect(sent("response.create")).toHaveLength(1);
    expect(emu.requests.filter((r) => r.transport === "websocket")).toHaveLength(1);
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("a close between responses is realtime_closed; a refused session.update rejects set-up with the server's error", async () => {
    const s = await createRealtimeVoiceSession(base());
    emu.fault({ kind: "ws-close", code: 1006, afterEvents: 0 });
    s.createResponse();
    const error = (await collect(s, () => false).catch((e: unknown) => e)) as RealtimeClosedError;
    expect(error).toMatchObject({ code: "realtime_closed", closeCode: 1006, partialTranscript: "" });

    // A transcription-intent socket cannot become a realtime session: the server refuses it.
    const refused = await createRealtimeVoiceSession({ ...base(), url: emu.wsUrl("/v1/realtime?intent=transcription") }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RealtimeServerError);
    expect((refused as RealtimeServerError).param).toBe("session.type");
  });

  it("upgrade 401 → AuthenticationError; bad tools and options are refused before connecting", async () => {
    emu.fault({ kind: "ws-upgrade-status", status: 401 });
    const error = await createRealtimeVoiceSession(base()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(inspect(error)).not.toContain(KEY);
    const before = emu.requests.length;
    await expect(createRealtimeVoiceSession({ ...base(), tools: [{ ...weather, name: "bad name!" }] })).rejects.toThrow(/options\.tools\[0\]\.name/);
    await expect(createRealtimeVoiceSession({ ...base(), tools: [weather, weather] })).rejects.toThrow(/used twice/);
    await expect(createRealtimeVoiceSession({ ...base(), tools: [{ name: "x" } as never] })).rejects.toThrow(/execute: must be a function/);
    await expect(createRealtimeVoiceSession({ ...base(), azureEndpoint: emu.url })).rejects.toMatchObject({ code: "azure_deployment_missing" });
    expect(emu.requests.length).toBe(before);
  });

  it("abort closes the socket and aborts running tools", async () => {
    const rec = recordingWebSocket();
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const s = await createRealtimeVoiceSession({
      ...base(),
      WebSocket: rec.WebSocket,
      signal: controller.signal,
      tools: [{ ...weather, execute: (_args, ctx) => new Promise((resolve) => { toolSignal = ctx.signal; ctx.signal.addEventListener("abort", () => resolve("aborted")); }) }],
    });
    s.sendText("get_weather now");
    const iterating = collect(s, () => false);
    await new Promise((resolve) => s.on("response-done", resolve));
    controller.abort();
    await expect(iterating).rejects.toMatchObject({ code: "aborted" });
    expect(toolSignal?.aborted).toBe(true);
    expect(await allClosed(rec.sockets)).toBe(true);
    expect(() => s.sendText("more")).toThrow(expect.objectContaining({ code: "realtime_not_open" }));
  });

  it("session expiry mid-response: RealtimeSessionExpiredError keeps the partial transcript and audio; nothing is replayed", async () => {
    const rec = recordingWebSocket();
    const s = await createRealtimeVoiceSession({ ...base(), WebSocket: rec.WebSocket });
    emu.fault({ kind: "error-event", code: "session_expired", message: `Your session hit the maximum duration of 60 minutes. ${KEY}`, afterEvents: 8 });
    s.sendText("tell me something long");
    const seen: VoiceEvent[] = [];
    const error = (await (async () => {
      for await (const e of s) seen.push(e);
    })().catch((e: unknown) => e)) as RealtimeSessionExpiredError;
    const announced = (seen.at(-1) as unknown as { error: RealtimeServerError }).error;
    expect(announced).toMatchObject({ code: "realtime_server_error", serverCode: "session_expired" });
    expect(error).toBeInstanceOf(RealtimeSessionExpiredError);
    expect(error).toBeInstanceOf(RealtimeClosedError);
    expect(error).toMatchObject({ code: "realtime_session_expired", closeCode: 1000 });
    expect(error.responseId).toMatch(/^resp_/);
    const heard = of(seen, "transcript-delta").map((e) => e.text).join("");
    expect(heard.length).toBeGreaterThan(0);
    expect(error.partialTranscript).toBe(heard);
    expect(error.partialAudioBytes).toBe(of(seen, "audio").reduce((n, e) => n + e.audio.length, 0));
    expect(error.partialAudioBytes).toBeGreaterThan(0);
    expect(error.serverError).toBe(announced);
    expect(error.message).toMatch(/maximum duration \(Your session hit the maximum duration of 60 minutes\. \[redacted\]\) and closed the connection \(1000\) in the middle of response resp_/);
    expect(inspect(error)).not.toContain(KEY);
    await expect(s.ended).rejects.toBe(error);
    expect(sent("response.create")).toHaveLength(1);
    expect(emu.requests.filter((r) => r.transport === "websocket")).toHaveLength(1);
    expect(await allClosed(rec.sockets)).toBe(true);
  });

  it("expiry between responses has no response id; another error event is attached to a close only when it came within 2 s", async () => {
    const s = await createRealtimeVoiceSession(base());
    emu.fault({ kind: "error-event", code: "session_expired", afterEvents: 0 });
    s.createResponse();
    const idle = (await collect(s, () => false).catch((e: unknown) => e)) as RealtimeSessionExpiredError;
    expect(idle).toBeInstanceOf(RealtimeSessionExpiredError);
    expect(idle).toMatchObject({ code: "realtime_session_expired", responseId: undefined, partialTranscript: "", partialAudioBytes: 0 });
    expect(idle.message).not.toMatch(/in the middle/);

    /** A `server_error` on response 1, `gapMs` of (manual) time, then response 2's socket closes with 1011. */
    const closeAfterError = async (gapMs: number): Promise<RealtimeClosedError> => {
      const clock = manualClock();
      const other = await createRealtimeVoiceSession({ ...base(), clock, heartbeatMs: 0 }); // only the error clock moves
      emu.fault({ kind: "error-event", code: "server_error", afterEvents: 0 });
      other.createResponse();
      for await (const e of other) if (e.type === "error") break;
      clock.advance(gapMs);
      emu.fault({ kind: "ws-close", code: 1011, afterEvents: 0 });
      other.createResponse();
      return (await new Promise((resolve) => other.ended.catch(resolve))) as RealtimeClosedError;
    };
    const soon = await closeAfterError(1_000);
    expect(soon).not.toBeInstanceOf(RealtimeSessionExpiredError);
    expect(soon).toMatchObject({ code: "realtime_closed", closeCode: 1011, serverError: { serverCode: "server_error" } });
    expect(soon.message).toMatch(/The server's last event was an error: Realtime server error server_error/);
    // Minutes later the old, harmless error says nothing about the drop: no serverError, no cause.
    const late = await closeAfterError(120_000);
    expect(late).toMatchObject({ code: "realtime_closed", closeCode: 1011, serverError: undefined });
    expect(late.cause).toBeUndefined();
    expect(late.message).not.toMatch(/last event was an error|server_error/);
  });

  it("a session_expired event explains the close however late the close comes", async () => {
    const clock = manualClock();
    const s = await createRealtimeVoiceSession({ ...base(), clock, heartbeatMs: 0 });
    // Listeners run synchronously with the event, so five minutes pass before the close is handled.
    s.on("error", () => clock.advance(300_000));
    emu.fault({ kind: "error-event", code: "session_expired", afterEvents: 0 });
    s.createResponse();
    const error = (await collect(s, () => false).catch((e: unknown) => e)) as RealtimeSessionExpiredError;
    expect(error).toBeInstanceOf(RealtimeSessionExpiredError);
    expect(error).toMatchObject({ code: "realtime_session_expired", closeCode: 1000, serverError: { serverCode: "session_expired" } });
  });
});
