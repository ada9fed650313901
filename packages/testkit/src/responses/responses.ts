import type { WebSocket } from "ws";
import type { CoreReply, EmulatorCore } from "../_core.js";
import { openaiError } from "../_router.js";
import type { EmulatorRequest, HttpReply } from "../_types.js";
import { checkCodexAuth, checkCodexBody } from "../codex-backend.js";
import { checkImageTool, imageToolForced } from "./_image-generation.js";
import { buildLifecycle, type Lifecycle } from "./_lifecycle.js";
import { sseHeaders, streamSseChunks, writeSse } from "./_sse-writer.js";
import { defaultTurn } from "./_turn.js";
import { wsErrorJson, writeWs } from "./_ws-writer.js";

/**
 * The Responses endpoints: `POST /v1/responses` (SSE or JSON), `GET /v1/responses/:id`,
 * the WebSocket mode on `/v1/responses`, and the same over the Codex backend path.
 */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Shared checks (spec, Codex rules, previous_response_id); returns an error answer, or a
 * function that picks the turn and builds the stream (optionally into `sink`).
 */
function prepare(
  core: EmulatorCore,
  raw: unknown,
  codex: boolean,
  transport: "http" | "websocket",
  knownIds: ReadonlySet<string>,
  warmup: boolean,
): HttpReply | { body: Record<string, unknown>; build(sink?: (type: string, json: string) => void): Lifecycle } {
  if (!isObject(raw)) return { status: 400, body: openaiError("We could not parse the JSON body of your request. The body must be a JSON object.", "invalid_request_error", "invalid_json") };
  const body = raw;
  if (core.validate && (codex || transport === "websocket")) {
    const violation = core.validator.validate("createResponse", body);
    if (violation) return { status: 400, body: openaiError(violation.message, "invalid_request_error", "invalid_value", violation.param) };
  }
  if (codex) {
    const bad = checkCodexBody(body, transport);
    if (bad) return bad;
  }
  const badTool = checkImageTool(body);
  if (badTool) return badTool;
  const prev = body["previous_response_id"];
  if (typeof prev === "string" && !knownIds.has(prev) && !core.stored.has(prev)) {
    return { status: 400, body: openaiError(`Previous response with id '${prev}' not found.`, "invalid_request_error", "previous_response_not_found", "previous_response_id") };
  }
  return {
    body,
    build: (sink) => {
      // A forced image_generation call answers with the image alone, like the real API.
      const turn = warmup ? {} : (core.turns.next(body) ?? (imageToolForced(body) ? {} : defaultTurn(body, core.defaultReply)));
      const lifecycle = buildLifecycle(body, turn, {
        id: core.nextResponseId(),
        createdAt: Math.floor(core.ctx.now() / 1000),
        alwaysEncryptReasoning: codex,
        warmup,
        sink,
      });
      if (body["store"] !== false) core.stored.set(lifecycle.response["id"] as string, lifecycle.response);
      return lifecycle;
    },
  };
}

/** HTTP `POST` on `/v1/responses` or `/backend-api/codex/responses`. */
export function createResponseHandler(core: EmulatorCore, codex: boolean): (req: EmulatorRequest) => CoreReply {
  return (req) => {
    if (codex) {
      const denied = checkCodexAuth(req.headers, core.ctx.now());
      if (denied) return denied;
    }
    const p = prepare(core, req.json, codex, "http", new Set(), false);
    if (!("build" in p)) return p;
    const requestId = `req_${req.id}`;
    if (p.body["stream"] !== true) return { status: 200, headers: { "x-request-id": requestId }, body: p.build().response };
    const faults = core.faults.take("stream", req.path, "http");
    if (faults.length === 0) {
      return { stream: async (res) => streamSseChunks(res, sseHeaders(requestId), (add) => void p.build(add)) };
    }
    const frames = p.build().frames;
    return { stream: (res) => writeSse(res, frames, faults, core.signal, sseHeaders(requestId)) };
  };
}

/** `GET /v1/responses/:id` for stored responses. */
export function retrieveResponseHandler(core: EmulatorCore): (req: EmulatorRequest) => HttpReply {
  return (req) => {
    const found = core.stored.get(req.params["id"] ?? "");
    if (!found) return { status: 404, body: openaiError(`No response found with id '${req.params["id"]}'.`, "invalid_request_error", "not_found", "response_id") };
    return { status: 200, body: found };
  };
}

/**
 * A WebSocket connection in Responses WebSocket mode: each `response.create` frame yields one
 * full event stream; frames are handled one at a time, in order. Responses created on this
 * connection can be continued with `previous_response_id` even when `store` is false.
 */
export function onResponsesConnection(core: EmulatorCore, codex: boolean): (socket: WebSocket, req: EmulatorRequest) => void {
  return (socket, req) => {
    const knownIds = new Set<string>();
    let chain: Promise<void> = Promise.resolve();
    socket.on("message", (data, isBinary) => {
      chain = chain.then(() => handle(data.toString(), isBinary)).catch(() => socket.terminate());
    });

    const handle = async (text: string, isBinary: boolean): Promise<void> => {
      let frame: unknown;
      try {
        frame = isBinary ? undefined : JSON.parse(text);
      } catch {
        frame = undefined;
      }
      if (!isObject(frame)) return void socket.send(wsErrorJson(400, "invalid_json", "Could not parse the message as a JSON object."));
      if (frame["type"] !== "response.create") {
        return void socket.send(wsErrorJson(400, "unknown_event_type", `Unsupported event type '${String(frame["type"])}'. Expected 'response.create'.`, "type"));
      }
      const { type: _type, stream: _stream, background: _background, generate, stream_id: streamId, ...body } = frame;
      const p = prepare(core, body, codex, "websocket", knownIds, generate === false);
      if (!("build" in p)) {
        const err = (p.body as { error: { code: string | null; message: string; param: string | null } }).error;
        return void socket.send(wsErrorJson(p.status, err.code, err.message, err.param));
      }
      const faults = core.faults.take("stream", req.path, "websocket");
      const lifecycle = p.build();
      knownIds.add(lifecycle.response["id"] as string);
      await writeWs(socket, lifecycle.frames, faults, core.signal, typeof streamId === "string" ? streamId : undefined);
    };
  };
}
