import { z } from "zod";
import { imageMime, redactSecrets } from "@genesis/core";
import { joinUrl, sendRequest, type SleepFn } from "@genesis/transport";
import { azureAuthHeaders, azureDeploymentUrl, resolveAzureApiVersion } from "@genesis/azure";
import { ImageGenerationError } from "./image-errors.js";
import type { ImageRequest } from "./image-request.js";
import type { ImageRoute } from "./_image-route.js";
import type { ReferenceImage } from "./_reference-images.js";

/** One decoded image as a route returns it (bytes not yet checked or written). */
export interface RawImage {
  data: Buffer;
  revisedPrompt?: string;
}

/** HTTP knobs shared by the routes. */
export interface HttpKnobs {
  fetch: typeof globalThis.fetch;
  signal?: AbortSignal;
  maxRetries?: number;
  sleep?: SleepFn;
  env: NodeJS.ProcessEnv;
  now?: () => number;
}

// Minimal answer schema: only what Genesis reads. `url` answers (dall-e defaults) are refused
// below because Genesis always asks for base64.
const imagesAnswer = z.looseObject({
  data: z.array(z.looseObject({ b64_json: z.string().optional(), url: z.string().optional(), revised_prompt: z.string().optional() })).min(1),
});

function fields(req: ImageRequest, modelId: string): Record<string, string | number> {
  const out: Record<string, string | number> = { prompt: req.prompt, n: req.count };
  if (req.size) out.size = req.size;
  if (req.quality) out.quality = req.quality;
  if (modelId.startsWith("dall-e")) {
    // dall-e answers URLs unless asked; it knows no background/output_format.
    out.response_format = "b64_json";
    return out;
  }
  if (req.background) out.background = req.background;
  if (req.outputFormat) out.output_format = req.outputFormat;
  return out;
}

/**
 * The API-key route: `POST {baseUrl}/images/generations` (JSON) or `/images/edits`
 * (multipart, one `image[]` part per reference) with `Authorization: Bearer`; on an Azure
 * host the deployment-scoped path, `?api-version=` and the `api-key` header instead (the
 * deployment picks the model, so no `model` field is sent there).
 */
export async function callImagesApi(
  req: ImageRequest,
  refs: readonly ReferenceImage[],
  route: Extract<ImageRoute, { kind: "openai" | "azure" }>,
  http: HttpKnobs,
): Promise<RawImage[]> {
  const edit = refs.length > 0;
  const azure = route.kind === "azure";
  const url = azure
    ? azureDeploymentUrl(route.baseUrl, route.modelId, edit ? "images/edits" : "images/generations", resolveAzureApiVersion(http.env))
    : joinUrl(route.baseUrl, edit ? "/images/edits" : "/images/generations");
  const headers: Record<string, string> = azure ? { ...azureAuthHeaders(route.apiKey) } : { authorization: `Bearer ${route.apiKey}` };
  const body: Record<string, string | number> = { ...(azure ? {} : { model: route.modelId }), ...fields(req, route.modelId) };
  let payload: string | FormData;
  if (edit) {
    const form = new FormData();
    for (const [k, v] of Object.entries(body)) form.append(k, String(v));
    for (const ref of refs) form.append("image[]", new Blob([new Uint8Array(ref.data)], { type: imageMime(ref.format) }), ref.filename);
    payload = form;
  } else {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await sendRequest(url, { method: "POST", headers, body: payload }, {
    fetch: http.fetch, signal: http.signal, maxRetries: http.maxRetries, sleep: http.sleep, secrets: [route.apiKey],
  });
  let json: unknown;
  try {
    json = await res.json();
  } catch (error) {
    if (http.signal?.aborted) throw http.signal.reason ?? error;
    throw new ImageGenerationError("image_bad_response", `The ${route.kind === "azure" ? "Azure" : "Images API"} answer was not JSON.`, { route: route.kind, cause: error, hint: "Check that the base URL points at an OpenAI-compatible Images API." });
  }
  const parsed = imagesAnswer.safeParse(json);
  if (!parsed.success) {
    throw new ImageGenerationError("image_bad_response", "The Images API answer has no image data.", { route: route.kind, hint: "Check that the base URL points at an OpenAI-compatible Images API." });
  }
  return parsed.data.data.map((item, i) => {
    if (!item.b64_json) {
      throw new ImageGenerationError("image_bad_response", `Image ${i + 1} came back without b64_json${item.url ? " (only a URL)" : ""}.`, {
        route: route.kind,
        hint: "Use a GPT image model (e.g. openai/gpt-image-2), which answers base64 data.",
      });
    }
    const image: RawImage = { data: Buffer.from(item.b64_json, "base64") };
    if (item.revised_prompt) image.revisedPrompt = redactSecrets(item.revised_prompt, [route.apiKey]);
    return image;
  });
}
