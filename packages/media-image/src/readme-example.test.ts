import { it, expect } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPng, startEmulator } from "@genesis/testkit";
import { createImageGenerateTool, generateImages } from "./index.js";

it("README example runs", async () => {
  const dir = await mkdtemp(join(tmpdir(), "readme-img-"));
  const emu = await startEmulator();
  const config = {
    models: { providers: { openai: { baseUrl: emu.apiBase, apiKey: "sk-test" } } },
    browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } },
  };
  const env = { GENESIS_HOME: dir };
  const out = join(dir, "out");
  const result = await generateImages({ prompt: "A polished launch poster", size: "3840x2160" }, { config, outputDir: out, env });
  expect(result).toMatchObject({ model: "openai/gpt-image-2", route: "openai", mode: "generate", warnings: [] });
  await writeFile(join(out, "reference.png"), renderPng(32, 32));
  const tool = createImageGenerateTool({ config, outputDir: out, env });
  const text = await tool.execute({ prompt: "Make it glass", image: join(out, "reference.png"), size: "1024x1536" }, { sessionId: "s", cwd: dir, signal: AbortSignal.timeout(60_000) });
  expect(JSON.parse(text)).toMatchObject({ mode: "edit" });
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});
