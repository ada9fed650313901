import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { inspect } from "node:util";
import { jpegSize, pngSize, startEmulator, type Emulator } from "@genesis/testkit";
import { ApiError, RateLimitError, SsrfBlockedError } from "@genesis/transport";
import { generateImages } from "./generate-images.js";
import { ImageGenerationError, ImageRequestError } from "./image-errors.js";
import { apiKeyConfig, makeHome, type TestHome } from "./__fixtures__/image-env.js";

const KEY = "sk-test-image-key-0123456789";
let emu: Emulator;
let t: TestHome;
const noSleep = async (): Promise<void> => undefined;

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

const opts = (extra: Record<string, unknown> = {}) => ({ config: apiKeyConfig(emu.apiBase, KEY), env: t.env, authStore: t.store, outputDir: t.outputDir, sleep: noSleep, ...extra });

describe("generateImages: API key route (Images API)", () => {
  it("POSTs /images/generations with Bearer auth and writes a PNG of the requested size", async () => {
    const result = await generateImages({ prompt: "A polished launch poster", size: "3840x2160", quality: "low" }, opts({ now: () => Date.UTC(2026, 0, 2, 3, 4, 5) }));
    const rec = emu.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "POST", path: "/v1/images/generations" });
    expect(emu.authHeaderOf(rec.id)).toBe(`Bearer ${KEY}`);
    expect(rec.headers["content-type"]).toContain("application/json");
    expect(rec.body).toEqual({ model: "gpt-image-2", prompt: "A polished launch poster", n: 1, size: "3840x2160", quality: "low" });
    expect(result).toMatchObject({ model: "openai/gpt-image-2", route: "openai", mode: "generate", warnings: [] });
    expect(result.images).toHaveLength(1);
    const img = result.images[0]!;
    expect(img).toMatchObject({ format: "png", width: 3840, height: 2160 });
    expect(img.path).toBe(join(t.outputDir, "a-polished-launch-poster-20260102-030405.png"));
    const bytes = await readFile(img.path);
    expect(pngSize(bytes)).toEqual({ width: 3840, height: 2160 });
    expect(bytes.length).toBe(img.bytes);
  });

  it("count maps to n, the configured default model is used, and names never collide", async () => {
    const config = { ...apiKeyConfig(emu.apiBase, KEY), agents: { defaults: { imageGenerationModel: { primary: "openai/gpt-image-1" } } } };
    const fixed = () => 1_700_000_000_000;
    const a = await generateImages({ prompt: "fox", count: 3, size: "1024x1536" }, opts({ config, now: fixed }));
    const b = await generateImages({ prompt: "fox", count: 3, size: "1024x1536" }, opts({ config, now: fixed }));
    expect(emu.requests.at(-1)!.body).toMatchObject({ model: "gpt-image-1", n: 3 });
    expect(a.model).toBe("openai/gpt-image-1");
    const paths = [...a.images, ...b.images].map((i) => i.path);
    expect(new Set(paths).size).toBe(6);
    // Exactly the six images: no temp files left behind.
    expect((await readdir(t.outputDir)).sort()).toEqual(paths.map((p) => p.slice(t.outputDir.length + 1)).sort());
    for (const i of b.images) expect(i).toMatchObject({ width: 1024, height: 1536 });
  });

  it("jpeg output is saved as .jpg; webp answered as png is reported", async () => {
    const jpeg = await generateImages({ prompt: "j", outputFormat: "jpeg", size: "1024x1024", background: "opaque" }, opts());
    expect(emu.requests.at(-1)!.body).toMatchObject({ output_format: "jpeg", background: "opaque" });
    expect(jpeg.images[0]!.path).toMatch(/\.jpg$/);
    expect(jpegSize(await readFile(jpeg.images[0]!.path))).toEqual({ width: 1024, height: 1024 });
    const webp = await generateImages({ prompt: "w", outputFormat: "webp" }, opts());
    expect(webp.images[0]!.format).toBe("png");
    expect(webp.warnings.join("\n")).toContain("asked for webp, got png");
  });

  it("aspectRatio/resolution are not forwarded on the API key route (warning)", async () => {
    const r = await generateImages({ prompt: "x", aspectRatio: "16:9", resolution: "4K" }, opts());
    const body = emu.requests.at(-1)!.body as Record<string, unknown>;
    expect(body).not.toHaveProperty("aspect_ratio");
    expect(body).not.toHaveProperty("size");
    expect(r.warnings[0]).toMatch(/aspectRatio=16:9, resolution=4K is not forwarded to the OpenAI Images API/);
  });

  it("edit mode: multipart /images/edits with one image[] part per reference", async () => {
    const { renderPng, encodeJpeg } = await import("@genesis/testkit");
    await writeFile(join(t.home, "ref.png"), renderPng(64, 64, "ref"));
    await writeFile(join(t.home, "ref2.data"), encodeJpeg(32, 32, new Uint8Array(32 * 32 * 3).fill(90)));
    const r = await generateImages({ prompt: "make it glass", image: ["ref.png", join(t.home, "ref2.data")], size: "1024x1536" }, opts({ cwd: t.home }));
    const rec = emu.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "POST", path: "/v1/images/edits" });
    expect(rec.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const body = rec.body as { fields: Record<string, string>; files: { field: string; filename: string; contentType: string; size: number }[] };
    expect(body.fields).toMatchObject({ model: "gpt-image-2", prompt: "make it glass", n: "1", size: "1024x1536" });
    expect(body.files.map((f) => [f.field, f.filename, f.contentType])).toEqual([["image[]", "ref.png", "image/png"], ["image[]", "ref2.data", "image/jpeg"]]);
    expect(r).toMatchObject({ mode: "edit", route: "openai" });
    expect(r.images[0]).toMatchObject({ width: 1024, height: 1536 });
  });

  it("a missing or non-image reference is a typed error before any request", async () => {
    await writeFile(join(t.home, "notes.png"), "just text, not a PNG");
    const n = emu.requests.length;
    const missing = await generateImages({ prompt: "x", image: "nope.png" }, opts({ cwd: t.home })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ImageRequestError);
    expect((missing as ImageRequestError).path).toBe("image");
    expect((missing as Error).message).toContain("does not exist");
    const fake = await generateImages({ prompt: "x", image: ["notes.png"] }, opts({ cwd: t.home })).catch((e: unknown) => e);
    expect((fake as ImageRequestError).message).toContain("is not a PNG, JPEG or WebP image");
    const bad = await generateImages({ prompt: "x", count: 5 }, opts()).catch((e: unknown) => e);
    expect((bad as ImageRequestError).path).toBe("count");
    expect(emu.requests.length).toBe(n);
  });

  it("retries a 429, then succeeds", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", match: { path: "/v1/images/generations" } });
    const r = await generateImages({ prompt: "x" }, opts());
    expect(emu.requests.filter((q) => q.path === "/v1/images/generations")).toHaveLength(2);
    expect(r.images).toHaveLength(1);
  });

  it("persistent 429 → RateLimitError; 5xx retried", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 3 });
    await expect(generateImages({ prompt: "x" }, opts())).rejects.toBeInstanceOf(RateLimitError);
    expect(emu.requests).toHaveLength(3);
    emu.reset();
    emu.fault({ kind: "http-status", status: 503 });
    await expect(generateImages({ prompt: "x" }, opts())).resolves.toMatchObject({ route: "openai" });
    expect(emu.requests).toHaveLength(2);
  });

  it("a 400 from the server is a typed error carrying the server's message, sent once", async () => {
    // 2048x512 is inside the local bounds, but gpt-image-2 refuses ratios beyond 3:1.
    const error = await generateImages({ prompt: "x", size: "2048x512" }, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("aspect ratio");
    expect(emu.requests).toHaveLength(1);
  });

  it("malformed answers are typed errors", async () => {
    emu.fault({ kind: "http-status", status: 200, body: { data: [] } });
    await expect(generateImages({ prompt: "x" }, opts())).rejects.toMatchObject({ code: "image_bad_response" });
    emu.fault({ kind: "http-status", status: 200, body: { data: [{ b64_json: Buffer.from("not an image").toString("base64") }] } });
    const e = await generateImages({ prompt: "x" }, opts()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ImageGenerationError);
    expect((e as ImageGenerationError).message).toContain("is not a PNG, JPEG or WebP image");
    const { renderPng } = await import("@genesis/testkit");
    emu.fault({ kind: "http-status", status: 200, body: { data: [{ b64_json: renderPng(16, 16).toString("base64") }, { b64_json: "AAAA" }] } });
    await expect(generateImages({ prompt: "x", count: 2 }, opts())).rejects.toThrow(/Image 2 is not a PNG/);
    await expect(readdir(t.outputDir)).rejects.toMatchObject({ code: "ENOENT" });
    emu.fault({ kind: "http-status", status: 200, body: { data: [{ url: "https://example.com/x.png" }] } });
    await expect(generateImages({ prompt: "x" }, opts())).rejects.toThrow(/without b64_json \(only a URL\)/);
  });

  it("a relative outputDir still yields absolute paths", async () => {
    const r = await generateImages({ prompt: "rel" }, opts({ outputDir: relative(process.cwd(), t.outputDir) }));
    expect(isAbsolute(r.images[0]!.path)).toBe(true);
    expect(r.images[0]!.path.startsWith(`${t.outputDir}/`)).toBe(true);
    expect(pngSize(await readFile(r.images[0]!.path))).toEqual({ width: 1024, height: 1024 });
  });

  it("an unwritable output folder is a typed image_write_failed naming the folder", async () => {
    const blocker = join(t.home, "not-a-dir");
    await writeFile(blocker, "x");
    const error = await generateImages({ prompt: "x" }, opts({ outputDir: join(blocker, "images") })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenerationError);
    expect(error).toMatchObject({ code: "image_write_failed" });
    expect((error as Error).message).toContain(join(blocker, "images"));
    expect((error as ImageGenerationError).hint).toMatch(/outputDir/);
  });

  it("aborting stops the call with the abort reason", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 2000 });
    const ac = new AbortController();
    const pending = generateImages({ prompt: "x" }, opts({ signal: ac.signal }));
    setTimeout(() => ac.abort(new Error("user cancelled")), 50);
    await expect(pending).rejects.toThrow("user cancelled");
    await expect(generateImages({ prompt: "x" }, opts({ signal: AbortSignal.abort(new Error("already")) }))).rejects.toThrow("already");
  });

  it("secrets never appear in errors or inspect output", async () => {
    emu.fault({ kind: "http-status", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}`, type: "invalid_request_error", code: "invalid_api_key" } } });
    const error = await generateImages({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(401);
    expect((error as Error).message).toContain("Incorrect API key provided");
    expect((error as Error).message).not.toContain(KEY);
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });

  it("no key and no sign-in is a typed error naming both fixes", async () => {
    const error = await generateImages({ prompt: "x" }, opts({ config: {} })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "image_no_credentials" });
    expect((error as ImageGenerationError).hint).toMatch(/OPENAI_API_KEY.*openai-codex/);
  });

  it("OPENAI_API_KEY from env is used on the default route shape when config only sets baseUrl", async () => {
    const config = { models: { providers: { openai: { baseUrl: emu.apiBase } } }, browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } } };
    await generateImages({ prompt: "x" }, opts({ config, env: { ...t.env, OPENAI_API_KEY: KEY } }));
    expect(emu.authHeaderOf(emu.requests.at(-1)!.id)).toBe(`Bearer ${KEY}`);
  });
});

describe("SSRF guard on custom image endpoints", () => {
  it("a loopback endpoint is blocked without browser.ssrfPolicy.dangerouslyAllowPrivateNetwork (0 requests)", async () => {
    const error = await generateImages({ prompt: "x" }, opts({ config: apiKeyConfig(emu.apiBase, KEY, false) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).not.toContain(KEY);
    expect(emu.requests).toHaveLength(0);
  });
  it("an injected fetch is checked too", async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async (i, init) => (calls++, globalThis.fetch(i, init));
    await expect(generateImages({ prompt: "x" }, opts({ config: apiKeyConfig(emu.apiBase, KEY, false), fetch }))).rejects.toBeInstanceOf(SsrfBlockedError);
    expect(calls).toBe(0);
    await generateImages({ prompt: "x" }, opts({ fetch }));
    expect(calls).toBe(1);
  });
});
