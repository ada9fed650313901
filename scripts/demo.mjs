#!/usr/bin/env node
// `pnpm demo`: a tour of the genesis CLI against the bundled local emulator.
// No API key and no network: everything talks to @genesis/testkit on 127.0.0.1, and all
// state lives in a throw-away GENESIS_HOME that is removed at the end.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../packages/testkit/dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "apps/cli/dist/genesis.js");
const home = mkdtempSync(join(tmpdir(), "genesis-demo-"));
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (color ? `\x1b[2m${s}\x1b[0m` : s);

const emu = await startEmulator();
// Only the demo's own variables: a real OPENAI_API_KEY or GENESIS_HOME must not leak in.
const env = {
  PATH: process.env.PATH,
  HOME: home,
  GENESIS_HOME: home,
  GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer,
  GENESIS_CODEX_BASE_URL: `${emu.url}/backend-api`,
  GENESIS_CODEX_CALLBACK_PORT: "0",
  NO_COLOR: "1",
};

let step = 0;
function heading(title) {
  step += 1;
  process.stdout.write(`\n${bold(`${step}. ${title}`)}\n`);
}
const indent = (text) => text.replace(/\s+$/, "").replace(/^/gm, "   ");

/** Run `genesis ...args`, echo the command and its output, and fail the demo on a bad exit. */
function genesis(args, { expect = 0, input } = {}) {
  process.stdout.write(`${dim(`   $ genesis ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (out.trim()) process.stdout.write(`${indent(out)}\n`);
      if (code !== expect) reject(new Error(`genesis ${args.join(" ")} exited ${code}, expected ${expect}`));
      else resolve(out);
    });
    child.stdin.end(input ?? "");
  });
}

/**
 * Drive `genesis chat` line by line through a pipe (piped chat echoes each line as `> line`).
 * A line is sent once the answer to the previous one has gone quiet, and `between[i]` runs
 * just before line i is sent (to inject faults at a precise point of the conversation).
 */
function chat(args, lines, between = {}) {
  process.stdout.write(`${dim(`   $ genesis chat ${args.join(" ")}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "chat", ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let buffer = "";
    let next = 0;
    let quiet;
    const flush = () => {
      if (buffer.trim()) process.stdout.write(`${indent(buffer)}\n`);
      buffer = "";
    };
    const sendNext = async () => {
      flush();
      if (next >= lines.length) return void child.stdin.end();
      await between[next]?.();
      child.stdin.write(`${lines[next++]}\n`);
    };
    const onOutput = (d) => {
      buffer += d;
      clearTimeout(quiet);
      quiet = setTimeout(() => sendNext().catch(reject), 400);
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(quiet);
      flush();
      code === 0 ? resolve() : reject(new Error(`genesis chat exited ${code}`));
    });
  });
}

function lastRequests(n) {
  return emu.requests.slice(-n).map((r) => `${r.transport === "websocket" ? "WS  " : r.method.padEnd(4)} ${r.path}`);
}

try {
  process.stdout.write(`${bold("Genesis demo")}: the genesis CLI against the local OpenAI emulator at ${emu.url}\n`);
  process.stdout.write(dim(`GENESIS_HOME=${home} (temporary)\n`));

  heading("Onboard an API key (stored 0600, never printed back)");
  await genesis(["onboard", "--openai-api-key", "sk-demo-0123456789abcdef"]);
  await genesis(["models", "auth", "list"]);

  heading("Point openai/* at the emulator, keeping native OpenAI request shaping");
  await genesis(["config", "set", "models.providers.openai.baseUrl", emu.apiBase]);
  await genesis(["config", "set", "models.providers.openai.endpointClass", "native-openai"]);
  process.stdout.write("   A typo is refused with the path and a suggestion, and the file is left untouched:\n");
  await genesis(["config", "set", "agents.defaults.modle.primary", "openai/gpt-5.4"], { expect: 2 });

  heading("List models (catalog merged with the live GET /v1/models)");
  await genesis(["models", "list", "--provider", "openai"]);

  heading("Explain a route");
  await genesis(["models", "route", "openai/gpt-5.4"]);
  await genesis(["models", "route", "openai/gpt-5.3-codex-spark"], { expect: 0 }).catch(() => undefined);

  heading("Run an agent turn that calls a tool, over WebSocket");
  emu.script(
    { toolCalls: [{ name: "get_time", arguments: {} }] },
    (body) => {
      const output = [...body.input].reverse().find((item) => item.type === "function_call_output");
      return { text: `The get_time tool answered ${output?.output ?? "nothing"}; that is the current time.` };
    },
  );
  const before = emu.requests.length;
  await genesis(["agent", "--message", "What time is it? Use your tools."]);
  const turn = emu.requests.slice(before).filter((r) => r.path === "/v1/responses");
  const frames = turn.flatMap((r) => r.frames ?? []).filter((f) => f.type === "response.create");
  const describe = (f) =>
    f.generate === false ? "warm-up (generate: false)"
    : f.input?.some((i) => i.type === "function_call_output") ? "follow-up carrying the tool result"
    : `request offering ${f.tools?.length ?? 0} tool(s)`;
  process.stdout.write(
    `   The emulator saw ${turn.length} connection(s) on /v1/responses (${[...new Set(turn.map((r) => r.transport))].join(", ")}) ` +
      `carrying ${frames.length} response.create frames: ${frames.map(describe).join(", then ")}.\n`,
  );

  heading("Chat: /status, /fast, then a WebSocket failure and the SSE fallback");
  await chat(
    [],
    ["Hello there", "/status", "/fast on", "Say something fast", "/status", "/exit"],
    {
      // Before the 4th line: break the session's next WebSocket attempts before the first event.
      3: () => emu.fault({ kind: "ws-close", code: 1006, afterEvents: 0, times: 2, match: { transport: "websocket" } }),
    },
  );
  const fast = emu.requests.filter((r) => r.path === "/v1/responses" && r.transport === "http").at(-1);
  process.stdout.write(
    `   The fallback turn went out as ${fast?.method} ${fast?.path} over SSE with service_tier=${fast?.body?.service_tier} (fast mode).\n`,
  );

  heading("Images: /tool image_generate, behind the SSRF guard");
  process.stdout.write("   The emulator listens on 127.0.0.1, a private address: image calls to it are blocked until config opts in.\n");
  await chat([], ['/tool image_generate prompt="A launch poster for Genesis" size=1536x864', "/exit"]);
  await genesis(["config", "set", "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork", "true"]);
  await chat([], ['/tool image_generate model=openai/gpt-image-2 prompt="A launch poster for Genesis" size=1536x864 count=2', "/exit"]);
  const images = emu.requests.filter((r) => r.path === "/v1/images/generations");
  process.stdout.write(`   ${images.length} request(s) reached POST /v1/images/generations (n=${images.at(-1)?.body?.n}, size=${images.at(-1)?.body?.size}); the PNGs are real files under GENESIS_HOME.\n`);

  heading("Video: /tool video_generate (create, poll, download)");
  await chat([], ['/tool video_generate prompt="Waves at dusk, slow pan" seconds=4 size=1280x720 watermark=true', "/exit"]);
  process.stdout.write(`   Video calls: ${emu.requests.filter((r) => r.path.startsWith("/v1/videos")).map((r) => `${r.method} ${r.path.replace(/video_[\w-]+/, "{id}")}`).join(", ")}\n`);

  heading("Speech: text to speech, then back to text");
  const wav = join(home, "hello.wav");
  await genesis(["config", "set", "messages.tts.providers.openai.baseUrl", emu.apiBase]);
  await genesis(["tts", "Hello from Genesis", "--voice", "marin", "--out", wav]);
  await genesis(["transcribe", wav]);
  process.stdout.write("   Streaming TTS: audio is written as it arrives (SSE speech.audio.delta events), with time to first audio:\n");
  await genesis(["tts", "Streaming speech from Genesis", "--stream", "--verbose", "--out", join(home, "stream.opus")]);
  process.stdout.write("   The same file streamed through realtime transcription (8 kHz G.711 u-law over WebSocket, server VAD):\n");
  await genesis(["realtime", "transcribe", wav, "--url", emu.wsUrl("/v1/realtime")]);
  const rt = emu.requests.filter((r) => r.path === "/v1/realtime").at(-1);
  const update = rt?.frames?.find((f) => f.type === "session.update");
  process.stdout.write(`   session.update: type=${update?.session?.type}, input format ${update?.session?.audio?.input?.format?.type}, ${rt?.frames?.filter((f) => f.type === "input_audio_buffer.append").length} audio chunks sent.\n`);

  heading("Realtime voice: a spoken answer with a tool call in the middle");
  await genesis(["realtime", "voice", "--text", "What time is it? Use get_time.", "--out", join(home, "reply.wav"), "--url", emu.wsUrl("/v1/realtime")]);
  const voice = emu.requests.filter((r) => r.path === "/v1/realtime").at(-1);
  process.stdout.write(`   Client frames: ${[...new Set(voice?.frames?.map((f) => f.type))].join(", ")}.\n`);

  heading("Sign in with ChatGPT/Codex (device code) and chat on openai-codex/gpt-5.5");
  const approver = setInterval(() => {
    if (emu.requests.some((r) => r.path === "/api/accounts/deviceauth/usercode")) {
      clearInterval(approver);
      setTimeout(() => emu.approveDeviceCode(), 300);
    }
  }, 50);
  await genesis(["models", "auth", "login", "--provider", "openai-codex", "--device-code"]).finally(() => clearInterval(approver));
  await genesis(["models", "auth", "list"]);
  await genesis(["agent", "--model", "openai-codex/gpt-5.5", "--message", "Hello from my subscription"]);
  process.stdout.write(`   Last requests: ${lastRequests(2).join(" | ")}\n`);

  heading("Switch openai/* to the Codex app-server harness (the real codex binary)");
  await genesis(["config", "set", "agents.defaults.embeddedHarness.runtime", "codex"]);
  await chat([], ["Hello from the harness", "/status", "/exit"]);
  const harness = emu.requests.filter((r) => r.path === "/v1/responses").at(-1);
  process.stdout.write(
    `   codex app-server sent its own request (${harness?.transport}, originator ${harness?.headers?.originator ?? "?"}) to the same emulator endpoint.\n`,
  );

  heading("The same image ref on a Codex sign-in goes through the Codex Responses backend");
  process.stdout.write("   With no explicit models.providers.openai, a stored Codex sign-in wins; no API key is tried.\n");
  await genesis(["config", "unset", "models.providers.openai"]);
  await chat(["--model", "openai-codex/gpt-5.5"], ['/tool image_generate prompt="A glass fox" size=1024x1024', "/exit"]);
  const viaCodex = emu.requests.filter((r) => r.path === "/backend-api/codex/responses").at(-1);
  process.stdout.write(`   Sent as POST ${viaCodex?.path} with tools[0].type=${viaCodex?.body?.tools?.[0]?.type}, authorization ${viaCodex?.headers?.authorization}.\n`);

  heading("Sign out: the sign-in is removed, then its refresh token is revoked at the issuer");
  await genesis(["models", "auth", "logout", "--provider", "openai-codex"]);
  const revoke = emu.requests.filter((r) => r.path === "/oauth/revoke").at(-1);
  process.stdout.write(`   The issuer saw ${revoke?.method} ${revoke?.path} (token_type_hint=${revoke?.body?.token_type_hint}); the token no longer refreshes.\n`);

  process.stdout.write(
    `\n${bold("Done.")} The emulator served ${emu.requests.filter((r) => r.transport === "http").length} HTTP requests and ` +
      `${emu.requests.filter((r) => r.transport === "websocket").length} WebSocket connections ` +
      `(${emu.requests.reduce((n, r) => n + (r.frames?.length ?? 0), 0)} client frames); every Responses, media and audio request body was checked against the official OpenAI OpenAPI spec.\n`,
  );
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
}
