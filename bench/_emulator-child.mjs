// Runs the emulator in its own process for benches, so the server does not share the
// client's thread. Parent messages: {script: ScriptedTurn} -> "ok"; "close" -> exit.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { startEmulator } = await import(join(here, "../packages/testkit/dist/index.js"));
const emu = await startEmulator();
process.on("message", async (msg) => {
  if (msg === "close") {
    await emu.close();
    process.exit(0);
  }
  if (msg && typeof msg === "object" && "script" in msg) {
    emu.script(msg.script);
    process.send("ok");
  }
});
// Never outlive the bench that forked us.
process.on("disconnect", () => process.exit(0));
process.send({ port: emu.port, apiBase: emu.apiBase });
