import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { mp4TopLevelBoxes, renderPng } from "@genesis/testkit";
import { CANARY_KEY, videoHarness, type VideoHarness } from "./__fixtures__/video-harness.js";
import { createVideoGenerateTool } from "./create-video-generate-tool.js";

let h: VideoHarness;
beforeEach(async () => {
  h = await videoHarness();
});
afterEach(() => h.close());

const ctx = (dir: string, signal = new AbortController().signal) => ({ sessionId: "s1", cwd: dir, signal });

it("has the runtime's ToolDefinition shape with a JSON Schema object", () => {
  const tool = createVideoGenerateTool();
  expect(tool.name).toBe("video_generate");
  expect(tool.description).toMatch(/video/i);
  expect(tool.parameters).toMatchObject({ type: "object", required: ["prompt"], additionalProperties: false });
  const props = tool.parameters["properties"] as Record<string, { enum?: unknown[] }>;
  expect(Object.keys(props)).toEqual(expect.arrayContaining(["prompt", "model", "seconds", "size", "image", "video", "aspectRatio", "resolution", "audio", "watermark"]));
  expect(props["seconds"]!.enum).toEqual(["4", "8", "12"]);
  expect(props["size"]!.enum).toEqual(["720x1280", "1280x720", "1024x1792", "1792x1024"]);
});

it("answers JSON with the file path, id, model, seconds, size and warnings for ignored overrides", async () => {
  const tool = createVideoGenerateTool(h.options());
  await writeFile(join(h.dir, "still.png"), renderPng(720, 1280));
  // Strict routes send null for arguments the model left out.
  const output = await tool.execute(
    { prompt: "the still comes alive", image: "still.png", seconds: "8", size: null, model: null, video: null, aspectRatio: "16:9", audio: true, watermark: false, duration: 12 },
    ctx(h.dir),
  );
  const answer = JSON.parse(output) as Record<string, unknown>;
  expect(answer).toMatchObject({ status: "completed", model: "sora-2", seconds: "8", size: "720x1280", mode: "image-to-video" });
  expect(answer["warnings"]).toEqual([
    "aspectRatio is not supported by the OpenAI Videos API and was ignored; use size instead.",
    "audio is not supported by the OpenAI Videos API and was ignored.",
    "watermark is not supported by the OpenAI Videos API and was ignored.",
    "duration is not a video_generate argument and was ignored.",
  ]);
  expect(mp4TopLevelBoxes(await readFile(answer["path"] as string))[0]).toBe("ftyp");
  expect(h.emu.requests[0]!.body).toMatchObject({ fields: { model: "sora-2", seconds: "8", size: "720x1280" } });
  expect(output).not.toContain(CANARY_KEY);
});

it("the returned id drives a follow-up edit", async () => {
  const tool = createVideoGenerateTool(h.options());
  const first = JSON.parse(await tool.execute({ prompt: "a paper boat" }, ctx(h.dir))) as { videoId: string };
  const second = JSON.parse(await tool.execute({ prompt: "now it sails away", videos: [first.videoId] }, ctx(h.dir))) as Record<string, unknown>;
  expect(second).toMatchObject({ mode: "video-edit", remixedFrom: first.videoId });
  expect(h.emu.requests.some((r) => r.path === `/v1/videos/${first.videoId}/remix`)).toBe(true);
});

it("bad arguments throw a typed error before any request", async () => {
  const tool = createVideoGenerateTool(h.options());
  await expect(tool.execute({ prompt: "x", seconds: "5" }, ctx(h.dir))).rejects.toMatchObject({ code: "video_invalid_argument", path: "seconds" });
  await expect(tool.execute({ prompt: "x", images: ["a.png"], videos: ["video_1"] }, ctx(h.dir))).rejects.toMatchObject({ code: "video_too_many_references" });
  await expect(tool.execute({}, ctx(h.dir))).rejects.toMatchObject({ path: "prompt" });
  expect(h.emu.requests).toHaveLength(0);
});

it("the context's signal cancels the run", async () => {
  const tool = createVideoGenerateTool(h.options());
  const controller = new AbortController();
  controller.abort();
  await expect(tool.execute({ prompt: "x" }, ctx(h.dir, controller.signal))).rejects.toMatchObject({ code: "aborted" });
  expect(h.emu.requests).toHaveLength(0);
});
