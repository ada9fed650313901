import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { createOpenAIEmbeddings } from "./create-openai-embeddings.js";
import { listOpenAIModels } from "./list-openai-models.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

describe("createOpenAIEmbeddings", () => {
  it("batches inputs, forwards dimensions, defaults to text-embedding-3-small, keeps order", async () => {
    emu.reset();
    const embeddings = createOpenAIEmbeddings({ apiKey: "sk-emb-0123456789", baseUrl: emu.apiBase, dimensions: 8, batchSize: 2 });
    const vectors = await embeddings.embed(["a", "b", "c"]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(v).toHaveLength(8);
    const calls = emu.requests.filter((r) => r.path === "/v1/embeddings");
    expect(calls.map((c) => (c.body as { input: string[] }).input)).toEqual([["a", "b"], ["c"]]);
    expect(calls[0]!.body).toMatchObject({ model: "text-embedding-3-small", dimensions: 8, encoding_format: "float" });
    // deterministic vectors: the same text embeds the same way in another batch
    const again = await embeddings.embed(["c"]);
    expect(again[0]).toEqual(vectors[2]);
  });

  it("rejects bad options and empty inputs with typed errors", async () => {
    expect(() => createOpenAIEmbeddings({ apiKey: "" })).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    expect(() => createOpenAIEmbeddings({ apiKey: "sk-x-0123456", batchSize: 0 })).toThrow(/batchSize/);
    const e = createOpenAIEmbeddings({ apiKey: "sk-emb-0123456789", baseUrl: emu.apiBase });
    await expect(e.embed([""])).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("turns a 401 into an auth error without the key in the message", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-good-0123456789"] });
    try {
      const e = createOpenAIEmbeddings({ apiKey: "sk-bad-0123456789", baseUrl: strict.apiBase });
      const error = await e.embed(["x"]).catch((err: Error) => err);
      expect(error).toMatchObject({ code: "auth_failed", status: 401 });
      expect(String((error as Error).message)).not.toContain("sk-bad-0123456789");
    } finally {
      await strict.close();
    }
  });
});

describe("listOpenAIModels", () => {
  it("GETs /models with the key and returns sorted ids", async () => {
    emu.reset();
    const models = await listOpenAIModels({ apiKey: "sk-list-0123456789", baseUrl: emu.apiBase });
    expect(models.length).toBeGreaterThan(0);
    expect(models.map((m) => m.id)).toEqual([...models.map((m) => m.id)].sort((a, b) => a.localeCompare(b)));
    expect(models.map((m) => m.id)).toContain("gpt-5.4");
    const req = emu.requests.at(-1)!;
    expect(req).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(emu.authHeaderOf(req.id)).toBe("Bearer sk-list-0123456789");
  });
});
