import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "@genesis/transport";
import { CANARY_KEY, requestLines, videoHarness, type VideoHarness } from "./__fixtures__/video-harness.js";
import { generateVideo } from "./generate-video.js";
import { createVideoGenerateTool } from "./create-video-generate-tool.js";
import { canFailOverVideo, videoModelChain } from "./_video-failover.js";
import { VideoFailoverError, VideoRejectedError } from "./video-errors.js";

let h: VideoHarness;
beforeEach(async () => {
  h = await videoHarness();
});
afterEach(() => h.close());

const config = { agents: { defaults: { videoGenerationModel: { primary: "openai/sora-2-pro", fallbacks: ["openai/sora-2"] } } } };
const opts = (extra = {}) => h.options({ config, pollIntervalMs: 1, maxRetries: 2, ...extra });
const createdModels = () => h.emu.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos").map((r) => (r.body as { model: string }).model);
const notFound = (id: string, extra = "") => ({
  kind: "http-status" as const, match: { path: "/v1/videos" }, status: 404,
  body: { error: { message: `The model '${id}' does not exist${extra}`, type: "invalid_request_error", param: "model", code: "model_not_found" } },
});
const written = () => readdir(join(h.dir, "out")).catch(() => [] as string[]);

describe("video_generate failover (agents.defaults.videoGenerationModel.fallbacks)", () => {
  it("model_not_found on the primary: the fallback's job is polled, downloaded and named in the result", async () => {
    h.emu.fault(notFound("sora-2-pro"));
    const result = await generateVideo({ prompt: "waves" }, opts());
    expect(createdModels()).toEqual(["sora-2-pro", "sora-2"]);
    expect(requestLines(h.emu)).toEqual([
      "POST /v1/videos", "POST /v1/videos", `GET /v1/videos/${result.videoId}`, `GET /v1/videos/${result.videoId}`, `GET /v1/videos/${result.videoId}/content?variant=video`,
    ]);
    expect(result.model).toBe("sora-2");
    expect(result.failover).toEqual([{ model: "openai/sora-2-pro", code: "video_rejected", reason: expect.stringContaining("model_not_found") }]);
    expect(result.warnings[0]).toBe("openai/sora-2-pro failed (video_rejected); the video comes from the fallback openai/sora-2.");
    expect(await written()).toEqual([`${result.videoId}.mp4`]);
  });

  it("5xx and 429 after the retries move on to the fallback", async () => {
    h.emu.fault({ kind: "http-status", status: 503, times: 3, match: { path: "/v1/videos" } });
    const a = await generateVideo({ prompt: "a" }, opts());
    expect(createdModels()).toEqual(["sora-2-pro", "sora-2-pro", "sora-2-pro", "sora-2"]);
    expect(a.failover!.map((x) => [x.model, x.code])).toEqual([["openai/sora-2-pro", "api_error"]]);

    h.emu.reset();
    h.emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 3, match: { path: "/v1/videos" } });
    const b = await generateVideo({ prompt: "b" }, opts());
    expect(createdModels()).toEqual(["sora-2-pro", "sora-2-pro", "sora-2-pro", "sora-2"]);
    expect(b.failover!.map((x) => x.code)).toEqual(["rate_limited"]);

  });

  it("Azure's DeploymentNotFound (a 400 here) moves on too: image and video share core's failover rules", async () => {
    h.emu.fault({
      kind: "http-status", match: { path: "/v1/videos" }, status: 400,
      body: { error: { message: "The API deployment for this resource does not exist.", type: "invalid_request_error", param: null, code: "DeploymentNotFound" } },
    });
    const result = await generateVideo({ prompt: "waves" }, opts());
    expect(createdModels()).toEqual(["sora-2-pro", "sora-2"]);
    expect(result.failover).toEqual([{ model: "openai/sora-2-pro", code: "video_rejected", reason: expect.stringMatching(/^DeploymentNotFound: /) }]);
  });

  it("no failover once the job exists: a failed job stays the primary's failure", async () => {
    // Polls answer 500 after the job was created (and paid for): no second job is started.
    h.emu.fault({ kind: "http-status", status: 500, times: 3, match: { path: /^\/v1\/videos\/video_[^/]+$/ } });
    const error = await generateVideo({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(createdModels()).toEqual(["sora-2-pro"]);
    expect(await written()).toEqual([]);
  });

  it("no failover on a refusal the caller must fix, nor on abort", async () => {
    h.emu.fault({ kind: "http-status", status: 400, match: { path: "/v1/videos" }, body: { error: { message: "blocked", type: "invalid_request_error", param: "prompt", code: "moderation_blocked" } } });
    const refused = await generateVideo({ prompt: "x" }, opts()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VideoRejectedError);
    expect(createdModels()).toEqual(["sora-2-pro"]);

    h.emu.reset();
    h.emu.fault({ kind: "slow-first-byte", ms: 5_000, match: { path: "/v1/videos" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await generateVideo({ prompt: "y" }, opts({ signal: controller.signal, sleep: undefined })).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ code: "aborted" });
    expect(createdModels()).toEqual(["sora-2-pro"]);
  });

  it("an explicit other model pins the call, and edits never fail over", async () => {
    h.emu.fault(notFound("sora-2"));
    await expect(generateVideo({ prompt: "x", model: "openai/sora-2" }, opts())).rejects.toBeInstanceOf(VideoRejectedError);
    expect(createdModels()).toEqual(["sora-2"]);
    // An edit keeps its source's model: a refused remix is not retried on another model.
    h.emu.fault({ ...notFound("sora-2-pro"), match: { path: /\/remix$/ } });
    await expect(generateVideo({ prompt: "x", video: "video_abc123" }, opts())).rejects.toBeInstanceOf(VideoRejectedError);
    expect(requestLines(h.emu).slice(1)).toEqual(["POST /v1/videos/video_abc123/remix"]);
  });

  it("a fallback that cannot render the requested size is skipped, and the exhausted error lists every attempt without the key", async () => {
    h.emu.fault(notFound("sora-2-pro", ` for key ${CANARY_KEY}`));
    const error = (await generateVideo({ prompt: "x", size: "1792x1024" }, opts()).catch((e: unknown) => e)) as VideoFailoverError;
    expect(error).toBeInstanceOf(VideoFailoverError);
    expect(error.code).toBe("video_failover_exhausted");
    expect(error.attempts.map((a) => [a.model, a.code])).toEqual([["openai/sora-2-pro", "video_rejected"], ["openai/sora-2", "video_invalid_argument"]]);
    expect(error.message).toMatch(/openai\/sora-2-pro \(video_rejected: .*model_not_found.*openai\/sora-2 \(video_invalid_argument: size 1792x1024 is not available for sora-2/);
    expect(error.hint).toContain("videoGenerationModel");
    for (const text of [error.message, inspect(error), inspect(error, { depth: 6 }), JSON.stringify(error.attempts)]) expect(text).not.toContain(CANARY_KEY);
    // sora-2 was never asked: the size check happens before a request.
    expect(createdModels()).toEqual(["sora-2-pro"]);
  });

  it("exhausted by server failures: each model is tried once, in order", async () => {
    h.emu.fault(notFound("sora-2-pro"));
    h.emu.fault(notFound("sora-2"));
    const error = (await generateVideo({ prompt: "x" }, opts()).catch((e: unknown) => e)) as VideoFailoverError;
    expect(createdModels()).toEqual(["sora-2-pro", "sora-2"]);
    expect(error.attempts.map((a) => a.model)).toEqual(["openai/sora-2-pro", "openai/sora-2"]);
    expect(await written()).toEqual([]);
  });

  it("the tool's JSON names the model that made the clip and why it switched", async () => {
    h.emu.fault(notFound("sora-2-pro"));
    const tool = createVideoGenerateTool(opts());
    const out = JSON.parse(await tool.execute({ prompt: "waves" }, { sessionId: "s", cwd: h.dir, signal: new AbortController().signal }));
    expect(out).toMatchObject({ status: "completed", model: "sora-2", failover: [{ model: "openai/sora-2-pro", code: "video_rejected" }] });
  });
});

describe("video failover rules", () => {
  it("chains the primary's fallbacks only", () => {
    expect(videoModelChain(undefined, config)).toEqual(["openai/sora-2-pro", "openai/sora-2"]);
    expect(videoModelChain("sora-2-pro", config)).toEqual(["sora-2-pro", "openai/sora-2"]);
    expect(videoModelChain("openai/sora-2", config)).toEqual(["openai/sora-2"]);
    expect(videoModelChain(undefined, undefined)).toEqual(["openai/sora-2"]);
  });

  it("refusals, a missing key and a retired endpoint are final", () => {
    expect(canFailOverVideo({ code: "video_rejected", status: 400, serverCode: "invalid_value" })).toBe(false);
    expect(canFailOverVideo({ code: "video_missing_api_key" })).toBe(false);
    expect(canFailOverVideo({ code: "videos_api_retired", status: 404 })).toBe(false);
    expect(canFailOverVideo({ code: "auth_failed", status: 401 })).toBe(false);
    expect(canFailOverVideo({ code: "video_rejected", status: 404, serverCode: "model_not_found" })).toBe(true);
  });
});
