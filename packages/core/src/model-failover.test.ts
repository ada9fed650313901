import { describe, expect, it } from "vitest";
import {
  MODEL_FAILURE_SERVER_CODES, describeFailoverAttempts, isModelFailure, modelFailoverAttempt, modelFailoverChain, summarizeFailover,
} from "./model-failover.js";

const KEY = "azure-key-0123456789abcdef";

describe("isModelFailure", () => {
  it("accepts the model's own problems: limits, outages, 403, unknown model or deployment", () => {
    for (const code of ["rate_limited", "usage_limit", "connection_failed", "connect_timeout", "permission_denied"]) expect(isModelFailure({ code }), code).toBe(true);
    expect(isModelFailure({ code: "api_error", status: 502 })).toBe(true);
    expect(isModelFailure({ code: "api_error", status: 404 })).toBe(true);
    expect(isModelFailure({ code: "api_error", status: 400, serverCode: "model_not_found" })).toBe(true);
    // Azure names an unknown deployment this way; every surface must know it.
    expect(MODEL_FAILURE_SERVER_CODES).toContain("DeploymentNotFound");
    expect(isModelFailure({ code: "video_rejected", status: 400, serverCode: "DeploymentNotFound" })).toBe(true);
    expect(isModelFailure({ code: "server_overloaded" })).toBe(true);
  });

  it("refuses the request's problems, shared credentials, broken answers and aborts", () => {
    expect(isModelFailure({ code: "api_error", status: 400, serverCode: "invalid_value" })).toBe(false);
    expect(isModelFailure({ code: "api_error", status: 400, serverCode: "moderation_blocked" })).toBe(false);
    expect(isModelFailure({ code: "auth_failed", status: 401 })).toBe(false);
    expect(isModelFailure({ code: "image_bad_response" })).toBe(false);
    expect(isModelFailure({ code: "aborted", status: 503 })).toBe(false);
    expect(isModelFailure({ code: "video_rejected", status: 404 })).toBe(false);
    expect(isModelFailure(undefined)).toBe(false);
    expect(isModelFailure(new Error("plain"))).toBe(false);
  });

  it("takes per-surface rules: extra codes, never codes, other 404 codes, a fallback code", () => {
    expect(isModelFailure({ code: "api_key_missing" })).toBe(false);
    expect(isModelFailure({ code: "api_key_missing" }, { extraCodes: ["api_key_missing"] })).toBe(true);
    expect(isModelFailure({ code: "videos_api_retired", status: 404 }, { neverCodes: ["videos_api_retired"] })).toBe(false);
    expect(isModelFailure({ code: "video_rejected", status: 404 }, { notFoundCodes: ["video_rejected"] })).toBe(true);
    expect(isModelFailure(undefined, { fallbackCode: "rate_limited" })).toBe(true);
    expect(isModelFailure(undefined, { fallbackCode: "model_not_found" })).toBe(true);
    expect(isModelFailure({ code: "invalid_request" }, { fallbackCode: "rate_limited" })).toBe(false);
  });
});

describe("modelFailoverAttempt", () => {
  it("keeps one redacted line, with the server code in front when the message lacks it", () => {
    const error = { code: "api_error", serverCode: "DeploymentNotFound", message: `HTTP 404: no deployment (key ${KEY})\nstack...` };
    const attempt = modelFailoverAttempt("azure-openai-responses/img", error, { secrets: [KEY] });
    expect(attempt).toEqual({ model: "azure-openai-responses/img", code: "api_error", reason: "DeploymentNotFound: HTTP 404: no deployment (key [redacted])" });
    // Key-shaped text is redacted even without the list.
    expect(modelFailoverAttempt("m", { code: "x", message: "bad sk-proj-abcdefghijklmnopqrstuvwxyz012345" }).reason).not.toContain("sk-proj-abcdefghijklmnop");
    expect(modelFailoverAttempt("m", { code: "x", serverCode: "model_not_found", message: "model_not_found: gone" }).reason).toBe("model_not_found: gone");
  });

  it("cuts long reasons and falls back when the error says nothing", () => {
    expect(modelFailoverAttempt("m", { code: "x", message: "y".repeat(400) }).reason).toBe(`${"y".repeat(300)}…`);
    expect(modelFailoverAttempt("m", undefined, { fallback: { code: "usage_limit", reason: "plan limit" } })).toEqual({ model: "m", code: "usage_limit", reason: "plan limit" });
    expect(modelFailoverAttempt("m", undefined)).toEqual({ model: "m", code: "error", reason: "failed" });
    expect(modelFailoverAttempt("m", "boom")).toEqual({ model: "m", code: "error", reason: "boom" });
  });
});

describe("modelFailoverChain", () => {
  const selection = { primary: "openai/sora-2-pro", fallbacks: ["openai/sora-2", "OpenAI/sora-2", "openai/sora-2-pro"] };

  it("adds the fallbacks (once each) only on the primary", () => {
    expect(modelFailoverChain("openai/sora-2-pro", selection)).toEqual(["openai/sora-2-pro", "openai/sora-2"]);
    expect(modelFailoverChain("codex/gpt-5.4", { primary: "openai/gpt-5.4", fallbacks: ["openai/gpt-5.4-mini"] })).toEqual(["codex/gpt-5.4", "openai/gpt-5.4-mini"]);
    expect(modelFailoverChain("openai/sora-2", selection)).toEqual(["openai/sora-2"]);
    expect(modelFailoverChain("openai/x", { primary: "openai/x" })).toEqual(["openai/x"]);
  });

  it("reads bare ids under defaultProvider only when asked", () => {
    expect(modelFailoverChain("sora-2-pro", selection, { defaultProvider: "openai" })).toEqual(["sora-2-pro", "openai/sora-2"]);
    expect(modelFailoverChain("sora-2-pro", selection)).toEqual(["sora-2-pro"]);
  });
});

it("formats attempts for warnings and errors", () => {
  const attempts = [{ model: "a/1", code: "rate_limited", reason: "slow down" }, { model: "a/2", code: "api_error", reason: "HTTP 502" }];
  expect(summarizeFailover(attempts)).toBe("a/1 failed (rate_limited), a/2 failed (api_error)");
  expect(describeFailoverAttempts(attempts)).toBe("a/1 (rate_limited: slow down); a/2 (api_error: HTTP 502)");
});

it("README example", () => {
  expect(modelFailoverChain("openai/gpt-image-2", { primary: "openai/gpt-image-2", fallbacks: ["openai/gpt-image-1"] })).toEqual(["openai/gpt-image-2", "openai/gpt-image-1"]);
  const error = { code: "api_error", status: 404, serverCode: "DeploymentNotFound", message: "HTTP 404 (key abc123secret)" };
  expect(isModelFailure(error)).toBe(true);
  expect(modelFailoverAttempt("openai/gpt-image-2", error, { secrets: ["abc123secret"] })).toEqual({
    model: "openai/gpt-image-2", code: "api_error", reason: "DeploymentNotFound: HTTP 404 (key [redacted])",
  });
});
