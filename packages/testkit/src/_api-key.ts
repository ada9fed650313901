import type { IncomingHttpHeaders } from "node:http";
import { maskSecret } from "@genesis/core";
import { openaiError } from "./_router.js";
import type { HttpReply } from "./_types.js";

/**
 * API-key rules for `/v1/*`: a `Bearer` token, an `api-key` header, or (WebSocket only) the
 * browser subprotocol `openai-insecure-api-key.<key>`. With `apiKeys` unset any non-empty
 * key passes; with it set, the key must be listed.
 */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers["authorization"];
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const apiKey = headers["api-key"];
  if (typeof apiKey === "string" && apiKey.trim() !== "") return apiKey.trim();
  const protocols = headers["sec-websocket-protocol"];
  if (typeof protocols === "string") {
    for (const p of protocols.split(",")) {
      const t = p.trim();
      if (t.startsWith("openai-insecure-api-key.")) return t.slice("openai-insecure-api-key.".length);
    }
  }
  return undefined;
}

/** The 401 answer for a missing or unknown key, or undefined when the key is accepted. */
export function checkApiKey(headers: IncomingHttpHeaders, accepted: readonly string[] | undefined): HttpReply | undefined {
  const key = apiKeyOf(headers);
  if (!key) {
    return {
      status: 401,
      body: openaiError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "invalid_request_error",
        "missing_api_key",
      ),
    };
  }
  if (accepted && !accepted.includes(key)) {
    return { status: 401, body: openaiError(`Incorrect API key provided: ${maskSecret(key)}.`, "invalid_request_error", "invalid_api_key") };
  }
  return undefined;
}

/**
 * Azure OpenAI accepts an `api-key` header (resource key) or `Authorization: Bearer` (Entra
 * token); with `apiKeys` set the value must be listed. Used by the Azure-shaped Responses path.
 */
export function checkAzureKey(headers: IncomingHttpHeaders, accepted: readonly string[] | undefined): HttpReply | undefined {
  const key = apiKeyOf(headers);
  if (!key) {
    return {
      status: 401,
      body: openaiError("Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.", "invalid_request_error", "401"),
    };
  }
  if (accepted && !accepted.includes(key)) {
    return { status: 401, body: openaiError("Access denied due to invalid subscription key or wrong API endpoint.", "invalid_request_error", "401") };
  }
  return undefined;
}
