import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GenesisError } from "@genesis/core";
import { renderPng, startEmulator, videosRetiredFault } from "@genesis/testkit";
import { AbortError, ApiError, AuthenticationError } from "@genesis/transport";
import { CANARY_KEY, requestLines, videoHarness, type VideoHarness } from "./__fixtures__/video-harness.js";
import { generateVideo } from "./generate-video.js";
import { VideoArgumentError, VideoFailedError, VideoOutputError, VideoRejectedError, VideoResponseError, VideosRetiredError, VideoTimeoutError } from "./video-errors.js";
import type { VideoProgress, VideoRequest } from "./video-options.js";

let h: VideoHarness;
beforeEach(async () => {
  h = await videoHarness();
});
afterEach(() => h.close());

async function failure(request: VideoRequest, extra: Parameters<VideoHarness["options"]>[0] = {}): Promise<GenesisError> {
  const error = await generateVideo(request, h.options(extra)).then(() => undefined, (e: unknown) => e);
  expect(GenesisError.isInstance(error)).toBe(true);
  return error as GenesisError;
}

function expectNoSecret(error: unknown): void {
  const texts = [String((error as Error).message), inspect(error), inspect(error, { depth: 5 }), String((error as GenesisError).hint), JSON.stringify(error)];
  for (const text of texts) expect(text).not.toContain(CANARY_KEY);
}

describe("invalid arguments are refused before any request", () => {
  const cases: [string, VideoRequest, string, RegExp][] = [
    ["seconds 5", { prompt: "x", seconds: "5" }, "seconds", /"4", "8" or "12"/],
    ["size 999x999", { prompt: "x", size: "999x999" }, "size", /720x1280/],
    ["two references", { prompt: "x", image: "a.png", video: "video_abc" }, "images", /at most one reference/],
    ["two images", { prompt: "x", images: ["a.png", "b.png"] }, "images", /2 image/],
    ["pro size on sora-2", { prompt: "x", size: "1792x1024" }, "size", /sora-2-pro/],
    ["empty prompt", { prompt: "  " }, "prompt", /empty/],
    ["video file instead of an id", { prompt: "x", video: "/tmp/clip.mp4" }, "video", /video_/],
    ["non-openai model", { prompt: "x", model: "google/veo-3" }, "model", /openai\/sora-2/],
  ];
  it.each(cases)("%s", async (_name, request, path, hint) => {
    const error = await failure(request);
    expect(error).toBeInstanceOf(VideoArgumentError);
    expect((error as VideoArgumentError).path).toBe(path);
    expect(`${error.message} ${error.hint}`).toMatch(hint);
    expect(h.emu.requests).toHaveLength(0);
  });

  it("a reference image of another size names the size to use", async () => {
    await writeFile(join(h.dir, "wide.png"), renderPng(1280, 720));
    const error = await failure({ prompt: "x", image: "wide.png", size: "720x1280" });
    expect(error.code).toBe("video_reference_size");
    expect(error.message).toContain("1280x720 but size is 720x1280");
    expect(error.hint).toContain('size="1280x720"');
    expect(h.emu.requests).toHaveLength(0);
  });

  it("an image no model size fits is told which size to resize to", async () => {
    await writeFile(join(h.dir, "square.png"), renderPng(640, 512));
    const error = await failure({ prompt: "x", image: "square.png" });
    expect(error.hint).toMatch(/Resize or crop the image to 1280x720 pixels/);
    expect(h.emu.requests).toHaveLength(0);
  });

  it("a missing or non-image reference file is a typed error", async () => {
    expect((await failure({ prompt: "x", image: "nope.png" })).message).toMatch(/does not exist/);
    await writeFile(join(h.dir, "notes.txt"), "hello");
    expect((await failure({ prompt: "x", image: "notes.txt" })).message).toMatch(/not a PNG, JPEG or WebP/);
    expect(h.emu.requests).toHaveLength(0);
  });

  it("no API key anywhere is an AuthError naming OPENAI_API_KEY", async () => {
    const error = await failure({ prompt: "x" }, { apiKey: undefined, env: {} });
    expect(error.code).toBe("video_missing_api_key");
    expect(error.hint).toContain("OPENAI_API_KEY");
    expect(h.emu.requests).toHaveLength(0);
  });

  it("a base URL that is not http(s) is refused, naming where it came from", async () => {
    const direct = await failure({ prompt: "x" }, { baseUrl: "not a url" });
    expect(direct).toBeInstanceOf(VideoArgumentError);
    expect(direct).toMatchObject({ path: "baseUrl", hint: expect.stringMatching(/https:\/\//) });
    const configured = await failure({ prompt: "x" }, { baseUrl: undefined, config: { models: { providers: { openai: { baseUrl: "localhost:8080/v1" } } } } });
    expect(configured).toMatchObject({ path: "models.providers.openai.baseUrl" });
    expect(h.emu.requests).toHaveLength(0);
  });

  it("an output directory that cannot be created is refused before the job is paid for", async () => {
    await writeFile(join(h.dir, "blocker"), "a file where the directory should be");
    const error = await failure({ prompt: "x" }, { outputDir: join(h.dir, "blocker", "videos") });
    expect(error).toBeInstanceOf(VideoArgumentError);
    expect(error).toMatchObject({ path: "outputDir", hint: expect.stringMatching(/writable/) });
    expect(h.emu.requests).toHaveLength(0);
  });

  it("bad timing options are refused", async () => {
    expect((await failure({ prompt: "x" }, { timeoutMs: -1 })).message).toMatch(/timeoutMs/);
    expect(h.emu.requests).toHaveLength(0);
  });
});

describe("server answers", () => {
  it("a retired Videos API (404 unknown_url) becomes VideosRetiredError", async () => {
    h.emu.fault(videosRetiredFault());
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideosRetiredError);
    expect(error.code).toBe("videos_api_retired");
    expect(error.message).toMatch(/retire.*2026-09-24/);
    expect(error.hint).toMatch(/videoGenerationModel/);
    expect((error as VideosRetiredError).status).toBe(404);
    expect(requestLines(h.emu)).toEqual(["POST /v1/videos"]); // 404 is not retried
    expectNoSecret(error);
  });

  it("the API's own answer for a removed path (404 'Invalid URL', code null) is the retired error", async () => {
    h.emu.fault({ kind: "http-status", status: 404, match: { path: "/v1/videos" }, body: { error: { message: "Invalid URL (POST /v1/videos)", type: "invalid_request_error", param: null, code: null } } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideosRetiredError);
    expect(error.message).toContain("POST /videos");
  });

  it("410 Gone during polling is also the retired error", async () => {
    h.emu.fault({ kind: "http-status", status: 410, match: { path: /^\/v1\/videos\/video_/ } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideosRetiredError);
    expect((error as VideosRetiredError).videoId).toMatch(/^video_/);
  });

  it("429 and 503 while polling are retried and the job still completes", async () => {
    h.emu.fault({ kind: "rate-limit", retryAfterMs: "250", match: { path: /^\/v1\/videos\/video_[^/]+$/ } });
    h.emu.fault({ kind: "http-status", status: 503, match: { path: /^\/v1\/videos\/video_[^/]+$/ } });
    const result = await generateVideo({ prompt: "storm" }, h.options({ pollIntervalMs: 1000 }));
    const polls = requestLines(h.emu).filter((l) => l === `GET /v1/videos/${result.videoId}`);
    expect(polls).toHaveLength(4); // 429, 503, in_progress, completed
    expect(h.delays[0]).toBe(1000); // first poll wait
    expect(h.delays[1]).toBe(250); // server's retry-after-ms
    expect(h.delays[2]).toBeGreaterThan(0); // backoff after the 503
    expect(existsSync(result.path)).toBe(true);
  });

  it("5xx beyond the retries surfaces the transport's typed error", async () => {
    h.emu.fault({ kind: "http-status", status: 500, times: 3, match: { path: "/v1/videos" } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(h.emu.requests).toHaveLength(3);
  });

  it("a 400 from the server is a VideoRejectedError with the server's reason", async () => {
    // Unknown model ids are not checked locally; the emulator (like the API) refuses the size.
    const error = await failure({ prompt: "x", model: "openai/sora-next", size: "1792x1024" });
    expect(error).toBeInstanceOf(VideoRejectedError);
    expect(error).toMatchObject({ code: "video_rejected", status: 400, serverCode: "invalid_value" });
    expect(error.message).toMatch(/1792x1024/);
    expect(error.hint).toMatch(/seconds/);
    expect(h.emu.requests).toHaveLength(1);
  });

  it("a remix of an unknown video is rejected with a hint about ids", async () => {
    const error = await failure({ prompt: "x", video: "video_doesnotexist" });
    expect(error).toMatchObject({ code: "video_rejected", status: 404, serverCode: "video_not_found" });
    expect(error.hint).toMatch(/not expired/);
  });

  it("a failed job carries the server's error and stops polling", async () => {
    h.emu.fault({
      kind: "http-status",
      status: 200,
      match: { path: /^\/v1\/videos\/video_[^/]+$/ },
      body: { id: "video_x", object: "video", model: "sora-2", status: "failed", progress: 0, created_at: 1, completed_at: null, expires_at: null, prompt: "x", size: "720x1280", seconds: "4", remixed_from_video_id: null, error: { code: "moderation_blocked", message: "Your request was blocked by our moderation system." } },
    });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideoFailedError);
    expect(error).toMatchObject({ code: "video_failed", serverCode: "moderation_blocked" });
    expect(error.message).toMatch(/blocked by our moderation system/);
    expect(error.hint).toMatch(/content policy/);
    expect(requestLines(h.emu).filter((l) => l.endsWith("/content?variant=video"))).toHaveLength(0);
  });

  it("a malformed job answer is a VideoResponseError", async () => {
    h.emu.fault({ kind: "http-status", status: 200, match: { path: "/v1/videos" }, body: { hello: "world" } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideoResponseError);
    expect(error.message).toMatch(/not a video job/);
  });

  it("content that is not an MP4 is refused and nothing is written", async () => {
    h.emu.fault({ kind: "http-status", status: 200, match: { path: /\/content$/ }, body: { not: "a video" } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideoResponseError);
    expect(error.message).toMatch(/not an MP4/);
    expect(readdirSync(join(h.dir, "out"))).toEqual([]);
  });
});

describe("saving", () => {
  // A directory squatting on the target name makes the final rename fail after the download.
  const squat = (name: (id: string) => string) => (p: VideoProgress) => {
    if (p.status === "completed") mkdirSync(join(h.dir, "out", name(p.videoId)), { recursive: true });
  };

  it("a clip that cannot be written is a VideoOutputError naming the video id", async () => {
    const error = await failure({ prompt: "x" }, { onProgress: squat((id) => `${id}.mp4`) });
    expect(error).toBeInstanceOf(VideoOutputError);
    const { videoId } = error as VideoOutputError;
    expect(videoId).toMatch(/^video_/);
    expect(error.message).toContain(`Video ${videoId} was generated`);
    expect(error.hint).toContain(`GET /videos/${videoId}/content`);
    expect(readdirSync(join(h.dir, "out")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("a thumbnail that cannot be saved only adds a warning; the video is kept", async () => {
    const result = await generateVideo({ prompt: "x", thumbnail: true }, h.options({ onProgress: squat((id) => `${id}.thumbnail.png`) }));
    expect(existsSync(result.path)).toBe(true);
    expect(result.thumbnailPath).toBeUndefined();
    expect(result.warnings).toEqual([expect.stringMatching(/^The thumbnail could not be saved: Video video_\w+ was generated but .+\.thumbnail\.png could not be written \(EISDIR\)\.$/)]);
  });
});

describe("waiting", () => {
  it("abort during polling stops further requests", async () => {
    const controller = new AbortController();
    const error = await failure(
      { prompt: "x" },
      { signal: controller.signal, onProgress: (p) => p.status === "in_progress" && controller.abort() },
    );
    expect(error).toBeInstanceOf(AbortError);
    const seen = h.emu.requests.length;
    expect(seen).toBe(2); // create + one poll
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.emu.requests).toHaveLength(seen);
  });

  it("abort with the real sleep interrupts the wait at once", async () => {
    const controller = new AbortController();
    let started = 0;
    // Abort once the job exists and the 60 s wait has begun, however slow the machine is.
    const onProgress = () => {
      if (started) return;
      started = Date.now();
      setTimeout(() => controller.abort(), 30);
    };
    const error = await generateVideo({ prompt: "x" }, { ...h.options(), sleep: undefined, signal: controller.signal, pollIntervalMs: 60_000, onProgress }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(h.emu.requests).toHaveLength(1);
  });

  it("the total wait is bounded by timeoutMs, with waits capped at maxPollIntervalMs", async () => {
    const running = { id: "video_slow", object: "video", model: "sora-2", status: "in_progress", progress: 10, created_at: 1, completed_at: null, expires_at: null, prompt: "x", size: "720x1280", seconds: "4", remixed_from_video_id: null, error: null };
    h.emu.fault({ kind: "http-status", status: 200, times: 100, match: { path: /^\/v1\/videos\/video_[^/]+$/ }, body: running });
    let clock = 0;
    // Each status check advances the fake clock by 1 s.
    const error = await failure({ prompt: "x" }, { now: () => (clock += 1_000), timeoutMs: 6_000, pollIntervalMs: 1_000, maxPollIntervalMs: 1_600 });
    expect(error).toBeInstanceOf(VideoTimeoutError);
    expect(error.message).toMatch(/not ready after \d+ s/);
    expect(error.hint).toMatch(/timeoutMs/);
    expect(h.delays).toEqual([1000, 1500, 1600, 1600, 1000]); // the last wait is cut to the time left
    expect(requestLines(h.emu).filter((l) => l.startsWith("GET"))).toHaveLength(5);
  });

  it("a first interval above maxPollIntervalMs is capped too", async () => {
    await generateVideo({ prompt: "x" }, h.options({ pollIntervalMs: 5_000, maxPollIntervalMs: 2_000 }));
    expect(h.delays).toEqual([2000, 2000]);
  });
});

describe("secrets", () => {
  it("a rejected key never appears in the error, its hint or inspect output", async () => {
    const strict = await startEmulator({ apiKeys: ["sk-the-only-valid-key"] });
    try {
      const error = await generateVideo({ prompt: "x" }, { ...h.options(), baseUrl: strict.apiBase }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expectNoSecret(error);
    } finally {
      await strict.close();
    }
  });

  it("server messages echoing the key are redacted", async () => {
    h.emu.fault({ kind: "http-status", status: 400, match: { path: "/v1/videos" }, body: { error: { message: `bad key ${CANARY_KEY} in request`, code: "invalid_value", type: "invalid_request_error", param: null } } });
    const error = await failure({ prompt: "x" });
    expect(error).toBeInstanceOf(VideoRejectedError);
    expect(error.message).toContain("[redacted]");
    expectNoSecret(error);
  });
});
