import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore, type AuthStore, type GenesisConfig } from "@genesis/core";
import { codexCredentialStore } from "@genesis/codex-oauth";
import type { Emulator } from "@genesis/testkit";

/** A throwaway GENESIS_HOME with its auth store. */
export interface TestHome {
  home: string;
  env: NodeJS.ProcessEnv;
  store: AuthStore;
  outputDir: string;
  cleanup(): Promise<void>;
}

export async function makeHome(extraEnv: NodeJS.ProcessEnv = {}): Promise<TestHome> {
  const home = await mkdtemp(join(tmpdir(), "genesis-image-"));
  const env = { GENESIS_HOME: home, ...extraEnv };
  return { home, env, store: openAuthStore({ env }), outputDir: join(home, "out"), cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Store a Codex sign-in minted by the emulator (its refresh token works there). */
export async function signInCodex(emu: Emulator, store: AuthStore, accountId = "acct_img", expiresInSec = 3600): Promise<{ access: string; refresh: string }> {
  const t = emu.auth.issueTokens({ accountId, expiresInSec });
  await codexCredentialStore(store).save({
    kind: "oauth", provider: "openai-codex", access: t.access_token, refresh: t.refresh_token, accountId, expiresAt: Date.now() + expiresInSec * 1000, updatedAt: Date.now(),
  } as never);
  return { access: t.access_token, refresh: t.refresh_token };
}

/** Config pointing the openai provider at the emulator (private network opted in). */
export function apiKeyConfig(baseUrl: string, apiKey: string, allowPrivate = true): GenesisConfig {
  return { models: { providers: { openai: { baseUrl, apiKey } } }, browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: allowPrivate } } } as GenesisConfig;
}

/** Config for the Codex route against the emulator. */
export function codexConfig(emu: Emulator, extra: Partial<GenesisConfig> = {}): GenesisConfig {
  return { auth: { openaiCodex: { codexBaseUrl: emu.codexBase, issuer: emu.authIssuer } }, ...extra } as GenesisConfig;
}

/** DNS for the SSRF guard: every name resolves to loopback (so an Azure host name reaches the emulator). */
export const loopbackLookup = async (): Promise<{ address: string; family: 4 | 6 }[]> => [{ address: "127.0.0.1", family: 4 }];
