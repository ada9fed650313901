// Images, speech, transcription and a realtime voice turn from your own code.
// Runs against the bundled emulator, so it needs no key and no network:
// `pnpm build && node examples/media-voice/index.js`.
// Against the real API, drop the emulator, the baseUrl/url overrides and the SSRF opt-in,
// and set OPENAI_API_KEY.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { GenesisError } from "@genesis/core";
import { generateImages } from "@genesis/media-image";
import { createRealtimeTranscriber, createRealtimeVoiceSession, MULAW_SILENCE, wavToMulaw } from "@genesis/realtime-voice";
import { synthesizeSpeech, transcribeAudio } from "@genesis/speech";
import { startEmulator } from "@genesis/testkit";

const emu = await startEmulator();
// A throwaway GENESIS_HOME keeps the example away from your real config and sign-ins.
const home = mkdtempSync(join(tmpdir(), "genesis-media-voice-"));
const apiKey = "sk-example-0000000000";
const env = { GENESIS_HOME: home, OPENAI_API_KEY: apiKey };

// A custom baseUrl goes through the SSRF guard, which refuses private and loopback targets.
// The emulator listens on 127.0.0.1, so this config opts in explicitly; leave the flag off
// (its default) for anything that talks to a real endpoint.
const config = {
  models: { providers: { openai: { baseUrl: emu.apiBase, apiKey } } },
  browser: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } },
};

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

try {
  // 1. Images: one call, two pictures, written atomically into a folder of our choosing.
  console.log("1. Images");
  const images = await generateImages(
    { prompt: "A lighthouse at dusk, flat poster style", size: "1536x864", count: 2 },
    { config, env, outputDir: join(home, "images") },
  );
  console.log(`   ${images.model} via the ${images.route} route (${images.mode}):`);
  for (const image of images.images) {
    console.log(`   - ${basename(image.path)}: ${image.width}x${image.height} ${image.format}, ${kb(image.bytes)}`);
  }

  // 2. Speech: text to a WAV, then the same bytes back to text.
  console.log("2. Speech round trip");
  const said = "your order has shipped";
  const wav = await synthesizeSpeech(said, { apiKey, baseUrl: emu.apiBase, voice: "marin", responseFormat: "wav", env });
  console.log(`   synthesized "${said}" with ${wav.model}/${wav.voice}: ${wav.mimeType}, ${kb(wav.audio.length)}`);
  const heard = await transcribeAudio({ data: wav.audio, filename: "said.wav" }, { apiKey, baseUrl: emu.apiBase, language: "en", env });
  console.log(`   transcribed by ${heard.model}: "${heard.text}"`);

  // 3. Realtime transcription: stream the WAV as 8 kHz μ-law, then silence so the server's
  // voice-activity detection closes the utterance.
  console.log("3. Realtime transcription");
  const mulaw = wavToMulaw(wav.audio, "said.wav");
  console.log(`   ${mulaw.source.sampleRate} Hz ${mulaw.source.encoding} → ${mulaw.audio.length} μ-law bytes (${mulaw.durationMs} ms)`);
  const stt = await createRealtimeTranscriber({ url: emu.wsUrl("/v1/realtime"), env, language: "en", silenceDurationMs: 300 });
  try {
    stt.append(mulaw.audio);
    stt.append(new Uint8Array(8000 * 0.5).fill(MULAW_SILENCE)); // 500 ms of silence
    const deltas = [];
    for await (const event of stt) {
      if (event.type === "speech-started") console.log(`   speech started at ${event.audioStartMs} ms`);
      if (event.type === "speech-stopped") console.log(`   speech stopped at ${event.audioEndMs} ms`);
      if (event.type === "delta") deltas.push(JSON.stringify(event.text));
      if (event.type === "error") console.log(`   (server reported: ${event.error.message})`);
      if (event.type === "completed") {
        console.log(`   deltas: ${deltas.join(" ")}`);
        // The emulator cannot hear words; it reports how much speech it got.
        console.log(`   completed: "${event.text}"`);
        break;
      }
    }
  } finally {
    await stt.close();
  }

  // 4. Realtime voice: a typed question that makes the model call a local tool; the session
  // runs the tool, sends the result back and lets the model answer in audio. (The emulator's
  // model fills required arguments with placeholders, so the id comes back as "emulated".)
  console.log("4. Realtime voice with a tool");
  const session = await createRealtimeVoiceSession({
    url: emu.wsUrl("/v1/realtime"),
    env,
    instructions: "You are a shop assistant. Answer in one sentence.",
    tools: [
      {
        name: "lookup_order",
        description: "Look up an order's delivery status by id",
        parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
        execute: ({ id }) => ({ id, status: "shipped", eta: "Tuesday" }),
      },
    ],
  });
  try {
    session.sendText("Please lookup_order A-1001 and tell me when it arrives.");
    let audioBytes = 0;
    for await (const event of session) {
      if (event.type === "audio") audioBytes += event.audio.length;
      if (event.type === "tool-call") console.log(`   tool call: ${event.name}(${event.arguments}) → ${event.output}`);
      if (event.type === "error") console.log(`   (server reported: ${event.error.message})`);
      if (event.type === "response-done" && !event.calledTools) {
        console.log(`   answer: "${event.transcript}"`);
        console.log(`   audio received: ${audioBytes} μ-law bytes (${audioBytes / 8} ms at 8 kHz)`);
        break;
      }
    }
  } finally {
    await session.close();
  }
  console.log("done.");
} catch (error) {
  // Genesis errors carry a stable code and a hint saying how to fix the problem.
  if (!(error instanceof GenesisError)) throw error;
  console.error(`failed: [${error.code}] ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
  process.exitCode = 1;
} finally {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
}
