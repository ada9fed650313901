import { z } from "zod";
import { ValidationError } from "@genesis/core";
import { ServerResponseError } from "./_errors.js";
import { joinUrl, sendRequest as request, type HttpRequestOptions as HttpOptions } from "@genesis/transport";

/** One row of `GET /v1/models`. */
export interface LiveModel {
  id: string;
  ownedBy?: string;
  created?: number;
}

const answerSchema = z.object({
  data: z.array(z.object({ id: z.string(), owned_by: z.string().optional(), created: z.number().optional() }).passthrough()),
});

/**
 * List the models an API key can use (`GET {baseUrl}/models`), sorted by id.
 * baseUrl defaults to `https://api.openai.com/v1`.
 */
export async function listOpenAIModels(
  options: { apiKey: string; baseUrl?: string } & Pick<HttpOptions, "fetch" | "maxRetries" | "sleep" | "signal">,
): Promise<LiveModel[]> {
  if (!options?.apiKey) throw new ValidationError("listOpenAIModels: apiKey is required", { path: "apiKey", hint: "Set OPENAI_API_KEY or run `genesis onboard --auth-choice openai-api-key`." });
  const url = joinUrl(options.baseUrl ?? "https://api.openai.com/v1", "/models");
  const res = await request(
    url,
    { method: "GET", headers: { authorization: `Bearer ${options.apiKey}` } },
    { fetch: options.fetch, maxRetries: options.maxRetries, sleep: options.sleep, signal: options.signal, secrets: [options.apiKey] },
  );
  const parsed = answerSchema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new ServerResponseError("GET /models: the answer has no `data` list", { endpoint: "/models" });
  return parsed.data.data
    .map((m) => ({ id: m.id, ...(m.owned_by ? { ownedBy: m.owned_by } : {}), ...(m.created ? { created: m.created } : {}) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
