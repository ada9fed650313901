import { assertUrlAllowed, createGuardedFetch, type LookupAllFn } from "@genesis/transport";
import type { ImageRoute } from "./_image-route.js";

/**
 * The one place the SSRF guard applies. The default OpenAI endpoint is trusted; any other
 * image base URL (a proxy, a LAN server, an Azure resource) must resolve to public addresses
 * unless `browser.ssrfPolicy.dangerouslyAllowPrivateNetwork` is true.
 *
 * The base URL is checked up front, so a refusal surfaces as `SsrfBlockedError` itself (inside
 * `sendRequest` it would be wrapped as a connection failure and retried). The returned fetch
 * checks again per request: without an injected `fetch` it is the guarded fetch, which pins
 * the connection to the checked addresses (no DNS-rebinding window); an injected `fetch` is
 * the caller's transport, so each URL is checked and then handed to it.
 * @throws SsrfBlockedError before any connection is made.
 */
export async function fetchForRoute(
  route: Extract<ImageRoute, { kind: "openai" | "azure" }>,
  injected: typeof globalThis.fetch | undefined,
  lookup: LookupAllFn | undefined,
): Promise<typeof globalThis.fetch> {
  if (!route.custom) return injected ?? globalThis.fetch;
  const guard = { policy: { dangerouslyAllowPrivateNetwork: route.allowPrivateNetwork }, ...(lookup ? { lookup } : {}) };
  await assertUrlAllowed(route.baseUrl, guard);
  if (!injected) return createGuardedFetch(guard);
  return async (input, init) => {
    await assertUrlAllowed(typeof input === "string" || input instanceof URL ? input : input.url, guard);
    return injected(input, init);
  };
}
