import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pngSize, renderPng, startEmulator, type Emulator } from "@genesis/testkit";
import { createImageGenerateTool } from "./create-image-generate-tool.js";
import { ImageRequestError } from "./image-errors.js";
import { apiKeyConfig, codexConfig, makeHome, signInCodex, type TestHome } from "./__fixtures__/image-env.js";

const KEY = "sk-tool-test-key-0123456789";
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

const ctx = () => ({ sessionId: "s1", cwd: t.home, signal: new AbortController().signal });

describe("createImageGenerateTool", () => {
  it("has the runtime ToolDefinition shape and a JSON Schema for its arguments", () => {
    const tool = createImageGenerateTool({ env: t.env });
    expect(tool.name).toBe("image_generate");
    expect(tool.description).toMatch(/gpt-image-2/);
    expect(tool.parameters).toMatchObject({ type: "object", required: ["prompt"], properties: { count: { maximum: 4 }, image: { anyOf: [{ type: "string" }, { type: "array", maxItems: 5 }] } } });
  });

  it("execute answers JSON listing the written files; default outputDir is $GENESIS_HOME/media/images", async () => {
    const tool = createImageGenerateTool({ config: apiKeyConfig(emu.apiBase, KEY), env: t.env, authStore: t.store });
    await writeFile(join(t.home, "ref.png"), renderPng(16, 16, "r"));
    const out = JSON.parse(await tool.execute({ prompt: "glass fox", image: "ref.png", size: "1024x1536", aspectRatio: "2:3" }, ctx())) as {
      model: string; route: string; mode: string; images: { path: string; width: number; height: number; bytes: number; format: string }[]; warnings: string[];
    };
    expect(out).toMatchObject({ model: "openai/gpt-image-2", route: "openai", mode: "edit" });
    expect(out.images[0]!.path.startsWith(join(t.home, "media", "images"))).toBe(true);
    expect(pngSize(await readFile(out.images[0]!.path))).toEqual({ width: 1024, height: 1536 });
    expect((await stat(out.images[0]!.path)).size).toBe(out.images[0]!.bytes);
    expect(out.warnings[0]).toContain("not forwarded");
    expect(emu.requests.at(-1)!.path).toBe("/v1/images/edits");
  });

  it("works through the Codex route with a loaded-config object and env OPENAI_API_KEY set", async () => {
    await signInCodex(emu, t.store);
    const tool = createImageGenerateTool({ config: { config: codexConfig(emu), path: join(t.home, "genesis.json5") }, env: { ...t.env, OPENAI_API_KEY: KEY }, authStore: t.store });
    const out = JSON.parse(await tool.execute({ prompt: "x", model: "openai/gpt-image-1", size: "1536x1024" }, ctx())) as { route: string; images: unknown[] };
    expect(out.route).toBe("codex");
    expect((emu.requests.at(-1)!.body as { tools: { model: string }[] }).tools[0]!.model).toBe("gpt-image-1");
  });

  it("bad arguments throw a typed error naming the field", async () => {
    const tool = createImageGenerateTool({ config: apiKeyConfig(emu.apiBase, KEY), env: t.env, authStore: t.store });
    const e = await tool.execute({ prompt: "x", count: 5 }, ctx()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ImageRequestError);
    expect((e as ImageRequestError).path).toBe("count");
    expect((e as ImageRequestError).hint).toContain("1 to 4");
    expect(emu.requests).toHaveLength(0);
  });

  it("null arguments (strict function calling's 'not given') are treated as absent", async () => {
    const tool = createImageGenerateTool({ config: apiKeyConfig(emu.apiBase, KEY), env: t.env, authStore: t.store });
    const args = { prompt: "x", model: null, size: null, count: null, image: null, quality: null, background: null, outputFormat: null, aspectRatio: null, resolution: null };
    const out = JSON.parse(await tool.execute(args, ctx())) as { mode: string; images: unknown[] };
    expect(out).toMatchObject({ mode: "generate" });
    expect(out.images).toHaveLength(1);
    expect(emu.requests.at(-1)!.body).toEqual({ model: "gpt-image-2", prompt: "x", n: 1 });
  });

  it("reads the config file from GENESIS_HOME when none is passed", async () => {
    await writeFile(join(t.home, "genesis.json5"), `{ models: { providers: { openai: { baseUrl: "${emu.apiBase}", apiKey: "${KEY}" } } }, browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } }, agents: { defaults: { imageGenerationModel: { primary: "openai/gpt-image-1.5" } } } }`);
    const tool = createImageGenerateTool({ env: t.env });
    const out = JSON.parse(await tool.execute({ prompt: "x" }, ctx())) as { model: string };
    expect(out.model).toBe("openai/gpt-image-1.5");
    expect(emu.requests.at(-1)!.body).toMatchObject({ model: "gpt-image-1.5" });
  });
});
