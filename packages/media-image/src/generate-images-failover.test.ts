import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import { inspect } from "node:util";
import type { GenesisConfig } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { ApiError, ConnectionError, UsageLimitError } from "@genesis/transport";
import { generateImages } from "./generate-images.js";
import { createImageGenerateTool } from "./create-image-generate-tool.js";
import { ImageFailoverError } from "./image-errors.js";
import { canFailOverImage, imageModelChain } from "./_image-failover.js";
import { CodexCredentialManager, codexCredentialStore, codexSettingsFromConfig } from "@genesis/codex-oauth";
import { apiKeyConfig, codexConfig, makeHome, signInCodex, type TestHome } from "./__fixtures__/image-env.js";

const KEY = "sk-test-image-failover-0123456789";
let emu: Emulator;
let t: TestHome;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  t = await makeHome();
});
afterEach(async () => {
  emu.reset();
  await t.cleanup();
});
afterAll(async () => {
  await emu.close();
});

const selection = { primary: "openai/gpt-image-2", fallbacks: ["openai/gpt-image-1"] };
const withFallbacks = (base: GenesisConfig): GenesisConfig => ({ ...base, agents: { defaults: { imageGenerationModel: selection } } }) as GenesisConfig;
const opts = (extra: Record<string, unknown> = {}) => ({
  config: withFallbacks(apiKeyConfig(emu.apiBase, KEY)), env: t.env, authStore: t.store, outputDir: t.outputDir, sleep: async () => undefined, ...extra,
});
const imageModels = () => emu.requests.filter((r) => r.path === "/v1/images/generations").map((r) => (r.body as { model: string }).model);
const notFound = (id: string, extra = "") => ({
  kind: "http-status" as const, status: 404, body: { error: { message: `The model '${id}' does not exist${extra}`, type: "invalid_request_error", param: "model", code: "model_not_found" } },
});
const written = () => readdir(t.outputDir).catch(() => [] as string[]);

describe("image_generate failover (agents.defaults.imageGenerationModel.fallbacks)", () => {
  it("model_not_found: the fallback makes the images and the result says so", async () => {
    emu.fault(notFound("gpt-image-2"));
    const result = await generateImages({ prompt: "fox", size: "1024x1024" }, opts());
    expect(imageModels()).toEqual(["gpt-image-2", "gpt-image-1"]);
    expect(result).toMatchObject({ model: "openai/gpt-image-1", route: "openai" });
    expect(result.failover).toEqual([{ model: "openai/gpt-image-2", code: "api_error", reason: expect.stringMatching(/^model_not_found: HTTP 404/) }]);
    expect(result.warnings[0]).toBe("openai/gpt-image-2 failed (api_error); the images come from the fallback openai/gpt-image-1.");
    expect(await written()).toHaveLength(1);
  });

  it("5xx and 429 after the retries move on; the first model is retried by the transport first", async () => {
    emu.fault({ kind: "http-status", status: 502, times: 3 });
    const a = await generateImages({ prompt: "a" }, opts({ maxRetries: 2 }));
    expect(imageModels()).toEqual(["gpt-image-2", "gpt-image-2", "gpt-image-2", "gpt-image-1"]);
    expect(a.failover).toEqual([expect.objectContaining({ model: "openai/gpt-image-2", code: "api_error", reason: expect.stringContaining("HTTP 502") })]);
    emu.reset();
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 2 });
    const b = await generateImages({ prompt: "b" }, opts({ maxRetries: 1 }));
    expect(imageModels()).toEqual(["gpt-image-2", "gpt-image-2", "gpt-image-1"]);
    expect(b.failover!.map((x) => x.code)).toEqual(["rate_limited"]);
  });

  it("a Codex plan usage limit moves on to the fallback model on the same route", async () => {
    await signInCodex(emu, t.store);
    emu.fault({ kind: "usage-limit", planType: "plus", match: { path: "/backend-api/codex/responses" } });
    const result = await generateImages({ prompt: "poster" }, opts({ config: withFallbacks(codexConfig(emu)) }));
    const tools = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").map((r) => (r.body as { tools: { model: string }[] }).tools[0]!.model);
    expect(tools).toEqual(["gpt-image-2", "gpt-image-1"]);
    expect(result).toMatchObject({ model: "openai/gpt-image-1", route: "codex", failover: [{ model: "openai/gpt-image-2", code: "usage_limit" }] });
  });

  it("no failover once an image was produced (paid for): the error stays the original one", async () => {
    await signInCodex(emu, t.store);
    // Two images, two calls: the second fails only after the first finished.
    let calls = 0;
    let first: Promise<Response> | undefined;
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (!String(input).endsWith("/codex/responses")) return globalThis.fetch(input, init);
      calls++;
      if (calls === 1) return (first = globalThis.fetch(input, init));
      await (await first!).clone().text();
      await new Promise((r) => setTimeout(r, 50));
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    };
    const error = await generateImages({ prompt: "pair", count: 2 }, opts({ config: withFallbacks(codexConfig(emu)), fetch, maxRetries: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(calls).toBe(2);
    expect(emu.requests.filter((r) => r.path === "/backend-api/codex/responses").map((r) => (r.body as { tools: { model: string }[] }).tools[0]!.model)).toEqual(["gpt-image-2"]);
    expect(await written()).toHaveLength(0);
  });

  it("no failover once a sibling call was sent: the backend may be making (and billing) that image", async () => {
    await signInCodex(emu, t.store);
    // Call 1 is accepted and then stalls mid-stream; only then does call 2 go out, and it hits
    // the plan's usage limit. Call 1 is cancelled with nothing finished, but it was on the server.
    emu.fault({ kind: "stall", afterEvents: 1, ms: 3_000 });
    let calls = 0;
    let first: Promise<Response> | undefined;
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (!String(input).endsWith("/codex/responses")) return globalThis.fetch(input, init);
      calls++;
      if (calls === 1) return (first = globalThis.fetch(input, init));
      await first;
      if (calls === 2) emu.fault({ kind: "usage-limit", planType: "plus", match: { path: "/backend-api/codex/responses" } });
      return globalThis.fetch(input, init);
    };
    const error = await generateImages({ prompt: "pair", count: 2 }, opts({ config: withFallbacks(codexConfig(emu)), fetch, maxRetries: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect(error).toMatchObject({ code: "usage_limit", plan: "plus" });
    expect(calls).toBe(2);
    const tools = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").map((r) => (r.body as { tools: { model: string }[] }).tools[0]!.model);
    expect(tools).toEqual(["gpt-image-2", "gpt-image-2"]);
    expect(await written()).toHaveLength(0);
  });

  it("a batch whose failure came before the sibling's request went out still fails over", async () => {
    await signInCodex(emu, t.store);
    emu.fault({ kind: "usage-limit", planType: "plus", match: { path: "/backend-api/codex/responses" } });
    // The second call's token lookup lasts until the batch is stopped, so the first call is
    // refused before the second sends anything.
    const manager = new CodexCredentialManager({ store: codexCredentialStore(t.store), settings: codexSettingsFromConfig(codexConfig(emu), t.env) });
    let lookups = 0;
    const codexCredentials = {
      getCredentials: async (o?: { signal?: AbortSignal }) => {
        if (++lookups === 2) await new Promise((r) => (o?.signal?.aborted ? r(undefined) : o?.signal?.addEventListener("abort", r, { once: true })));
        return manager.getCredentials(o);
      },
      handleUnauthorized: (access: string, o?: { signal?: AbortSignal }) => manager.handleUnauthorized(access, o),
    };
    const result = await generateImages({ prompt: "pair", count: 2 }, opts({ config: withFallbacks(codexConfig(emu)), codexCredentials, maxRetries: 0 }));
    expect(result).toMatchObject({ model: "openai/gpt-image-1", route: "codex", failover: [{ model: "openai/gpt-image-2", code: "usage_limit" }] });
    expect(result.images).toHaveLength(2);
    const tools = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").map((r) => (r.body as { tools: { model: string }[] }).tools[0]!.model);
    expect(tools.filter((m) => m === "gpt-image-2")).toHaveLength(1);
  });

  it("no failover on a 400 the caller must fix, nor on abort", async () => {
    emu.fault({ kind: "http-status", status: 400, body: { error: { message: "Your request was rejected by the safety system", type: "invalid_request_error", param: null, code: "moderation_blocked" } } });
    const bad = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ status: 400, serverCode: "moderation_blocked" });
    expect(imageModels()).toEqual(["gpt-image-2"]);

    emu.reset();
    emu.fault({ kind: "slow-first-byte", ms: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user stop")), 100);
    await expect(generateImages({ prompt: "y" }, opts({ signal: controller.signal }))).rejects.toThrow("user stop");
    expect(imageModels()).toEqual(["gpt-image-2"]);
  });

  it("an explicit other model pins the call", async () => {
    emu.fault(notFound("gpt-image-1"));
    await expect(generateImages({ prompt: "x", model: "openai/gpt-image-1" }, opts())).rejects.toBeInstanceOf(ApiError);
    expect(imageModels()).toEqual(["gpt-image-1"]);
  });

  it("exhausted: ImageFailoverError lists each model and reason, with no key anywhere", async () => {
    emu.fault(notFound("gpt-image-2", ` (key ${KEY})`));
    emu.fault(notFound("gpt-image-1", ` (key ${KEY})`));
    const error = (await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e)) as ImageFailoverError;
    expect(error).toBeInstanceOf(ImageFailoverError);
    expect(error.code).toBe("image_failover_exhausted");
    expect(error.attempts.map((a) => [a.model, a.code])).toEqual([["openai/gpt-image-2", "api_error"], ["openai/gpt-image-1", "api_error"]]);
    expect(error.message).toMatch(/openai\/gpt-image-2 \(api_error: model_not_found: HTTP 404.*openai\/gpt-image-1 \(api_error: model_not_found: HTTP 404/);
    expect(error.hint).toContain("imageGenerationModel");
    for (const text of [error.message, inspect(error), inspect(error, { depth: 6 }), JSON.stringify(error.attempts)]) expect(text).not.toContain(KEY);
    expect(await written()).toHaveLength(0);
  });

  it("the tool's JSON result names the model that produced the images and why it switched", async () => {
    emu.fault(notFound("gpt-image-2"));
    const tool = createImageGenerateTool(opts());
    const out = JSON.parse(await tool.execute({ prompt: "fox" }, { sessionId: "s", cwd: t.home, signal: new AbortController().signal }));
    expect(out).toMatchObject({ model: "openai/gpt-image-1", failover: [{ model: "openai/gpt-image-2", code: "api_error" }] });
    expect(out.failover[0].reason).toContain("model_not_found");
  });
});

describe("image failover rules", () => {
  it("chains the primary's fallbacks only", () => {
    const config = { agents: { defaults: { imageGenerationModel: selection } } } as GenesisConfig;
    expect(imageModelChain(undefined, config)).toEqual(["openai/gpt-image-2", "openai/gpt-image-1"]);
    expect(imageModelChain("openai/gpt-image-2", config)).toEqual(["openai/gpt-image-2", "openai/gpt-image-1"]);
    expect(imageModelChain("openai/gpt-image-1", config)).toEqual(["openai/gpt-image-1"]);
    expect(imageModelChain(undefined, {} as GenesisConfig)).toEqual(["openai/gpt-image-2"]);
  });

  it("credentials and bad answers are not model problems", () => {
    expect(canFailOverImage({ code: "image_no_credentials" })).toBe(false);
    expect(canFailOverImage({ code: "auth_failed", status: 401 })).toBe(false);
    expect(canFailOverImage({ code: "image_bad_response" })).toBe(false);
    expect(canFailOverImage({ code: "permission_denied", status: 403 })).toBe(true);
  });
});
