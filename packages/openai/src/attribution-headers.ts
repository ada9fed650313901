import type { OpenAIRoute } from "./openai-route.js";
import { isOpenAINativeHost } from "./openai-route.js";

/** The `originator` Genesis announces on verified native OpenAI/Codex hosts. */
export const GENESIS_ORIGINATOR = "genesis";

/** Hosts that receive attribution headers, per native class (the hosts core classifies as native). */
export const VERIFIED_NATIVE_HOSTS: Readonly<Record<"native-openai" | "native-codex", readonly string[]>> = Object.freeze({
  "native-openai": Object.freeze(["api.openai.com"]),
  "native-codex": Object.freeze(["chatgpt.com"]),
});

/** `genesis/<version> (node <v>; <platform> <arch>)`. */
export function genesisUserAgent(version: string = __GENESIS_VERSION__): string {
  return `genesis/${version} (node ${process.versions.node}; ${process.platform} ${process.arch})`;
}

// Loopback only (not private networks): traffic there never leaves the machine, and it is how
// native shaping is exercised against a local emulator with a forced endpoint class.
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether `baseUrl` is a host that may see attribution headers for `endpointClass`:
 * `https://api.openai.com` for `native-openai`, `https://chatgpt.com/backend-api...` for
 * `native-codex`, or a loopback address. A class forced in config on any other host (a proxy)
 * is not enough. Unparseable or missing URLs are never verified.
 */
export function isVerifiedNativeHost(route: Pick<OpenAIRoute, "endpointClass"> & { baseUrl?: string }): boolean {
  if (!isOpenAINativeHost(route) || !route.baseUrl) return false;
  let url: URL;
  try {
    url = new URL(route.baseUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (isLoopback(url.hostname)) return url.protocol === "http:" || url.protocol === "https:";
  if (url.protocol !== "https:" || (url.port !== "" && url.port !== "443")) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const cls = route.endpointClass as "native-openai" | "native-codex";
  if (!VERIFIED_NATIVE_HOSTS[cls].includes(host)) return false;
  return cls === "native-codex" ? url.pathname === "/backend-api" || url.pathname.startsWith("/backend-api/") : true;
}

/**
 * Hidden attribution headers (`originator`, `User-Agent`), only when the route's class is
 * native OpenAI/Codex AND its `baseUrl` is a verified host for that class (see
 * {@link isVerifiedNativeHost}): never Azure, never proxies, even when config forces
 * `endpointClass: "native-openai"` on them (they may log or reject unknown identity headers).
 */
export function attributionHeaders(route: Pick<OpenAIRoute, "endpointClass"> & { baseUrl?: string }, version?: string): Record<string, string> {
  if (!isVerifiedNativeHost(route)) return {};
  return { originator: GENESIS_ORIGINATOR, "user-agent": genesisUserAgent(version) };
}
