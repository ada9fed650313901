/**
 * A child process for the cross-process tests, bundled from source by the test.
 * Modes (argv[2]):
 * - `refresh`: wait for "go" on stdin, then get credentials through the manager and print
 *   `{ok, accessHash, accountId}` (a hash, never the token).
 * - `save-loop`: save a new profile forever until killed (for the SIGKILL test); prints
 *   `saved` after the first save completes.
 */
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { openAuthStore } from "@genesis/core";
import { codexCredentialStore } from "../codex-credential-store.js";
import { CodexCredentialManager } from "../credential-manager.js";
import { resolveCodexOAuthSettings } from "../oauth-config.js";

const mode = process.argv[2];
const store = codexCredentialStore(openAuthStore({ env: process.env }));

if (mode === "refresh") {
  const manager = new CodexCredentialManager({ store, settings: resolveCodexOAuthSettings({}, process.env) });
  process.stdout.write("ready\n");
  const rl = createInterface({ input: process.stdin });
  rl.once("line", () => {
    rl.close();
    manager.getCredentials().then(
      (c) => {
        process.stdout.write(`${JSON.stringify({ ok: true, accountId: c.accountId, accessHash: createHash("sha256").update(c.access).digest("hex") })}\n`);
      },
      (e: { code?: string; message?: string }) => {
        process.stdout.write(`${JSON.stringify({ ok: false, code: e.code, message: e.message })}\n`);
        process.exitCode = 1;
      },
    );
  });
} else if (mode === "save-loop") {
  const base = JSON.parse(process.env.GENESIS_TEST_PROFILE ?? "{}");
  let n = 0;
  process.stdout.write("ready\n");
  for (;;) {
    n++;
    await store.save({ ...base, refresh: `rt-loop-${n}`, updatedAt: n, email: "x".repeat(n % 5000) });
    // Tell the test a complete store exists, so its kill always lands on a later save.
    if (n === 1) process.stdout.write("saved\n");
  }
}
