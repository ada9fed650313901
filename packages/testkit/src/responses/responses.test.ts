import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KEY, openSocket, post, sseFrames } from "../__fixtures__/clients.js";
import { startEmulator, type Emulator } from "../index.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe("Responses over SSE", () => {
  it("writes `event:`/`data:` frames with increasing sequence numbers and a terminal event", async () => {
    const r = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "hi", stream: true });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(r.text.endsWith("\n\n")).toBe(true);
    const frames = sseFrames(r.text);
    frames.forEach((f, i) => {
      const data = JSON.parse(f.data) as { type: string; sequence_number: number };
      expect(data.type).toBe(f.event);
      expect(data.sequence_number).toBe(i);
    });
    expect(frames.map((f) => f.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("adds a compaction item when context_management's threshold is exceeded", async () => {
    const input = "word ".repeat(1000);
    const r = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input, context_management: [{ type: "compaction", compact_threshold: 1000 }] });
    const body = JSON.parse(r.text) as { output: { type: string; encrypted_content?: string }[] };
    expect(body.output[0]).toMatchObject({ type: "compaction", encrypted_content: expect.any(String) });
    const small = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "short", context_management: [{ type: "compaction", compact_threshold: 1000 }] });
    expect((JSON.parse(small.text) as { output: { type: string }[] }).output.map((o) => o.type)).toEqual(["message"]);
  });

  it("pads a stream to the requested number of events", async () => {
    emu.script({ text: "a b c", events: 500 });
    const r = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "x", stream: true });
    const n = sseFrames(r.text).length;
    expect(n).toBeGreaterThanOrEqual(495);
    expect(n).toBeLessThanOrEqual(505);
  });

  it("answers scripted functions of the request body, then falls back to the default reply", async () => {
    emu.script((body) => ({ text: `model was ${String(body["model"])}` }));
    const a = JSON.parse((await post(`${emu.apiBase}/responses`, { model: "gpt-5.4-mini", input: "x" })).text) as { output: { content: { text: string }[] }[] };
    expect(a.output[0]!.content[0]!.text).toBe("model was gpt-5.4-mini");
    const b = JSON.parse((await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: [{ role: "user", content: [{ type: "input_text", text: "again" }] }] })).text) as { output: { content: { text: string }[] }[] };
    expect(b.output[0]!.content[0]!.text).toBe("Echo: again");
  });

  it("continues stored responses and rejects unknown previous_response_id", async () => {
    const first = JSON.parse((await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "x" })).text) as { id: string };
    expect((await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "y", previous_response_id: first.id })).status).toBe(200);
    const bad = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "y", previous_response_id: "resp_missing" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: "previous_response_not_found", param: "previous_response_id" } });
    const got = await fetch(`${emu.apiBase}/responses/${first.id}`, { headers: KEY });
    expect(((await got.json()) as { id: string }).id).toBe(first.id);
  });

  it("requires an API key on /v1 and honours the apiKeys allow-list", async () => {
    expect((await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "x" }, {})).status).toBe(401);
    const strict = await startEmulator({ apiKeys: ["sk-good"] });
    try {
      const bad = await post(`${strict.apiBase}/responses`, { model: "gpt-5.4", input: "x" }, { authorization: "Bearer sk-bad-0123456789" });
      expect(bad.status).toBe(401);
      expect(bad.text).not.toContain("sk-bad-0123456789");
      expect((await post(`${strict.apiBase}/responses`, { model: "gpt-5.4", input: "x" }, { "api-key": "sk-good" })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it("answers 400 in OpenAI's error shape naming the field for spec violations, and records the request", async () => {
    const turbo = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "x", stream: true, service_tier: "turbo" });
    expect(turbo.status).toBe(400);
    expect(turbo.headers.get("content-type")).toBe("application/json");
    const err = (JSON.parse(turbo.text) as { error: Record<string, unknown> }).error;
    expect(err).toMatchObject({ type: "invalid_request_error", code: "invalid_value", param: "service_tier" });
    expect(err["message"]).toMatch(/^Invalid value for service_tier: "turbo" \(must be one of "auto", "default", "flex", "scale", "priority"/);
    const compact = await post(`${emu.apiBase}/responses`, { model: "gpt-5.4", input: "x", context_management: [{ type: "compaction", compact_threshold: 10 }] });
    expect(compact.status).toBe(400);
    expect(JSON.parse(compact.text)).toMatchObject({ error: { param: "context_management[0].compact_threshold", code: "invalid_value" } });
    expect(emu.requests.map((r) => r.body)).toMatchObject([{ service_tier: "turbo" }, { context_management: [{ compact_threshold: 10 }] }]);
    // The same bodies pass with validation off, so the 400s above come from the spec check.
    const lax = await startEmulator({ validate: false });
    try {
      expect((await post(`${lax.apiBase}/responses`, { model: "gpt-5.4", input: "x", service_tier: "turbo" })).status).toBe(200);
    } finally {
      await lax.close();
    }
  });

  it("answers 404 in OpenAI's error shape for unknown paths", async () => {
    const r = await post(`${emu.url}/v1/nope`, {});
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toEqual({ error: { message: "Invalid URL (POST /v1/nope)", type: "invalid_request_error", param: null, code: null } });
  });
});

describe("Responses WebSocket mode", () => {
  it("warms up with generate:false, then streams a turn; frames are recorded", async () => {
    const s = await openSocket(emu.wsUrl("/v1/responses"));
    s.ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.4", input: [], generate: false }));
    const warm = await s.untilTerminal();
    expect(warm.map((m) => m.type)).toEqual(["response.created", "response.completed"]);
    expect((warm.at(-1)!["response"] as { output: unknown[] }).output).toEqual([]);
    emu.script({ text: "over the socket" });
    s.ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.4", input: "go", store: false, previous_response_id: (warm[0]!["response"] as { id: string }).id }));
    const turn = await s.untilTerminal();
    expect(turn.at(-1)!.type).toBe("response.completed");
    const text = turn.filter((m) => m.type === "response.output_text.delta").map((m) => m["delta"]).join("");
    expect(text).toBe("over the socket");
    const rec = emu.requests.at(-1)!;
    expect(rec.transport).toBe("websocket");
    expect(rec.path).toBe("/v1/responses");
    expect(rec.frames).toHaveLength(2);
    expect(rec.frames![1]).toMatchObject({ type: "response.create", input: "go" });
    s.ws.close();
  });

  it("answers an invalid response.create with an error event naming the field, keeping the socket open", async () => {
    const s = await openSocket(emu.wsUrl("/v1/responses"));
    s.ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.4", input: "x", service_tier: "turbo" }));
    const [err] = (await s.take(1)) as { type: string; status: number; error: { param: string; message: string } }[];
    expect(err).toMatchObject({ type: "error", status: 400, error: { param: "service_tier" } });
    expect(err!.error.message).toContain('service_tier: "turbo"');
    s.ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.4", input: "x" }));
    expect((await s.untilTerminal()).at(-1)!.type).toBe("response.completed");
    s.ws.close();
  });

  it("echoes stream_id on every event of its lane", async () => {
    const s = await openSocket(emu.wsUrl("/v1/responses"));
    s.ws.send(JSON.stringify({ type: "response.create", stream_id: "lane-1", model: "gpt-5.4", input: "x" }));
    const events = await s.untilTerminal();
    expect(events.every((e) => e["stream_id"] === "lane-1")).toBe(true);
    s.ws.close();
  });

  it("refuses the upgrade without an API key", async () => {
    await expect(openSocket(emu.wsUrl("/v1/responses"), {})).rejects.toMatchObject({ status: 401 });
  });
});

describe("Azure-shaped Responses path (/openai/v1/responses)", () => {
  it("needs an api-key (401 before validation) and then behaves like /v1/responses, over HTTP and WebSocket", async () => {
    const url = `${emu.url}/openai/v1/responses`;
    const noKey = await post(url, { model: "my-deployment", input: "x", service_tier: "turbo" }, {});
    expect(noKey.status).toBe(401);
    expect((await post(url, { model: "my-deployment", input: "x", service_tier: "turbo" }, { "api-key": "azure-key" })).status).toBe(400);
    const ok = JSON.parse((await post(url, { model: "my-deployment", input: "hey" }, { "api-key": "azure-key" })).text) as { model: string; output: { content: { text: string }[] }[] };
    expect(ok.model).toBe("my-deployment");
    expect(ok.output[0]!.content[0]!.text).toBe("Echo: hey");
    expect(emu.requests.at(-1)!.headers["api-key"]).toBe("[redacted]");
    await expect(openSocket(emu.wsUrl("/openai/v1/responses"), {})).rejects.toMatchObject({ status: 401 });
    const s = await openSocket(emu.wsUrl("/openai/v1/responses"), { "api-key": "azure-key" });
    s.ws.send(JSON.stringify({ type: "response.create", model: "my-deployment", input: "x" }));
    expect((await s.untilTerminal()).at(-1)!.type).toBe("response.completed");
    s.ws.close();
  });
});
