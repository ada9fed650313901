import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeJpeg, mp4TopLevelBoxes, pngSize, renderPng } from "@genesis/testkit";
import { CANARY_KEY, requestLines, videoHarness, type VideoHarness } from "./__fixtures__/video-harness.js";
import { generateVideo } from "./generate-video.js";
import type { VideoProgress } from "./video-options.js";

/** Flat mid-grey RGB pixels for the JPEG encoder. */
const grey = (width: number, height: number) => new Uint8Array(width * height * 3).fill(128);

let h: VideoHarness;
beforeEach(async () => {
  h = await videoHarness();
});
afterEach(() => h.close());

/** The bytes the emulator serves for a video, fetched independently of the code under test. */
async function emulatorMp4(id: string): Promise<Buffer> {
  const res = await fetch(`${h.emu.apiBase}/videos/${id}/content?variant=video`, { headers: { authorization: "Bearer sk-other-reader" } });
  return Buffer.from(await res.arrayBuffer());
}

describe("text-to-video", () => {
  it("creates with JSON, polls until completed with growing waits, and writes the emulator's MP4", async () => {
    const progress: VideoProgress[] = [];
    let clock = 1_000_000;
    const result = await generateVideo(
      { prompt: "waves at dusk", model: "openai/sora-2", seconds: "8", size: "1280x720" },
      h.options({ pollIntervalMs: 1000, maxPollIntervalMs: 10_000, now: () => (clock += 100), onProgress: (p) => progress.push(p) }),
    );

    expect(requestLines(h.emu)).toEqual([
      "POST /v1/videos",
      `GET /v1/videos/${result.videoId}`,
      `GET /v1/videos/${result.videoId}`,
      `GET /v1/videos/${result.videoId}/content?variant=video`,
    ]);
    const create = h.emu.requests[0]!;
    expect(create.headers["content-type"]).toBe("application/json");
    expect(h.emu.authHeaderOf(0)).toBe(`Bearer ${CANARY_KEY}`);
    expect(h.emu.authHeaderOf(3)).toBe(`Bearer ${CANARY_KEY}`);
    expect(create.body).toEqual({ model: "sora-2", prompt: "waves at dusk", seconds: "8", size: "1280x720" });

    expect(progress.map((p) => [p.status, p.progress])).toEqual([["queued", 0], ["in_progress", 50], ["completed", 100]]);
    expect(progress.every((p) => p.videoId === result.videoId && p.elapsedMs >= 0)).toBe(true);
    // The wait between checks grows ×1.5.
    expect(h.delays).toEqual([1000, 1500]);

    expect(result).toMatchObject({ model: "sora-2", seconds: "8", size: "1280x720", mode: "text-to-video", warnings: [], remixedFrom: undefined });
    expect(result.videoId).toMatch(/^video_/);
    expect(result.path).toBe(join(h.dir, "out", `${result.videoId}.mp4`));
    const written = await readFile(result.path);
    expect(written.equals(await emulatorMp4(result.videoId))).toBe(true);
    expect(mp4TopLevelBoxes(written)[0]).toBe("ftyp");
    expect(result.bytes).toBe(written.length);
    // Atomic write: nothing but the final file is left behind.
    expect(await readdir(join(h.dir, "out"))).toEqual([`${result.videoId}.mp4`]);
  });

  it("takes model, baseUrl and key from config/env and writes under $GENESIS_HOME/media/videos", async () => {
    const home = join(h.dir, "home");
    const result = await generateVideo(
      { prompt: "a lighthouse" },
      h.options({
        apiKey: undefined,
        baseUrl: undefined,
        outputDir: undefined,
        env: { GENESIS_HOME: home, OPENAI_API_KEY: CANARY_KEY },
        config: {
          agents: { defaults: { videoGenerationModel: { primary: "openai/sora-2-pro" } } },
          models: { providers: { openai: { baseUrl: h.emu.apiBase } } },
        },
      }),
    );
    expect(h.emu.requests[0]!.body).toEqual({ model: "sora-2-pro", prompt: "a lighthouse" });
    expect(h.emu.authHeaderOf(0)).toBe(`Bearer ${CANARY_KEY}`);
    expect(result.path).toBe(join(home, "media", "videos", `${result.videoId}.mp4`));
    // The API's defaults come back from the server, not from Genesis.
    expect(result).toMatchObject({ model: "sora-2-pro", seconds: "4", size: "720x1280" });
  });

  it("config apiKey wins over OPENAI_API_KEY, and the default model is openai/sora-2", async () => {
    await generateVideo(
      { prompt: "rain" },
      h.options({ apiKey: undefined, env: { OPENAI_API_KEY: "sk-env-key-should-lose" }, config: { models: { providers: { openai: { apiKey: CANARY_KEY } } } } }),
    );
    expect(h.emu.authHeaderOf(0)).toBe(`Bearer ${CANARY_KEY}`);
    expect((h.emu.requests[0]!.body as { model: string }).model).toBe("sora-2");
  });

  it("downloads the thumbnail next to the video when asked", async () => {
    const result = await generateVideo({ prompt: "forest", size: "720x1280", thumbnail: true }, h.options());
    expect(requestLines(h.emu).at(-1)).toBe(`GET /v1/videos/${result.videoId}/content?variant=thumbnail`);
    expect(result.thumbnailPath).toBe(join(h.dir, "out", `${result.videoId}.thumbnail.png`));
    expect(pngSize(await readFile(result.thumbnailPath!))).toEqual({ width: 180, height: 320 });
  });
});

describe("image-to-video", () => {
  it("sends the image as multipart input_reference and takes the output size from it", async () => {
    const png = renderPng(1280, 720, "ref");
    await writeFile(join(h.dir, "ref.png"), png);
    const result = await generateVideo({ prompt: "make it move", image: "ref.png", seconds: "4" }, h.options());
    const create = h.emu.requests[0]!;
    expect(create.method).toBe("POST");
    expect(create.path).toBe("/v1/videos");
    expect(create.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(create.body).toEqual({
      fields: { model: "sora-2", prompt: "make it move", seconds: "4", size: "1280x720" },
      files: [{ field: "input_reference", filename: "ref.png", contentType: "image/png", size: png.length }],
    });
    expect(result).toMatchObject({ mode: "image-to-video", size: "1280x720" });
    expect(mp4TopLevelBoxes(await readFile(result.path))[0]).toBe("ftyp");
  });

  it("accepts a JPEG whose size matches the requested size (images list form)", async () => {
    const jpeg = encodeJpeg(720, 1280, grey(720, 1280));
    await writeFile(join(h.dir, "portrait.jpg"), jpeg);
    const result = await generateVideo({ prompt: "pan up", images: [join(h.dir, "portrait.jpg")], size: "720x1280" }, h.options());
    expect((h.emu.requests[0]!.body as { files: unknown[] }).files).toEqual([{ field: "input_reference", filename: "portrait.jpg", contentType: "image/jpeg", size: jpeg.length }]);
    expect(result.size).toBe("720x1280");
  });
});

describe("video edit (remix)", () => {
  it("remixes an earlier video by id, keeping its size and duration", async () => {
    const first = await generateVideo({ prompt: "a cat on stage", size: "1280x720", seconds: "12" }, h.options());
    h.emu.reset();
    h.delays.length = 0;
    const result = await generateVideo({ prompt: "the cat takes a bow", video: first.videoId, seconds: "4", model: "openai/sora-2-pro" }, h.options());
    expect(requestLines(h.emu)[0]).toBe(`POST /v1/videos/${first.videoId}/remix`);
    expect(h.emu.requests[0]!.body).toEqual({ prompt: "the cat takes a bow" });
    expect(h.emu.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(result).toMatchObject({ mode: "video-edit", remixedFrom: first.videoId, size: "1280x720", seconds: "12" });
    expect(result.videoId).not.toBe(first.videoId);
    expect(result).toMatchObject({ model: "sora-2" }); // the source's model, as the server reports it
    expect(result.warnings).toEqual([
      "seconds was ignored: an edit keeps the duration of the source video.",
      "model was ignored: an edit uses the model of the source video.",
    ]);
    expect((await readFile(result.path)).equals(await emulatorMp4(result.videoId))).toBe(true);
  });
});
