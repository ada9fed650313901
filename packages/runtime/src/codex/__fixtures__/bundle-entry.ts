// What the child-process tests need from the harness, bundled by bundle-harness.ts.
export { AppServerProcess } from "../app-server-process.js";
export { CodexAppServerClient } from "../client.js";
export { createCodexTurnRunner } from "../codex-turn-runner.js";
