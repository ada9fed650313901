export { isOpenAINativeHost, isNativeRoute, extraBodyOf } from "./openai-route.js";
export type { EndpointClass, OpenAIApi, ShapingParams, ShapingCompat, ShapingCapabilities, ShapingWebSearch, OpenAIRoute } from "./openai-route.js";
export type { FunctionToolSpec, TurnInputItem, TurnRequest, ShapedRequest } from "./turn-request.js";
export {
  SERVICE_TIERS,
  DEFAULT_COMPACT_THRESHOLD,
  resolveServiceTier,
  resolveStore,
  resolveCompactThreshold,
  supportsReasoningNone,
  shapeReasoning,
  useStrictTools,
  shapeResponsesTool,
  shapeResponsesRequest,
  shapeWebSearchTool,
} from "./shape-responses-request.js";
export type { ShapeContext } from "./shape-responses-request.js";
export { shapeChatRequest, toChatMessages } from "./shape-chat-request.js";
export { attributionHeaders, genesisUserAgent, GENESIS_ORIGINATOR } from "./attribution-headers.js";
export { toStrictSchema } from "./_strict-schema.js";
export { createOpenAIProvider } from "./create-openai-provider.js";
export type { OpenAIProvider, OpenAIProviderOptions, StreamTurnOptions, ProviderTransportState } from "./create-openai-provider.js";
export { createOpenAIEmbeddings, DEFAULT_EMBEDDING_MODEL } from "./create-openai-embeddings.js";
export type { OpenAIEmbeddings, OpenAIEmbeddingsOptions } from "./create-openai-embeddings.js";
export { listOpenAIModels } from "./list-openai-models.js";
export type { LiveModel } from "./list-openai-models.js";
export { ServerResponseError } from "./_errors.js";
export { isVerifiedNativeHost, VERIFIED_NATIVE_HOSTS } from "./attribution-headers.js";
