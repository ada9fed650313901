import { release, platform, arch } from "node:os";
import { classifyEndpoint } from "@genesis/core";
import type { CodexOAuthSettings } from "./oauth-config.js";
import type { CodexCredentials } from "./token-client.js";

// Loopback only (not private networks): traffic there never leaves the machine, and it is how
// the emulator tests exercise the real header set. Same rule as @genesis/openai's attribution headers.
function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether a Codex base URL may see Genesis's attribution headers (`originator` and the
 * genesis `User-Agent`): ChatGPT's own backend (`https://chatgpt.com/backend-api...`, default
 * port, no `user:pass@`), or a loopback address (`localhost`, `127.x`, `::1`, over http or
 * https). Anything else is a proxy or gateway, which may log or refuse unknown identity
 * headers. The host rule is core's `classifyEndpoint` (`native-codex`), the loopback rule the
 * one `@genesis/openai` applies to its verified native hosts. Unparsable URLs are never verified.
 */
export function isVerifiedCodexHost(baseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (isLoopback(url.hostname)) return url.protocol === "http:" || url.protocol === "https:";
  if (url.protocol !== "https:" || url.port !== "") return false;
  url.hostname = url.hostname.replace(/\.$/, "");
  return classifyEndpoint(url) === "native-codex";
}

/** `genesis/<version> (<platform> <release>; <arch>)`: the User-Agent sent to verified Codex hosts. */
export function codexUserAgent(): string {
  return `genesis/${__GENESIS_VERSION__} (${platform()} ${release()}; ${arch()})`;
}

/** What {@link codexHeaders} needs besides the credentials. */
export interface CodexHeaderOptions {
  /** The Codex backend URL the request goes to (any spelling); decides the attribution headers. */
  baseUrl: string;
  /** `settings.originator`; sent only to a verified host. */
  originator: CodexOAuthSettings["originator"];
  /**
   * A caller-chosen `User-Agent`, sent to every host. Left out: the genesis one
   * ({@link codexUserAgent}) on a verified host, none of ours elsewhere.
   */
  userAgent?: string | undefined;
}

/**
 * The identity headers of every Codex backend request (turns over SSE and WebSocket, model
 * listing): `authorization: Bearer` and `chatgpt-account-id` on every host (the backend needs
 * both), plus `originator` and the genesis `User-Agent` only when {@link isVerifiedCodexHost}.
 */
export function codexHeaders(creds: Pick<CodexCredentials, "access" | "accountId">, options: CodexHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${creds.access}`, "chatgpt-account-id": creds.accountId };
  const verified = isVerifiedCodexHost(options.baseUrl);
  if (verified) headers.originator = options.originator;
  const userAgent = options.userAgent ?? (verified ? codexUserAgent() : undefined);
  if (userAgent !== undefined) headers["user-agent"] = userAgent;
  return headers;
}
