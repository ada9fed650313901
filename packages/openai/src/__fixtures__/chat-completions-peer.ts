import { createServer, type IncomingMessage, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

/**
 * A loopback OpenAI-compatible Chat Completions peer for tests (the testkit emulator serves the
 * Responses API, not Chat Completions). Validates every body against the official
 * CreateChatCompletionRequest schema (400 on violation), records requests, and streams
 * scripted replies as `chat.completion.chunk` SSE.
 */
export interface ChatScript {
  text?: string;
  toolCalls?: { name: string; arguments: string; id?: string }[];
  usage?: { prompt: number; cached?: number; completion: number };
  /** End the stream without finish_reason and [DONE]. */
  truncate?: boolean;
}

export interface ChatPeer {
  url: string;
  requests: { path: string; headers: Record<string, string | string[] | undefined>; body: any }[];
  script(...turns: ChatScript[]): void;
  close(): Promise<void>;
}

function rewrite(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(rewrite);
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.nullable === true) {
    delete o.nullable;
    if (typeof o.type === "string") o.type = [o.type, "null"];
  }
  if (Array.isArray(o.oneOf) && !o.anyOf) {
    o.anyOf = o.oneOf;
    delete o.oneOf;
  }
  Object.values(o).forEach(rewrite);
}

let validate: ReturnType<Ajv2020["compile"]> | undefined;
function validator() {
  if (validate) return validate;
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL("./chat-completions-request.schema.json", import.meta.url)), "utf8"));
  rewrite(doc);
  const ajv = new Ajv2020({ strict: false, allErrors: false, logger: false });
  ajv.addSchema({ $id: "spec", components: doc.components });
  validate = ajv.compile({ $ref: "spec#/components/schemas/CreateChatCompletionRequest" });
  return validate;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startChatPeer(): Promise<ChatPeer> {
  const queue: ChatScript[] = [];
  const requests: ChatPeer["requests"] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    requests.push({ path: req.url ?? "", headers: req.headers, body });
    if (req.url !== "/v1/chat/completions" || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const v = validator();
    if (!v(body)) {
      const e = v.errors?.[0];
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `${e?.instancePath} ${e?.message}`, type: "invalid_request_error" } }));
      return;
    }
    const turn = queue.shift() ?? { text: "ok" };
    res.writeHead(200, { "content-type": "text/event-stream" });
    const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: body.model };
    const send = (choice: object | undefined, extra: object = {}) =>
      res.write(`data: ${JSON.stringify({ ...base, choices: choice ? [{ index: 0, ...choice }] : [], ...extra })}\n\n`);
    send({ delta: { role: "assistant", content: "" }, finish_reason: null });
    for (const piece of (turn.text ?? "").match(/.{1,4}/gs) ?? []) send({ delta: { content: piece }, finish_reason: null });
    (turn.toolCalls ?? []).forEach((call, i) => {
      send({ delta: { tool_calls: [{ index: i, id: call.id ?? `call_${i}`, type: "function", function: { name: call.name, arguments: "" } }] }, finish_reason: null });
      send({ delta: { tool_calls: [{ index: i, function: { arguments: call.arguments } }] }, finish_reason: null });
    });
    if (turn.truncate) return res.end();
    send({ delta: {}, finish_reason: turn.toolCalls?.length ? "tool_calls" : "stop" });
    const u = turn.usage ?? { prompt: 10, completion: 5 };
    send(undefined, { usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion, prompt_tokens_details: { cached_tokens: u.cached ?? 0 } } });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...turns) => queue.push(...turns),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
