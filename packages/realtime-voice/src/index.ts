export { encodeMulaw, decodeMulaw, MULAW_SILENCE } from "./mulaw.js";
export { resamplePcm16 } from "./resample-pcm16.js";
export { wavToMulaw } from "./wav-to-mulaw.js";
export type { MulawAudio } from "./wav-to-mulaw.js";
export {
  RealtimeError,
  RealtimeServerError,
  RealtimeProtocolError,
  RealtimeClosedError,
  RealtimeSessionExpiredError,
  RealtimeConnectionLostError,
  RealtimeStateError,
  RealtimeToolError,
  RealtimeAudioFormatError,
} from "./realtime-errors.js";
export type { RealtimeClosedFields } from "./realtime-errors.js";
export {
  resolveTranscriberSettings,
  resolveVoiceSettings,
  transcriberSettingsSchema,
  voiceSettingsSchema,
  DEFAULT_TRANSCRIPTION_MODEL,
  DEFAULT_REALTIME_MODEL,
  DEFAULT_REALTIME_VOICE,
  DEFAULT_REALTIME_URL,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  TRANSCRIPTION_CONFIG_PATH,
  VOICE_CONFIG_PATH,
} from "./realtime-settings.js";
export type {
  RealtimeConfig,
  EnvLike,
  SettingsSources,
  TranscriberSettingsInput,
  VoiceSettingsInput,
  TranscriberSettings,
  VoiceSettings,
  ResolvedEndpoint,
  ResolvedConnection,
} from "./realtime-settings.js";
export type { WebSocketConstructor } from "./_socket.js";
export type { RealtimeClock } from "./_heartbeat.js";
export type { AudioInputOptions } from "./_audio-input.js";
export type { Unsubscribe, RealtimeSessionBase } from "./_event-channel.js";
export type { ErrorEvent } from "./_realtime-connection.js";
export { createRealtimeTranscriber } from "./create-realtime-transcriber.js";
export type { RealtimeTranscriber, RealtimeTranscriberOptions, TranscriptionEvent } from "./create-realtime-transcriber.js";
export { createRealtimeVoiceSession } from "./create-realtime-voice-session.js";
export type { RealtimeVoiceSession, RealtimeVoiceSessionOptions, RealtimeTool, VoiceEvent, ResponseDoneEvent } from "./create-realtime-voice-session.js";
export type { VadEvent } from "./_server-events.js";
