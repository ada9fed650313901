import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../index.js";
import { videosRetiredFault } from "./videos.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

it("simulates the retired Videos API with a fault, leaving other endpoints alone", async () => {
  const client = new OpenAI({ apiKey: "sk-x", baseURL: emu.apiBase, maxRetries: 0 });
  emu.fault(videosRetiredFault(2));
  const err = await client.videos.create({ prompt: "x" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("unknown_url");
  expect(await client.videos.retrieve("video_1").catch((e: unknown) => (e as { status: number }).status)).toBe(404);
  expect((await client.embeddings.create({ model: "text-embedding-3-small", input: "still fine" })).data).toHaveLength(1);
  // After `times` requests the fault is spent and the endpoint works again.
  expect((await client.videos.create({ prompt: "back" })).status).toBe("queued");
});

it("validates video parameters like the API", async () => {
  const client = new OpenAI({ apiKey: "sk-x", baseURL: emu.apiBase, maxRetries: 0 });
  const bad = await client.videos.create({ prompt: "x", model: "sora-2", size: "1792x1024" }).catch((e: unknown) => e);
  expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("size");
  const pro = await client.videos.create({ prompt: "x", model: "sora-2-pro", size: "1792x1024", seconds: "8" });
  expect(pro).toMatchObject({ size: "1792x1024", seconds: "8" });
  const list = await client.videos.list();
  expect(list.data[0]!.id).toBe(pro.id);
});
