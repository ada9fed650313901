/**
 * @genesis/codex-oauth: ChatGPT/Codex sign-in (browser PKCE and device code), refresh-safe
 * credentials in the Genesis auth store, and the `openai-codex/*` provider.
 */
export { CodexAuthError, SIGN_IN_AGAIN_HINT } from "./codex-auth-error.js";
export type { CodexAuthErrorCode, CodexAuthErrorFields } from "./codex-auth-error.js";
export {
  resolveCodexOAuthSettings, codexSettingsFromConfig, tokenUrl, revokeTokenUrl, codexResponsesUrl, CODEX_CLIENT_ID, DEFAULT_CODEX_ISSUER, DEFAULT_CODEX_BASE_URL,
  DEFAULT_CALLBACK_PORT, FALLBACK_CALLBACK_PORT,
} from "./oauth-config.js";
export type { CodexOAuthSettings, CodexOAuthOverrides, CodexAuthConfigLike } from "./oauth-config.js";
export { createPkcePair, createState, pkceChallenge, stateMatches } from "./pkce.js";
export type { PkcePair } from "./pkce.js";
export { readTokenClaims, decodeJwtPayload, OPENAI_AUTH_CLAIM } from "./_jwt.js";
export type { OpenAiTokenClaims } from "./_jwt.js";
export { exchangeAuthorizationCode, refreshTokens, maskCredentials, parseOAuthError } from "./token-client.js";
export type { CodexCredentials, TokenRequestOptions } from "./token-client.js";
export { loginWithBrowser, authorizeUrl, parsePastedAnswer } from "./browser-login.js";
export type { BrowserLoginOptions, AuthorizePrompt } from "./browser-login.js";
export { loginWithDeviceCode } from "./device-login.js";
export type { DeviceLoginOptions, DeviceCodePrompt } from "./device-login.js";
export { createLoginProgress } from "./login-progress.js";
export type { LoginProgress, ProgressStream } from "./login-progress.js";
export { CodexCredentialManager } from "./credential-manager.js";
export type { CodexCredentialStore, CredentialManagerOptions } from "./credential-manager.js";
export { codexCredentialStore, CODEX_PROVIDER_ID } from "./codex-credential-store.js";
export type { DisplacedProfile } from "./codex-credential-store.js";
export { signInWithCodex } from "./sign-in.js";
export type { CodexSignInOptions, CodexSignInResult } from "./sign-in.js";
export { signOutOfCodex, revokeStoredToken } from "./sign-out.js";
export type { CodexSignOutOptions, CodexSignOutResult, CodexTokenRevocation, RevokeCallOptions } from "./sign-out.js";
export { revokeToken, DEFAULT_REVOKE_TIMEOUT_MS, DEFAULT_REVOKE_MAX_RETRIES } from "./revoke-token.js";
export type { RevokeTokenOptions } from "./revoke-token.js";
export { TokenRevokeError } from "./token-revoke-error.js";
export type { TokenRevokeErrorCode } from "./token-revoke-error.js";
export { buildCodexRequestBody, codexWebSearchTool, isNativeCodexEndpoint, DEFAULT_CODEX_INSTRUCTIONS } from "./codex-request.js";
export type { CodexTurnRequest, CodexInputItem, CodexToolSpec, CodexWebSearch } from "./codex-request.js";
export { CodexRateLimitError, withCodexPlan } from "./codex-limit-error.js";
export { createCodexProvider, CODEX_SSE_BETA, CODEX_WS_BETA } from "./codex-provider.js";
export type { CodexProvider, CodexProviderOptions, CodexTurn } from "./codex-provider.js";
export { codexCatalogRecovery, registerCodexCatalogRecovery, CODEX_GPT55_CONTEXT_WINDOW, CODEX_GPT55_CONTEXT_TOKENS } from "./catalog-recovery.js";
export { createCodexStreamers } from "./codex-streamers.js";
export type { CodexStreamersOptions, CodexModelStreamer, CodexRouteLike, CodexStreamerRequest } from "./codex-streamers.js";
export { listCodexModels, codexModelsUrl, CodexModelsError, CODEX_CLIENT_VERSION, DEFAULT_CODEX_MODELS_TIMEOUT_MS } from "./codex-models.js";
export type { CodexModelInfo, CodexModelsErrorCode, ListCodexModelsOptions } from "./codex-models.js";
export { codexHeaders, isVerifiedCodexHost } from "./codex-headers.js";
export type { CodexHeaderOptions } from "./codex-headers.js";
