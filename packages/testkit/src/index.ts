/**
 * @genesis/testkit: a loopback OpenAI emulator for tests and demos.
 * See README.md for the full API.
 */
export { startEmulator } from "./start-emulator.js";
export type { Emulator, EmulatorAuth, StartEmulatorOptions } from "./start-emulator.js";
export type { AuthorizeOutcome, IssuedTokens, IssueTokensOptions } from "./auth/auth-state.js";
export type { RecordedMultipart, RecordedRequest } from "./_recorder.js";
export type { Fault, FaultKind, FaultMatch } from "./_faults.js";
export type { ScriptedTurn, ScriptedTurnInput } from "./responses/_turn.js";
export type { ScriptedWebSearch } from "./responses/_web-search.js";
export { EMULATOR_MODELS } from "./models.js";
// Media and protocol helpers for tests of the media, speech, realtime and OAuth packages.
export { videosRetiredFault, PROGRESS_PER_POLL } from "./media/videos.js";
export { renderPng, pngSize } from "./_png.js";
export { encodeJpeg, jpegSize } from "./_jpeg.js";
export { renderMp4, mp4TopLevelBoxes } from "./_mp4.js";
export { encodeMulaw, decodeMulaw, linearToMulaw, mulawToLinear, mulawTone, rms, MULAW_SILENCE } from "./_g711.js";
export { encodeWav, wavComment, sineTone, AUDIO_CONTENT_TYPES } from "./_audio.js";
export type { AudioFormat } from "./_audio.js";
export { pkceChallenge, DEVICE_CODE_TTL_MS } from "./auth/auth-state.js";
export { DEVICE_POLL_INTERVAL } from "./auth/device-auth.js";
export { decodeJwt, signJwt } from "./_jwt.js";
export { parseMultipart, MultipartError } from "./_multipart.js";
export type { MultipartBody, MultipartFile } from "./_multipart.js";
export { EMULATOR_CODEX_MODELS } from "./codex-backend.js";
export type { CodexModelRow } from "./codex-backend.js";
