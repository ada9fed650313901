export { createResponsesTransport, DEFAULT_WS_BETA_HEADER } from "./responses-transport.js";
export type { ResponsesTransport, ResponsesTransportOptions, StreamOptions } from "./responses-transport.js";
export { ResponseStream } from "./stream.js";
export type { Producer, StreamSink } from "./stream.js";
export {
  TransportError,
  ApiError,
  AuthenticationError,
  PermissionError,
  RateLimitError,
  UsageLimitError,
  RedirectError,
  ConnectionError,
  ConnectTimeoutError,
  StreamIncompleteError,
  StreamInterruptedError,
  StreamParseError,
  StreamIdleTimeoutError,
  ServerStreamError,
  WebSocketClosedError,
  AbortError,
  describeError,
} from "./errors.js";
export type { StreamPartial, PartialToolCall, AttemptRecord, WireKind, TransportErrorFields, ApiErrorFields } from "./errors.js";
export { createRetryPolicy, validateMaxRetries, abortableSleep, MAX_RETRY_AFTER_MS } from "./retry-policy.js";
export type { RetryPolicy, RetryPolicyOptions, SleepFn } from "./retry-policy.js";
export { TurnIdentity, sanitizeIdentity, IDENTITY_HEADERS, MAX_IDENTITY_LENGTH } from "./identity.js";
export { SseDecoder } from "./sse-decoder.js";
export type { SseMessage } from "./sse-decoder.js";
export { EventNormalizer } from "./event-normalizer.js";
export type { WireError, EmitFn } from "./event-normalizer.js";
export { classifyWsFailure, RECOVERABLE_CLOSE_CODES } from "./auto-transport.js";
export type { TransportMode, WsFailureAction } from "./auto-transport.js";
export { parseErrorBody, isUsageLimit } from "./_http-errors.js";
export type { ErrorBody } from "./_http-errors.js";
export type { HeadersFn, TransportLogger } from "./_context.js";
export { sendRequest, joinUrl } from "./http-request.js";
export type { HttpRequestOptions, HttpBody } from "./http-request.js";
export { SsrfBlockedError, classifyAddress, assertUrlAllowed, guardedLookup, defaultLookupAll } from "./ssrf-guard.js";
export type { SsrfPolicy, LookupAllFn, SsrfGuardOptions, SsrfBlockedFields } from "./ssrf-guard.js";
export { createGuardedFetch } from "./guarded-fetch.js";
export type { GuardedFetchOptions } from "./guarded-fetch.js";
