/**
 * @genesis/media-image: the `image_generate` tool and `generateImages()`: gpt-image-2 through
 * the OpenAI Images API (API key), the Codex Responses backend (Codex sign-in) or an Azure
 * deployment, with custom endpoints behind the SSRF guard.
 */
export { createImageGenerateTool } from "./create-image-generate-tool.js";
export { IMAGE_GENERATE_PARAMETERS, IMAGE_GENERATE_TOOL_SPEC } from "./tool-spec.js";
export type { ImageGenerateTool, ImageGenerateToolOptions, ImageToolContext } from "./create-image-generate-tool.js";
export { generateImages } from "./generate-images.js";
export type { GenerateImagesOptions, GenerateImagesResult, GeneratedImage } from "./generate-images.js";
export {
  parseImageRequest, mapAspectToSize, imageRequestSchema, DEFAULT_IMAGE_MODEL, MAX_IMAGE_COUNT, MAX_REFERENCE_IMAGES, MAX_LONG_SIDE, MAX_SHORT_SIDE,
} from "./image-request.js";
export type { ImageRequest, ImageRequestInput } from "./image-request.js";
export { ImageRequestError, ImageGenerationError, ImageFailoverError } from "./image-errors.js";
export type { ImageFailoverAttempt } from "./_image-failover.js";
export type { ImageGenerationErrorCode } from "./image-errors.js";
export { sniffImageFormat, readImageInfo } from "./_image-bytes.js";
export type { ImageFormat, ImageInfo } from "./_image-bytes.js";
export { DEFAULT_CODEX_IMAGE_DRIVER } from "./_codex-images.js";
export type { CodexImageCredentials } from "./_codex-images.js";
export type { ImageRouteKind, ImageConfigInput, ImageAuthStore } from "./_image-route.js";
