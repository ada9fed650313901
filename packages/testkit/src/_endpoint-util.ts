import { createHash } from "node:crypto";
import { MultipartError, parseMultipart, type MultipartBody } from "./_multipart.js";
import { openaiError } from "./_router.js";
import type { EmulatorContext, EmulatorRequest, HttpReply } from "./_types.js";

/**
 * Small helpers shared by the media, audio, embeddings, realtime and Azure endpoint modules.
 */

/** An OpenAI-shaped JSON error reply. */
export function errorReply(status: number, message: string, param: string | null = null, code: string | null = null, type = "invalid_request_error"): HttpReply {
  return markReply({ status, body: openaiError(message, type, code, param) });
}

// Replies built here are remembered so `isReply` never mistakes a parsed body for one.
const REPLIES = new WeakSet<object>();

/** Marks an HttpReply so helpers returning `T | HttpReply` can be told apart with {@link isReply}. */
export function markReply(reply: HttpReply): HttpReply {
  REPLIES.add(reply);
  return reply;
}

/** The JSON object body, or a 400 reply when the body is not a JSON object. */
export function jsonObject(req: EmulatorRequest): Record<string, unknown> | HttpReply {
  const j = req.json;
  if (typeof j === "object" && j !== null && !Array.isArray(j)) return j as Record<string, unknown>;
  return errorReply(400, "We could not parse the JSON body of your request. Expected a JSON object.");
}

/** The multipart body, or a 400/413 reply. */
export function multipartBody(req: EmulatorRequest): MultipartBody | HttpReply {
  const ct = req.headers["content-type"];
  try {
    return parseMultipart(req.rawBody, typeof ct === "string" ? ct : undefined);
  } catch (err) {
    if (err instanceof MultipartError) return errorReply(err.status, err.message);
    throw err;
  }
}

/** True when a value produced by the helpers above is a reply to send as-is. */
export function isReply(v: unknown): v is HttpReply {
  return typeof v === "object" && v !== null && REPLIES.has(v);
}

/** True when the request body is multipart/form-data. */
export function isMultipart(req: EmulatorRequest): boolean {
  const ct = req.headers["content-type"];
  return typeof ct === "string" && /^multipart\/form-data/i.test(ct);
}

/** SHA-256 of text, as a Buffer (deterministic seeds for generated content). */
export function digest(text: string | Buffer): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Per-emulator monotonic counter under `key`, for ids like `video_000001`. */
export function nextSeq(ctx: EmulatorContext, key: string): number {
  const slot = `seq:${key}`;
  const n = ((ctx.state.get(slot) as number | undefined) ?? 0) + 1;
  ctx.state.set(slot, n);
  return n;
}

/** A deterministic, realistic-looking id: prefix + 32 hex chars derived from a counter. */
export function makeId(ctx: EmulatorContext, prefix: string): string {
  const n = nextSeq(ctx, prefix);
  return `${prefix}_${digest(`${prefix}:${n}`).toString("hex").slice(0, 32)}`;
}

/** Seconds since epoch from the emulator clock. */
export function unixNow(ctx: EmulatorContext): number {
  return Math.floor(ctx.now() / 1000);
}

/** A rough token count (4 characters per token, at least 1), like the usage the API reports. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Gets or creates a module's state slot. */
export function slot<T>(ctx: EmulatorContext, key: string, create: () => T): T {
  let v = ctx.state.get(key) as T | undefined;
  if (v === undefined) {
    v = create();
    ctx.state.set(key, v);
  }
  return v;
}
