import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { jpegSize, pngSize, renderPng, startEmulator, type Emulator } from "@genesis/testkit";
import { RateLimitError, UsageLimitError } from "@genesis/transport";
import { GenesisError } from "@genesis/core";
import { codexCredentialStore } from "@genesis/codex-oauth";
import { generateImages } from "./generate-images.js";
import { ImageGenerationError } from "./image-errors.js";
import { codexConfig, makeHome, signInCodex, type TestHome } from "./__fixtures__/image-env.js";

const PLATFORM_KEY = "sk-platform-key-must-not-leak-0123";
let emu: Emulator;
let t: TestHome;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(async () => {
  t = await makeHome({ OPENAI_API_KEY: PLATFORM_KEY });
});
afterEach(async () => {
  emu.reset();
  await t.cleanup();
});
afterAll(async () => {
  await emu.close();
});

const opts = (extra: Record<string, unknown> = {}) => ({ config: codexConfig(emu), env: t.env, authStore: t.store, outputDir: t.outputDir, sleep: async () => undefined, ...extra });
const codexRequests = () => emu.requests.filter((r) => r.path === "/backend-api/codex/responses");

describe("generateImages: Codex OAuth route (Responses image_generation tool)", () => {
  it("sends the hosted tool to the Codex backend with the OAuth headers, never the API key", async () => {
    const { access } = await signInCodex(emu, t.store, "acct_img");
    const r = await generateImages({ prompt: "A polished launch poster", size: "3840x2160", quality: "high", outputFormat: "png", background: "opaque" }, opts());
    const [rec] = codexRequests();
    expect(rec).toMatchObject({ method: "POST", transport: "http" });
    expect(emu.authHeaderOf(rec!.id)).toBe(`Bearer ${access}`);
    expect(rec!.headers).toMatchObject({ "chatgpt-account-id": "acct_img", originator: "genesis", "openai-beta": "responses=experimental", accept: "text/event-stream" });
    expect(JSON.stringify(rec!.headers)).not.toContain(PLATFORM_KEY);
    expect(emu.requests.some((q) => q.path.startsWith("/v1/"))).toBe(false);
    expect(rec!.body).toMatchObject({
      model: "gpt-5.5",
      store: false,
      stream: true,
      tool_choice: { type: "image_generation" },
      tools: [{ type: "image_generation", model: "gpt-image-2", size: "3840x2160", quality: "high", output_format: "png", background: "opaque", action: "generate" }],
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "A polished launch poster" }] }],
    });
    expect(r).toMatchObject({ route: "codex", model: "openai/gpt-image-2", mode: "generate", warnings: [] });
    expect(pngSize(await readFile(r.images[0]!.path))).toEqual({ width: 3840, height: 2160 });
    expect(r.images[0]!.revisedPrompt).toBe("A polished launch poster");
  });

  it("count > 1 issues one call per image; jpeg comes back as .jpg", async () => {
    await signInCodex(emu, t.store);
    const r = await generateImages({ prompt: "fox", count: 3, outputFormat: "jpeg", size: "1024x1024" }, opts());
    expect(codexRequests()).toHaveLength(3);
    expect(r.images).toHaveLength(3);
    expect(new Set(r.images.map((i) => i.path)).size).toBe(3);
    for (const img of r.images) {
      expect(img.path).toMatch(/\.jpg$/);
      expect(jpegSize(await readFile(img.path))).toEqual({ width: 1024, height: 1024 });
    }
  });

  it("one failed call stops the batch: the sibling in flight is cancelled and no further call starts", async () => {
    await signInCodex(emu, t.store);
    emu.fault({ kind: "http-status", status: 400, match: { path: "/backend-api/codex/responses" }, body: { error: { message: "Bad tool size", type: "invalid_request_error" } } });
    emu.fault({ kind: "stall", afterEvents: 1, ms: 700 });
    const error = await generateImages({ prompt: "fox", count: 4 }, opts()).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect((error as Error).message).toContain("Bad tool size");
    await new Promise((r) => setTimeout(r, 1000));
    expect(codexRequests()).toHaveLength(2);
    await expect(readFile(t.outputDir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("aspectRatio/resolution map to a supported size on this route", async () => {
    await signInCodex(emu, t.store);
    const r = await generateImages({ prompt: "x", aspectRatio: "16:9", resolution: "2K" }, opts());
    expect((codexRequests()[0]!.body as { tools: { size: string }[] }).tools[0]!.size).toBe("2048x1152");
    expect(r.images[0]).toMatchObject({ width: 2048, height: 1152 });
    expect(r.warnings).toEqual(["aspectRatio=16:9, resolution=2K mapped to size=2048x1152."]);
    emu.reset();
    const unsafe = await generateImages({ prompt: "x", aspectRatio: "5:1" }, opts());
    expect((codexRequests()[0]!.body as { tools: Record<string, unknown>[] }).tools[0]).not.toHaveProperty("size");
    expect(unsafe.warnings[0]).toContain("no safe supported size");
  });

  it("edit mode sends the references as input_image data URLs", async () => {
    await signInCodex(emu, t.store);
    const png = renderPng(48, 48, "ref");
    await writeFile(join(t.home, "ref.png"), png);
    const r = await generateImages({ prompt: "change the material to glass", image: "ref.png", size: "1024x1536" }, opts({ cwd: t.home }));
    const body = codexRequests()[0]!.body as { tools: { action: string }[]; input: { content: Record<string, unknown>[] }[] };
    expect(body.tools[0]!.action).toBe("edit");
    expect(body.input[0]!.content[1]).toEqual({ type: "input_image", detail: "auto", image_url: `data:image/png;base64,${png.toString("base64")}` });
    expect(r).toMatchObject({ mode: "edit", route: "codex" });
    expect(r.images[0]).toMatchObject({ width: 1024, height: 1536 });
  });

  it("a rejected token is refreshed once and the call retried", async () => {
    const { access } = await signInCodex(emu, t.store);
    emu.fault({ kind: "http-status", status: 401, match: { path: "/backend-api/codex/responses" } });
    const r = await generateImages({ prompt: "x" }, opts());
    expect(r.images).toHaveLength(1);
    expect(emu.auth.refreshCount).toBe(1);
    const [first, second] = codexRequests();
    expect(emu.authHeaderOf(first!.id)).toBe(`Bearer ${access}`);
    expect(emu.authHeaderOf(second!.id)).not.toBe(`Bearer ${access}`);
    const stored = await t.store.get("openai-codex");
    expect(stored && "access" in stored ? stored.access : undefined).not.toBe(access);
  });

  it("an expired sign-in whose refresh fails is a typed error, never an API key fallback", async () => {
    await codexCredentialStore(t.store).save({
      kind: "oauth", provider: "openai-codex", access: "expired-access-token-0123", refresh: "revoked-refresh-token-0123", accountId: "acct_img", expiresAt: Date.now() - 60_000, updatedAt: Date.now(),
    } as never);
    const error = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(GenesisError.isInstance(error)).toBe(true);
    expect((error as GenesisError).code).toBe("reauth_required");
    expect((error as GenesisError).hint).toBeTruthy();
    const text = `${(error as Error).message}\n${inspect(error, { depth: 10 })}`;
    expect(text).not.toContain("revoked-refresh-token-0123");
    expect(text).not.toContain(PLATFORM_KEY);
    expect(emu.requests.some((q) => q.path.startsWith("/v1/"))).toBe(false);
    expect(codexRequests()).toHaveLength(0);
    expect(emu.requests.map((q) => q.path)).toEqual(["/oauth/token"]);
  });

  it("429 is retried; a persistent one is a RateLimitError", async () => {
    await signInCodex(emu, t.store);
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", match: { path: "/backend-api/codex/responses" } });
    await generateImages({ prompt: "x" }, opts());
    expect(codexRequests()).toHaveLength(2);
    emu.reset();
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 3 });
    await expect(generateImages({ prompt: "x" }, opts())).rejects.toBeInstanceOf(RateLimitError);
  });

  it("a plan usage limit is sent once and reported as UsageLimitError", async () => {
    await signInCodex(emu, t.store);
    const resetsAt = Math.floor(Date.now() / 1000) + 600;
    emu.fault({ kind: "usage-limit", planType: "plus", resetsAt, times: 3 });
    const error = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect(error).toMatchObject({ code: "usage_limit", plan: "plus", resetsAt, status: 429 });
    expect((error as Error).message).toMatch(/plus plan.*resets in 10 min/);
    expect(codexRequests()).toHaveLength(1);
  });

  it("a 400 carries the server's complaint; no API key fallback happens", async () => {
    await signInCodex(emu, t.store);
    const error = await generateImages({ prompt: "x", size: "2048x512" }, opts()).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect((error as Error).message).toContain("aspect ratio");
    expect(emu.requests.filter((q) => !q.path.startsWith("/backend-api"))).toHaveLength(0);
  });

  it("failed or truncated streams are typed errors", async () => {
    await signInCodex(emu, t.store);
    emu.script({ status: "failed", error: { code: "moderation_blocked", message: "Your request was rejected by the safety system." } });
    const failed = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ImageGenerationError);
    expect(failed).toMatchObject({ code: "image_generation_failed", route: "codex" });
    expect((failed as Error).message).toContain("rejected by the safety system");
    emu.fault({ kind: "sse-no-terminal" });
    emu.script({ imageGeneration: false, text: "no image" });
    await expect(generateImages({ prompt: "x" }, opts())).rejects.toMatchObject({ code: "image_bad_response" });
  });

  it("an image only present in response.completed's output is still found", async () => {
    await signInCodex(emu, t.store);
    const png = renderPng(64, 48, "late").toString("base64");
    const item = { type: "image_generation_call", id: "ig_1", status: "completed", result: png };
    const sse = [
      { type: "response.created", response: { id: "resp_1", status: "in_progress", output: [] } },
      { type: "response.completed", response: { id: "resp_1", status: "completed", output: [item] } },
    ].map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      seen.push(url);
      if (!url.endsWith("/codex/responses")) return globalThis.fetch(input, init);
      return new Response(sse, { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    const r = await generateImages({ prompt: "x" }, opts({ fetch }));
    expect(seen.at(-1)).toBe(`${emu.codexBase}/responses`);
    expect(r.images[0]).toMatchObject({ format: "png", width: 64, height: 48 });
  });

  it("abort stops the stream with the abort reason", async () => {
    await signInCodex(emu, t.store);
    emu.fault({ kind: "slow-first-byte", ms: 2000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("cancelled by user")), 50);
    await expect(generateImages({ prompt: "x" }, opts({ signal: ac.signal }))).rejects.toThrow("cancelled by user");
  });

  it("tokens never appear in errors or inspect output", async () => {
    const { access, refresh } = await signInCodex(emu, t.store);
    emu.fault({ kind: "http-status", status: 403, body: { error: { message: `token ${access} refresh ${refresh} denied`, type: "invalid_request_error", code: "forbidden" } } });
    const error = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    const text = `${(error as Error).message}\n${inspect(error, { depth: 10 })}`;
    expect(text).toContain("denied");
    expect(text).not.toContain(access);
    expect(text).not.toContain(refresh);
  });

  it("explicit models.providers.openai config switches to the API key route despite the sign-in", async () => {
    await signInCodex(emu, t.store);
    const config = { ...codexConfig(emu), models: { providers: { openai: { apiKey: PLATFORM_KEY, baseUrl: emu.apiBase } } }, browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } } };
    const r = await generateImages({ prompt: "x" }, opts({ config }));
    expect(r.route).toBe("openai");
    expect(codexRequests()).toHaveLength(0);
    expect(emu.authHeaderOf(emu.requests.at(-1)!.id)).toBe(`Bearer ${PLATFORM_KEY}`);
  });

  it("GENESIS_CODEX_BASE_URL overrides the backend when the config does not", async () => {
    await signInCodex(emu, t.store);
    const r = await generateImages({ prompt: "x" }, opts({ config: { auth: { openaiCodex: { issuer: emu.authIssuer } } }, env: { ...t.env, GENESIS_CODEX_BASE_URL: `${emu.url}/backend-api` } }));
    expect(r.route).toBe("codex");
    expect(codexRequests()).toHaveLength(1);
  });
});
