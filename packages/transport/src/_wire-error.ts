import type { WireError } from "./event-normalizer.js";
import { ServerStreamError, UsageLimitError, type TransportError, type TransportErrorFields } from "./errors.js";

/**
 * Type a server `error` event: a plan usage limit becomes {@link UsageLimitError}, anything
 * else {@link ServerStreamError} with the server's code and message.
 */
export function wireErrorToError(error: WireError, fields: TransportErrorFields, now: number): TransportError {
  const code = error.code;
  if (code === "usage_limit_reached" || code === "usage_not_included") {
    const resets = error.raw.resets_at;
    return new UsageLimitError({
      ...fields,
      serverCode: code,
      plan: typeof error.raw.plan_type === "string" ? error.raw.plan_type : undefined,
      resetsAt: typeof resets === "number" ? resets : undefined,
      now,
    });
  }
  return new ServerStreamError(code, error.message, fields);
}
