import { describe, expect, it } from "vitest";
import { buildCodexLaunch, GENESIS_KEY_ENV } from "./codex-launch.js";

// What the overrides do is proven end to end (client.test.ts, auth.test.ts); this pins their text.
describe("buildCodexLaunch", () => {
  it("keeps /tmp and $TMPDIR out of the sandbox's writable roots unless asked", () => {
    const strict = buildCodexLaunch().args.join(" ");
    expect(strict).toContain("-c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true");
    expect(buildCodexLaunch({}, { allowTmpWrites: true }).args.join(" ")).not.toContain("exclude_slash_tmp");
  });

  it("sends an overridden Codex backend the model traffic with the handed-over ChatGPT tokens", () => {
    const launch = buildCodexLaunch({ chatgptBaseUrl: "http://127.0.0.1:9/backend-api/", codexBaseUrl: "http://127.0.0.1:9/backend-api/codex/", requestMaxRetries: 0 });
    expect(launch).toMatchObject({ customProvider: false, env: {} });
    expect(launch.args).toEqual(expect.arrayContaining([
      'chatgpt_base_url="http://127.0.0.1:9/backend-api/"',
      'model_provider="genesis_chatgpt"',
      'model_providers.genesis_chatgpt={name="Genesis (ChatGPT Codex backend)",base_url="http://127.0.0.1:9/backend-api/codex",wire_api="responses",requires_openai_auth=true,request_max_retries=0}',
    ]));
    // OpenAI's own backend: Codex's built-in provider, no custom one.
    expect(buildCodexLaunch({ chatgptBaseUrl: "https://chatgpt.com/backend-api/" }).args.join(" ")).not.toContain("model_provider");
  });

  it("passes an endpoint key through the child's environment, never the command line", () => {
    const launch = buildCodexLaunch({ baseUrl: "http://127.0.0.1:9/v1/", apiKey: "sk-launch-test-000000000000", headers: { "x-a": "b" } });
    expect(launch.customProvider).toBe(true);
    expect(launch.env).toEqual({ [GENESIS_KEY_ENV]: "sk-launch-test-000000000000" });
    expect(launch.args.join(" ")).not.toContain("sk-launch");
    expect(launch.args).toContain(`model_providers.genesis_openai={name="Genesis (OpenAI endpoint)",base_url="http://127.0.0.1:9/v1",wire_api="responses",env_key="${GENESIS_KEY_ENV}",http_headers={"x-a"="b"}}`);
  });
});
