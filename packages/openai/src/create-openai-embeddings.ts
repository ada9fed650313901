import { z } from "zod";
import { ValidationError } from "@genesis/core";
import { ServerResponseError } from "./_errors.js";
import { joinUrl, sendRequest as request, type HttpRequestOptions as HttpOptions } from "@genesis/transport";

/** The default memory embedding model. */
export const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";

const optionsSchema = z.object({
  apiKey: z.string().min(1, "apiKey is required"),
  baseUrl: z.string().url().default("https://api.openai.com/v1"),
  model: z.string().min(1).default(DEFAULT_EMBEDDING_MODEL),
  dimensions: z.number().int().positive().optional(),
  batchSize: z.number().int().min(1).max(2048).default(100),
});

/** Options of {@link createOpenAIEmbeddings}. */
export type OpenAIEmbeddingsOptions = z.input<typeof optionsSchema> & Pick<HttpOptions, "fetch" | "maxRetries" | "sleep">;

/** The memory embedding provider. */
export interface OpenAIEmbeddings {
  readonly model: string;
  readonly dimensions: number | undefined;
  /** One vector per text, in input order. Texts are sent `batchSize` at a time. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}

const answerSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

/**
 * Create an embeddings client for `POST {baseUrl}/embeddings`.
 * Defaults: model `text-embedding-3-small`, baseUrl `https://api.openai.com/v1`, batchSize 100.
 * `dimensions` is forwarded when set (text-embedding-3 models shorten vectors server-side).
 */
export function createOpenAIEmbeddings(options: OpenAIEmbeddingsOptions): OpenAIEmbeddings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`embeddings: ${issue.path.join(".") || "options"}: ${issue.message}`, {
      path: issue.path.join("."),
      hint: "Pass { apiKey, baseUrl?, model?, dimensions?, batchSize? } (apiKey falls back to OPENAI_API_KEY in the CLI).",
    });
  }
  const { apiKey, baseUrl, model, dimensions, batchSize } = parsed.data;
  const url = joinUrl(baseUrl, "/embeddings");
  const http = { fetch: options.fetch, maxRetries: options.maxRetries, sleep: options.sleep };

  async function embedBatch(batch: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const body: Record<string, unknown> = { model, input: batch, encoding_format: "float" };
    if (dimensions !== undefined) body.dimensions = dimensions;
    const res = await request(
      url,
      { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) },
      { ...http, signal, secrets: [apiKey] },
    );
    const answer = answerSchema.safeParse(await res.json().catch(() => undefined));
    if (!answer.success || answer.data.data.length !== batch.length) {
      throw new ServerResponseError("embeddings: the server's answer did not hold one vector per input", { endpoint: "/embeddings" });
    }
    const out: number[][] = new Array(batch.length);
    for (const row of answer.data.data) out[row.index] = row.embedding;
    return out;
  }

  return {
    model,
    dimensions,
    async embed(texts, opts = {}) {
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string" || t.length === 0)) {
        throw new ValidationError("embeddings: every input must be a non-empty string", { path: "texts" });
      }
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        vectors.push(...(await embedBatch(texts.slice(i, i + batchSize), opts.signal)));
      }
      return vectors;
    },
  };
}
