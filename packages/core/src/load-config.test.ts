import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validatedCachePath } from "./_config-cache.js";
import { loadConfig } from "./load-config.js";

let home: string;
let file: string;
const env = () => ({ GENESIS_HOME: home });

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "genesis-load-"));
  file = join(home, "genesis.json5");
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function cacheEntry(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(validatedCachePath(file), "utf8")) as Record<string, unknown>;
}

describe("loadConfig's validated-config cache", () => {
  it("validates once, stores the result 0600 beside the file, and reuses it for the same document", async () => {
    await writeFile(file, `{ agents: { defaults: { promptOverlays: { gpt5: { personality: "OFF" } } } } }`);
    const first = await loadConfig({ env: env() });
    expect(first.config.agents?.defaults?.promptOverlays?.gpt5?.personality).toBe("off");
    expect((await stat(validatedCachePath(file))).mode & 0o777).toBe(0o600);
    expect(await cacheEntry()).toMatchObject({ path: file, fingerprint: __GENESIS_SCHEMA_FINGERPRINT__ });

    // Prove the second load reads the cache rather than validating: plant a marker in it.
    const entry = await cacheEntry();
    (entry.config as Record<string, unknown>).env = { CACHE_MARKER: "1" };
    await writeFile(validatedCachePath(file), JSON.stringify(entry));
    expect((await loadConfig({ env: env() })).config.env).toEqual({ CACHE_MARKER: "1" });
  });

  it("misses when the document changes, and never caches an invalid document", async () => {
    await writeFile(file, `{ agents: { defaults: { model: { primary: "openai/gpt-5.4" } } } }`);
    await loadConfig({ env: env() });
    // Comments and formatting do not matter; content does.
    await writeFile(file, `// edited\n{ agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" } } } }`);
    expect((await loadConfig({ env: env() })).config.agents?.defaults?.model?.primary).toBe("openai-codex/gpt-5.5");

    await writeFile(file, `{ agents: { defaults: { modle: {} } } }`);
    await expect(loadConfig({ env: env() })).rejects.toMatchObject({ code: "config_invalid" });
    await expect(loadConfig({ env: env() })).rejects.toMatchObject({ code: "config_invalid" });
    expect((await cacheEntry()).document).toContain("openai-codex/gpt-5.5");
  });

  it("ignores an entry from another schema or a corrupt cache file", async () => {
    await writeFile(file, `{ agents: { defaults: { model: { primary: "openai/gpt-5.4" } } } }`);
    await loadConfig({ env: env() });
    const entry = await cacheEntry();
    await writeFile(validatedCachePath(file), JSON.stringify({ ...entry, fingerprint: "old-schema", config: { env: { STALE: "1" } } }));
    expect((await loadConfig({ env: env() })).config.env).toBeUndefined();
    await writeFile(validatedCachePath(file), "{ not json");
    expect((await loadConfig({ env: env() })).config.agents?.defaults?.model?.primary).toBe("openai/gpt-5.4");
    expect((await cacheEntry()).fingerprint).toBe(__GENESIS_SCHEMA_FINGERPRINT__);
  });
});
