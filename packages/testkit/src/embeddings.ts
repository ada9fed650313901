import { digest, errorReply, isReply, jsonObject } from "./_endpoint-util.js";
import type { RouteDef } from "./_types.js";

/**
 * `/v1/embeddings` with deterministic vectors. Each word of the input adds a fixed, hashed
 * ±1 pattern to the vector (feature hashing), so texts sharing words get a higher cosine
 * similarity, which makes memory-search tests meaningful. `dimensions` truncates the
 * full-size vector and re-normalises it, as the real API does for text-embedding-3 models.
 */

const NATIVE_DIMS: Record<string, number> = { "text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536 };

/** Computes the full-size, L2-normalised embedding of one input. */
export function embedText(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const features = words.length > 0 ? words : [text];
  for (const word of features) {
    const h = digest(word);
    // 16 (index, sign) pairs per feature from the 32 hash bytes.
    for (let i = 0; i < 32; i += 2) {
      const index = ((h[i]! << 8) | h[i + 1]!) % dims;
      v[index]! += h[(i + 7) % 32]! & 1 ? 1 : -1;
    }
  }
  // A little input-specific noise keeps different texts with the same words distinct.
  const noise = digest(`noise:${text}`);
  for (let i = 0; i < dims; i++) v[i]! += (noise[i % 32]! - 127.5) / 2550;
  return normalize(v);
}

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** Float32 little-endian bytes as base64, the API's `encoding_format: "base64"`. */
export function float32Base64(v: Float32Array): string {
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i]!, i * 4);
  return b.toString("base64");
}

type Input = string | number[];

function readInputs(raw: unknown): Input[] | string {
  if (typeof raw === "string") return raw === "" ? "'$.input' is invalid: it must not be an empty string." : [raw];
  if (!Array.isArray(raw) || raw.length === 0) return "'$.input' is invalid: expected a non-empty string or array.";
  if (raw.length > 2048) return "'$.input' is invalid: at most 2048 inputs per request.";
  if (raw.every((x) => typeof x === "number")) return [raw as number[]];
  const out: Input[] = [];
  for (const item of raw) {
    if (typeof item === "string" && item !== "") out.push(item);
    else if (Array.isArray(item) && item.length > 0 && item.every((x) => Number.isInteger(x))) out.push(item as number[]);
    else return "'$.input' is invalid: every item must be a non-empty string or token array.";
  }
  return out;
}

/** Routes of this module. */
export const embeddingRoutes: RouteDef[] = [
  {
    method: "POST",
    pattern: "/v1/embeddings",
    operationId: "createEmbedding",
    handler(req) {
      const body = jsonObject(req);
      if (isReply(body)) return body;
      const model = typeof body["model"] === "string" ? body["model"] : "";
      if (!model) return errorReply(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter");
      const inputs = readInputs(body["input"]);
      if (typeof inputs === "string") return errorReply(400, inputs, "input", "invalid_value");
      const native = NATIVE_DIMS[model] ?? 1536;
      let dims = native;
      if (body["dimensions"] !== undefined) {
        if (model === "text-embedding-ada-002") return errorReply(400, "This model does not support specifying dimensions.", "dimensions", "invalid_value");
        const d = body["dimensions"];
        if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > native) {
          return errorReply(400, `Invalid value for 'dimensions' = ${String(d)}. Must be between 1 and ${native}.`, "dimensions", "invalid_value");
        }
        dims = d;
      }
      const base64 = body["encoding_format"] === "base64";
      let tokens = 0;
      const data = inputs.map((input, index) => {
        const text = typeof input === "string" ? input : input.join(" ");
        tokens += typeof input === "string" ? Math.max(1, Math.ceil(input.length / 4)) : input.length;
        const full = embedText(text, native);
        const vec = dims === native ? full : normalize(full.slice(0, dims));
        return { object: "embedding", index, embedding: base64 ? float32Base64(vec) : Array.from(vec) };
      });
      return { status: 200, body: { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
    },
  },
];
