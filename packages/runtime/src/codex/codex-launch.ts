/** Where the app-server sends model traffic, resolved from Genesis's config for the route. */
export interface CodexEndpoint {
  /**
   * `models.providers.openai.baseUrl` (e.g. `http://127.0.0.1:8080/v1`). When set, the
   * app-server gets a custom Responses provider pointing there; when absent it uses OpenAI's
   * own endpoint with its built-in provider.
   */
  baseUrl?: string;
  /** Key sent as `Authorization: Bearer` to {@link baseUrl}; passed through the child's env. */
  apiKey?: string;
  /**
   * ChatGPT backend origin for Codex's account calls in `chatgpt` auth mode
   * (Codex's `chatgpt_base_url`, default `https://chatgpt.com/backend-api/`).
   */
  chatgptBaseUrl?: string;
  /**
   * ChatGPT Codex backend for MODEL traffic in `chatgpt` auth mode, when it is not OpenAI's own
   * (Genesis's `auth.openaiCodex.codexBaseUrl` / `GENESIS_CODEX_BASE_URL`). Codex's built-in
   * provider always talks to `https://chatgpt.com/backend-api/codex`, so Genesis then defines a
   * custom provider there that sends the handed-over ChatGPT tokens (`requires_openai_auth`).
   * Ignored when {@link baseUrl} is set.
   */
  codexBaseUrl?: string;
  /** Extra HTTP headers for the custom provider. */
  headers?: Record<string, string>;
  /** Codex's request/stream retry counts for the custom provider. Default: Codex's own. */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
}

/** Id of the custom provider Genesis defines (Codex forbids overriding the built-in `openai`). */
export const GENESIS_PROVIDER_ID = "genesis_openai";
/** Id of the custom provider Genesis defines for an overridden ChatGPT Codex backend. */
export const GENESIS_CHATGPT_PROVIDER_ID = "genesis_chatgpt";
/** Env var carrying the endpoint key to the child, so the key never appears on a command line. */
export const GENESIS_KEY_ENV = "GENESIS_CODEX_API_KEY";

/** The `-c` overrides and env additions that make the app-server reach {@link CodexEndpoint}. */
export interface CodexLaunch {
  args: string[];
  env: Record<string, string>;
  /** True when a custom provider carries the key (no `account/login/start` needed for it). */
  customProvider: boolean;
}

/** Sandbox options of {@link buildCodexLaunch}. */
export interface CodexSandboxLaunchOptions {
  /**
   * Codex's `workspace-write` sandbox lets commands and patches write `/tmp` and `$TMPDIR`
   * without asking. Genesis turns that off (default `false`) so that every write outside the
   * session's working directory becomes an approval request the policy can decline.
   */
  allowTmpWrites?: boolean;
}

// TOML basic strings accept JSON's escapes for everything JSON.stringify emits.
const toml = (value: string): string => JSON.stringify(value);

/**
 * Build the app-server command-line overrides for an endpoint.
 * Analytics stay off (the server defaults to off; we make it explicit).
 */
export function buildCodexLaunch(endpoint: CodexEndpoint = {}, sandbox: CodexSandboxLaunchOptions = {}): CodexLaunch {
  const args = ["-c", "analytics.enabled=false"];
  if (!sandbox.allowTmpWrites) {
    args.push("-c", "sandbox_workspace_write.exclude_slash_tmp=true", "-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true");
  }
  const env: Record<string, string> = {};
  if (endpoint.chatgptBaseUrl) args.push("-c", `chatgpt_base_url=${toml(endpoint.chatgptBaseUrl)}`);
  if (!endpoint.baseUrl) {
    if (endpoint.codexBaseUrl) {
      const fields = [`name=${toml("Genesis (ChatGPT Codex backend)")}`, `base_url=${toml(endpoint.codexBaseUrl.replace(/\/+$/, ""))}`, `wire_api="responses"`, "requires_openai_auth=true"];
      args.push("-c", `model_provider=${toml(GENESIS_CHATGPT_PROVIDER_ID)}`);
      args.push("-c", `model_providers.${GENESIS_CHATGPT_PROVIDER_ID}={${[...fields, ...providerTuning(endpoint)].join(",")}}`);
    }
    return { args, env, customProvider: false };
  }
  const fields = [
    `name=${toml("Genesis (OpenAI endpoint)")}`,
    `base_url=${toml(endpoint.baseUrl.replace(/\/+$/, ""))}`,
    `wire_api="responses"`,
  ];
  if (endpoint.apiKey) {
    fields.push(`env_key=${toml(GENESIS_KEY_ENV)}`);
    env[GENESIS_KEY_ENV] = endpoint.apiKey;
  }
  args.push("-c", `model_provider=${toml(GENESIS_PROVIDER_ID)}`);
  args.push("-c", `model_providers.${GENESIS_PROVIDER_ID}={${[...fields, ...providerTuning(endpoint)].join(",")}}`);
  return { args, env, customProvider: true };
}

/** Headers and retry counts shared by both custom providers. */
function providerTuning(endpoint: CodexEndpoint): string[] {
  const fields: string[] = [];
  if (endpoint.headers && Object.keys(endpoint.headers).length > 0) {
    const pairs = Object.entries(endpoint.headers).map(([k, v]) => `${toml(k)}=${toml(v)}`);
    fields.push(`http_headers={${pairs.join(",")}}`);
  }
  if (endpoint.requestMaxRetries !== undefined) fields.push(`request_max_retries=${endpoint.requestMaxRetries}`);
  if (endpoint.streamMaxRetries !== undefined) fields.push(`stream_max_retries=${endpoint.streamMaxRetries}`);
  return fields;
}
