export {
  TTS_MODELS, TTS_VOICES, TTS_FORMATS, TTS_MIME_TYPES, INSTRUCTION_MODELS, DEFAULT_TTS_MODEL, DEFAULT_TTS_VOICE, DEFAULT_TTS_FORMATS,
  MAX_TTS_INPUT_CHARS, TTS_SPEED_RANGE, SSE_TTS_MODELS, SPEECH_STREAM_FORMATS, DEFAULT_STREAM_IDLE_TIMEOUT_MS, STT_MODELS, DEFAULT_STT_MODEL, MAX_AUDIO_BYTES, DEFAULT_AUDIO_BASE_URL, isKnownModel,
} from "./speech-options.js";
export type { TtsModel, TtsVoice, TtsFormat, SpeechTarget, SttModel, SpeechStreamFormat } from "./speech-options.js";
export { synthesizeSpeech } from "./synthesize-speech.js";
export type { SpeechSettings, SynthesizeSpeechOptions, SpeechResult } from "./synthesize-speech.js";
export { streamSpeech } from "./stream-speech.js";
export type { StreamSpeechOptions, SpeechStream } from "./stream-speech.js";
export { createOpenAITts } from "./create-openai-tts.js";
export type { OpenAITts, OpenAITtsOptions, OpenAITtsCallOptions, OpenAITtsStreamOptions } from "./create-openai-tts.js";
export { transcribeAudio } from "./transcribe-audio.js";
export type { TranscribeSettings, TranscribeAudioOptions, Transcription } from "./transcribe-audio.js";
export { createOpenAITranscriber } from "./create-openai-transcriber.js";
export type { OpenAITranscriber, OpenAITranscriberOptions, OpenAITranscriberCallOptions } from "./create-openai-transcriber.js";
export { detectAudioContainer, AUDIO_CONTAINERS } from "./audio-container.js";
export type { AudioContainer } from "./audio-container.js";
export type { AudioInput, AudioFileSystem } from "./_audio-file.js";
export type { SpeechConfig, SpeechContext, EnvLike } from "./_settings.js";
export {
  AudioFileError, SpeechResponseError, SpeechStreamInterruptedError, SpeechStreamParseError, SpeechStreamIncompleteError,
  SpeechStreamIdleTimeoutError, SpeechServerStreamError,
} from "./speech-errors.js";
export type { AudioFileProblem, SpeechStreamProgress, SpeechStreamErrorFields } from "./speech-errors.js";
