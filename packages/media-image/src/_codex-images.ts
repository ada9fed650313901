import { imageMime, redactSecrets } from "@genesis/core";
import { AuthenticationError, SseDecoder, UsageLimitError, isUsageLimit, parseErrorBody, sendRequest, type ErrorBody } from "@genesis/transport";
import { CODEX_SSE_BETA, codexResponsesUrl, type CodexCredentialManager, type CodexOAuthSettings } from "@genesis/codex-oauth";
import { ImageGenerationError } from "./image-errors.js";
import type { ImageRequest } from "./image-request.js";
import type { HttpKnobs, RawImage } from "./_images-api.js";
import type { ReferenceImage } from "./_reference-images.js";

/** What the Codex route needs from a credential source (`CodexCredentialManager` fits). */
export type CodexImageCredentials = Pick<CodexCredentialManager, "getCredentials" | "handleUnauthorized">;

/** Text model that drives the hosted tool on the Codex backend. */
export const DEFAULT_CODEX_IMAGE_DRIVER = "gpt-5.5";

const INSTRUCTIONS =
  "Call the image_generation tool exactly once. Use the user's message as the image prompt verbatim. Do not ask questions or add commentary.";

/** The CreateResponse body for one image on the Codex backend. */
export function codexImageBody(req: ImageRequest, refs: readonly ReferenceImage[], modelId: string, driver: string, size: string | undefined): Record<string, unknown> {
  const tool: Record<string, unknown> = { type: "image_generation", model: modelId, action: refs.length > 0 ? "edit" : "generate" };
  if (size) tool.size = size;
  if (req.quality) tool.quality = req.quality;
  if (req.background) tool.background = req.background;
  if (req.outputFormat) tool.output_format = req.outputFormat;
  const content: Record<string, unknown>[] = [{ type: "input_text", text: req.prompt }];
  for (const ref of refs) content.push({ type: "input_image", detail: "auto", image_url: `data:${imageMime(ref.format)};base64,${ref.data.toString("base64")}` });
  return {
    model: driver,
    instructions: INSTRUCTIONS,
    input: [{ type: "message", role: "user", content }],
    tools: [tool],
    tool_choice: { type: "image_generation" },
    store: false,
    stream: true,
  };
}

type Dict = Record<string, unknown>;

/** Read the SSE answer and return the image of the first completed `image_generation_call`. */
async function readImageCall(res: Response, secrets: string[], signal: AbortSignal | undefined): Promise<RawImage> {
  let image: RawImage | undefined;
  let failure: string | undefined;
  let terminal = false;
  const decoder = new SseDecoder((message) => {
    if (!message.data || message.data === "[DONE]") return;
    let event: Dict;
    try {
      event = JSON.parse(message.data) as Dict;
    } catch {
      failure ??= "the stream carried an event that is not JSON";
      return;
    }
    const type = event["type"];
    const take = (item: Dict | undefined): void => {
      if (item?.["type"] !== "image_generation_call") return;
      if (item["status"] === "failed") failure ??= "the image_generation_call failed";
      else if (typeof item["result"] === "string" && item["result"] !== "" && !image) {
        image = { data: Buffer.from(item["result"], "base64") };
        if (typeof item["revised_prompt"] === "string") image.revisedPrompt = redactSecrets(item["revised_prompt"], secrets);
      }
    };
    if (type === "response.output_item.done") take(event["item"] as Dict | undefined);
    else if (type === "response.completed") {
      // The final response repeats the output; it is the last chance to find the call.
      const output = (event["response"] as Dict | undefined)?.["output"];
      if (Array.isArray(output)) for (const item of output) take(item as Dict);
      terminal = true;
    } else if (type === "response.failed" || type === "response.incomplete" || type === "error") {
      const err = ((event["response"] as Dict | undefined)?.["error"] ?? event["error"] ?? event) as Dict;
      const why = (event["response"] as Dict | undefined)?.["incomplete_details"] as Dict | undefined;
      failure ??= typeof err["message"] === "string" ? err["message"] : typeof why?.["reason"] === "string" ? `incomplete: ${why["reason"]}` : String(type);
      terminal = true;
    }
  });
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      decoder.push(value);
      if (terminal) {
        await reader.cancel();
        break;
      }
    }
    decoder.end();
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    throw new ImageGenerationError("image_bad_response", "The Codex image stream broke off.", { route: "codex", cause: error, hint: "Try again; the connection to the Codex backend was interrupted." });
  }
  if (image) return image;
  if (failure) {
    throw new ImageGenerationError("image_generation_failed", `Codex image generation failed: ${redactSecrets(failure, secrets).slice(0, 300)}`, {
      route: "codex",
      hint: "Rephrase the prompt or change size/quality; check your ChatGPT plan's image limits.",
    });
  }
  throw new ImageGenerationError("image_bad_response", terminal ? "The Codex answer contained no image_generation_call result." : "The Codex image stream ended before it completed.", {
    route: "codex",
    hint: "Try again; if it persists the Codex backend did not run the image tool.",
  });
}

/**
 * A ChatGPT plan limit will not lift within a retry's wait: mark such an answer
 * `x-should-retry: false` so it is sent once, and remember it for a `UsageLimitError`.
 */
function usageLimitAware(fetch: typeof globalThis.fetch, seen: { limit?: ErrorBody }): typeof globalThis.fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (res.status !== 429 && res.status !== 403) return res;
    const text = await res.text();
    const body = parseErrorBody(text);
    if (!isUsageLimit(res.status, body)) return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    seen.limit = body;
    const headers = new Headers(res.headers);
    headers.set("x-should-retry", "false");
    return new Response(text, { status: res.status, statusText: res.statusText, headers });
  };
}

/** How many calls of one model the backend may be charging for (see {@link trackSpend}). */
export interface ImageSpend {
  risked: number;
}

/**
 * Wrap one call's fetch so `spend.risked` counts it while the backend may be charging for it:
 * from the moment a request goes out, until an answer refuses it (non-2xx: nothing was made)
 * or the connection fails on its own. A 2xx, or a request cut off by our own abort (a sibling
 * failed, the caller stopped) stays counted: the image may be generated and billed anyway.
 */
export function trackSpend(fetch: typeof globalThis.fetch, spend: ImageSpend): typeof globalThis.fetch {
  let risked = false;
  const mark = (on: boolean): void => {
    if (on === risked) return;
    risked = on;
    spend.risked += on ? 1 : -1;
  };
  return async (input, init) => {
    // A request started after the abort never leaves the process.
    if (!init?.signal?.aborted) mark(true);
    try {
      const res = await fetch(input, init);
      if (!res.ok) mark(false);
      return res;
    } catch (error) {
      if (!init?.signal?.aborted) mark(false);
      throw error;
    }
  };
}

/**
 * One image through the Codex Responses backend with the `image_generation` tool, signed in
 * with the stored ChatGPT/Codex OAuth token (`Authorization: Bearer`, `chatgpt-account-id`,
 * `originator`, `OpenAI-Beta: responses=experimental`). A 401 refreshes the token once and
 * retries. No API key is ever consulted or sent on this route.
 */
export async function callCodexImage(
  body: Record<string, unknown>,
  credentials: CodexImageCredentials,
  settings: Pick<CodexOAuthSettings, "codexBaseUrl" | "originator">,
  http: HttpKnobs,
  /** Receives the OAuth tokens used, so callers can redact them from their own records. */
  secretSink?: string[],
): Promise<RawImage> {
  const url = codexResponsesUrl(settings);
  const text = JSON.stringify(body);
  const seen: { limit?: ErrorBody } = {};
  const fetch = usageLimitAware(http.fetch, seen);
  for (let attempt = 0; ; attempt++) {
    const creds = await credentials.getCredentials({ signal: http.signal });
    const secrets = [creds.access, creds.refresh, creds.idToken].filter((s): s is string => typeof s === "string");
    secretSink?.push(...secrets);
    const headers = {
      authorization: `Bearer ${creds.access}`,
      "chatgpt-account-id": creds.accountId,
      originator: settings.originator,
      "OpenAI-Beta": CODEX_SSE_BETA,
      accept: "text/event-stream",
      "content-type": "application/json",
    };
    let res: Response;
    try {
      res = await sendRequest(url, { method: "POST", headers, body: text }, { fetch, signal: http.signal, maxRetries: http.maxRetries, sleep: http.sleep, secrets });
    } catch (error) {
      if (seen.limit) {
        const { planType, resetsAt, code } = seen.limit;
        throw new UsageLimitError({ serverCode: code, secrets, ...(planType ? { plan: planType } : {}), ...(resetsAt !== undefined ? { resetsAt } : {}), now: http.now?.() });
      }
      if (attempt === 0 && error instanceof AuthenticationError) {
        await credentials.handleUnauthorized(creds.access, { signal: http.signal });
        continue;
      }
      throw error;
    }
    return readImageCall(res, secrets, http.signal);
  }
}
