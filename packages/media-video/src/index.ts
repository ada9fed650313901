export { generateVideo, parseVideoRequest, resolveVideoModel, DEFAULT_POLL_INTERVAL_MS, DEFAULT_MAX_POLL_INTERVAL_MS, DEFAULT_VIDEO_TIMEOUT_MS } from "./generate-video.js";
export type { GenerateVideoOptions } from "./generate-video.js";
export { createVideoGenerateTool } from "./create-video-generate-tool.js";
export { VIDEO_GENERATE_PARAMETERS, VIDEO_GENERATE_TOOL_SPEC } from "./tool-spec.js";
export type { VideoGenerateTool, VideoGenerateToolOptions, VideoToolContext } from "./create-video-generate-tool.js";
export {
  DEFAULT_VIDEO_MODEL, VIDEO_SECONDS, VIDEO_SIZES, SORA_2_SIZES, IGNORED_OVERRIDES, sizesForModel, videoRequestSchema,
} from "./video-options.js";
export type { VideoRequest, ParsedVideoRequest, VideoMode, VideoProgress, GeneratedVideo, VideoSeconds, VideoSize } from "./video-options.js";
export {
  VideoGenerationError, VideoArgumentError, VideosRetiredError, VideoRejectedError, VideoFailedError, VideoTimeoutError, VideoResponseError, VideoOutputError,
  VideoFailoverError,
} from "./video-errors.js";
export type { VideoFailoverAttempt } from "./_video-failover.js";
export type { VideoErrorFields } from "./video-errors.js";
