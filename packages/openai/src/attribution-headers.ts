import type { OpenAIRoute } from "./openai-route.js";
import { isOpenAINativeHost } from "./openai-route.js";

/** The `originator` Genesis announces on verified native OpenAI/Codex hosts. */
export const GENESIS_ORIGINATOR = "genesis";

/** `genesis/<version> (node <v>; <platform> <arch>)`. */
export function genesisUserAgent(version: string = __GENESIS_VERSION__): string {
  return `genesis/${version} (node ${process.versions.node}; ${process.platform} ${process.arch})`;
}

/**
 * Hidden attribution headers (`originator`, `User-Agent`), only for verified native OpenAI and
 * Codex hosts: never Azure, never proxies (they may log or reject unknown identity headers).
 */
export function attributionHeaders(route: Pick<OpenAIRoute, "endpointClass">, version?: string): Record<string, string> {
  if (!isOpenAINativeHost(route)) return {};
  return { originator: GENESIS_ORIGINATOR, "user-agent": genesisUserAgent(version) };
}
