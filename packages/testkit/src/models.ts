import { openaiError } from "./_router.js";
import type { EmulatorRequest, HttpReply } from "./_types.js";

/**
 * `GET /v1/models` and `GET /v1/models/:model`: a fixed, deterministic catalog of the
 * OpenAI-family models Genesis routes to, in the official list shape.
 */

/** Model ids the emulator lists, newest first. */
export const EMULATOR_MODELS: readonly string[] = [
  "gpt-5.5",
  "gpt-5.4",
  "gpt-5.4-mini",
  "gpt-5.3-codex-spark",
  "gpt-image-2",
  "gpt-image-1",
  "sora-2",
  "gpt-4o-mini-tts",
  "tts-1",
  "tts-1-hd",
  "gpt-4o-transcribe",
  "whisper-1",
  "gpt-realtime-1.5",
  "text-embedding-3-small",
  "text-embedding-3-large",
];

// A fixed creation time keeps answers byte-identical across runs.
const CREATED = 1_767_225_600;

function model(id: string): Record<string, unknown> {
  return { id, object: "model", created: CREATED, owned_by: "system" };
}

/** `GET /v1/models`. */
export function listModels(): HttpReply {
  return { status: 200, body: { object: "list", data: EMULATOR_MODELS.map(model) } };
}

/** `GET /v1/models/:model`. */
export function retrieveModel(req: EmulatorRequest): HttpReply {
  const id = req.params["model"] ?? "";
  if (!EMULATOR_MODELS.includes(id)) {
    return { status: 404, body: openaiError(`The model '${id}' does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found", "model") };
  }
  return { status: 200, body: model(id) };
}
