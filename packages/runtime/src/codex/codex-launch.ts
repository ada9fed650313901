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
  /** Extra HTTP headers for the custom provider. */
  headers?: Record<string, string>;
  /** Codex's request/stream retry counts for the custom provider. Default: Codex's own. */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
}

/** Id of the custom provider Genesis defines (Codex forbids overriding the built-in `openai`). */
export const GENESIS_PROVIDER_ID = "genesis_openai";
/** Env var carrying the endpoint key to the child, so the key never appears on a command line. */
export const GENESIS_KEY_ENV = "GENESIS_CODEX_API_KEY";

/** The `-c` overrides and env additions that make the app-server reach {@link CodexEndpoint}. */
export interface CodexLaunch {
  args: string[];
  env: Record<string, string>;
  /** True when a custom provider carries the key (no `account/login/start` needed for it). */
  customProvider: boolean;
}

// TOML basic strings accept JSON's escapes for everything JSON.stringify emits.
const toml = (value: string): string => JSON.stringify(value);

/**
 * Build the app-server command-line overrides for an endpoint.
 * Analytics stay off (the server defaults to off; we make it explicit).
 */
export function buildCodexLaunch(endpoint: CodexEndpoint = {}): CodexLaunch {
  const args = ["-c", "analytics.enabled=false"];
  const env: Record<string, string> = {};
  if (endpoint.chatgptBaseUrl) args.push("-c", `chatgpt_base_url=${toml(endpoint.chatgptBaseUrl)}`);
  if (!endpoint.baseUrl) return { args, env, customProvider: false };
  const fields = [
    `name=${toml("Genesis (OpenAI endpoint)")}`,
    `base_url=${toml(endpoint.baseUrl.replace(/\/+$/, ""))}`,
    `wire_api="responses"`,
  ];
  if (endpoint.apiKey) {
    fields.push(`env_key=${toml(GENESIS_KEY_ENV)}`);
    env[GENESIS_KEY_ENV] = endpoint.apiKey;
  }
  if (endpoint.headers && Object.keys(endpoint.headers).length > 0) {
    const pairs = Object.entries(endpoint.headers).map(([k, v]) => `${toml(k)}=${toml(v)}`);
    fields.push(`http_headers={${pairs.join(",")}}`);
  }
  if (endpoint.requestMaxRetries !== undefined) fields.push(`request_max_retries=${endpoint.requestMaxRetries}`);
  if (endpoint.streamMaxRetries !== undefined) fields.push(`stream_max_retries=${endpoint.streamMaxRetries}`);
  args.push("-c", `model_provider=${toml(GENESIS_PROVIDER_ID)}`);
  args.push("-c", `model_providers.${GENESIS_PROVIDER_ID}={${fields.join(",")}}`);
  return { args, env, customProvider: true };
}
