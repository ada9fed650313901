import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { pngSize, renderPng, startEmulator, type Emulator } from "@genesis/testkit";
import { ApiError, SsrfBlockedError } from "@genesis/transport";
import { generateImages } from "./generate-images.js";
import { apiKeyConfig, loopbackLookup, makeHome, signInCodex, type TestHome } from "./__fixtures__/image-env.js";

const AZURE_KEY = "azure-resource-key-0123456789abcdef";
let emu: Emulator;
let t: TestHome;
let base: string;

beforeAll(async () => {
  emu = await startEmulator();
  // A real Azure host name; the guard's DNS (injected) resolves it to the emulator on loopback.
  base = `http://my-res.openai.azure.com:${emu.port}`;
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

const opts = (extra: Record<string, unknown> = {}) => ({
  config: apiKeyConfig(base, AZURE_KEY), env: t.env, authStore: t.store, outputDir: t.outputDir, lookup: loopbackLookup, sleep: async () => undefined, ...extra,
});

describe("generateImages: Azure host on models.providers.openai.baseUrl", () => {
  it("uses the deployment path, api-key header and the default api-version", async () => {
    const r = await generateImages({ model: "openai/gpt-image-2-prod", prompt: "A clean poster", size: "1024x1024", count: 2 }, opts());
    const rec = emu.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "POST", path: "/openai/deployments/gpt-image-2-prod/images/generations", query: { "api-version": "2024-12-01-preview" } });
    expect(rec.headers["api-key"]).toBe("[redacted]");
    expect(emu.authHeaderOf(rec.id)).toBe(AZURE_KEY);
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.headers.host).toBe(`my-res.openai.azure.com:${emu.port}`);
    expect(rec.body).toEqual({ prompt: "A clean poster", n: 2, size: "1024x1024" });
    expect(r).toMatchObject({ route: "azure", model: "openai/gpt-image-2-prod", mode: "generate" });
    expect(r.images).toHaveLength(2);
    expect(pngSize(await readFile(r.images[1]!.path))).toEqual({ width: 1024, height: 1024 });
  });

  it("honours AZURE_OPENAI_API_VERSION and a base that ends in /openai", async () => {
    await generateImages({ model: "openai/img-dep", prompt: "x" }, opts({ config: apiKeyConfig(`${base}/openai`, AZURE_KEY), env: { ...t.env, AZURE_OPENAI_API_VERSION: "2025-04-01-preview" } }));
    expect(emu.requests.at(-1)).toMatchObject({ path: "/openai/deployments/img-dep/images/generations", query: { "api-version": "2025-04-01-preview" } });
  });

  it("edits go to the deployment's images/edits as multipart", async () => {
    await writeFile(join(t.home, "ref.png"), renderPng(32, 32, "r"));
    const r = await generateImages({ model: "openai/img-dep", prompt: "glass", image: "ref.png" }, opts({ cwd: t.home }));
    const rec = emu.requests.at(-1)!;
    expect(rec.path).toBe("/openai/deployments/img-dep/images/edits");
    expect(rec.query["api-version"]).toBe("2024-12-01-preview");
    expect((rec.body as { files: { field: string }[] }).files.map((f) => f.field)).toEqual(["image[]"]);
    expect(r.mode).toBe("edit");
  });

  it("an explicit Azure config wins over a stored Codex sign-in", async () => {
    await signInCodex(emu, t.store);
    const r = await generateImages({ model: "openai/dep", prompt: "x" }, opts());
    expect(r.route).toBe("azure");
    expect(emu.requests.some((q) => q.path.startsWith("/backend-api"))).toBe(false);
  });

  it("a bad deployment name or api-version is refused before any request", async () => {
    await expect(generateImages({ model: "openai/team/dep", prompt: "x" }, opts())).rejects.toMatchObject({ code: "azure_invalid_deployment" });
    await expect(generateImages({ model: "openai/d", prompt: "x" }, opts({ env: { ...t.env, AZURE_OPENAI_API_VERSION: "x?y" } }))).rejects.toMatchObject({ code: "azure_invalid_api_version" });
    expect(emu.requests).toHaveLength(0);
  });

  it("falls back to OPENAI_API_KEY when the config sets only the Azure baseUrl", async () => {
    const config = { models: { providers: { openai: { baseUrl: base } } }, browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } } };
    await generateImages({ model: "openai/d", prompt: "x" }, opts({ config, env: { ...t.env, OPENAI_API_KEY: AZURE_KEY } }));
    expect(emu.authHeaderOf(emu.requests.at(-1)!.id)).toBe(AZURE_KEY);
    expect(emu.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("Azure 400s are typed, carry the server message and never the key", async () => {
    emu.fault({ kind: "http-status", status: 400, body: { error: { code: "BadRequest", message: `background not supported for key ${AZURE_KEY}` } } });
    const error = await generateImages({ model: "openai/d", prompt: "x", background: "transparent" }, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as Error).message).toContain("background not supported");
    expect((error as Error).message).not.toContain(AZURE_KEY);
    expect(inspect(error, { depth: 10 })).not.toContain(AZURE_KEY);
  });

  it("a private Azure-named host is blocked without the opt-in", async () => {
    await expect(generateImages({ model: "openai/d", prompt: "x" }, opts({ config: apiKeyConfig(base, AZURE_KEY, false) }))).rejects.toBeInstanceOf(SsrfBlockedError);
    expect(emu.requests).toHaveLength(0);
  });
});
