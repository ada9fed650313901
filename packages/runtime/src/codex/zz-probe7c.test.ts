import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "@genesis/testkit";
import { it } from "vitest";
import { CodexAppServerClient } from "./client.js";

it("probe chatgpt", async () => {
  const emu = await startEmulator({ validate: false });
  const scratch = mkdtempSync(join(tmpdir(), "probe7c-"));
  const cwd = join(scratch, "work"); mkdirSync(cwd);
  const first = emu.auth.issueTokens({ accountId: "acct_x", planType: "plus", expiresInSec: Number(process.env.EXP ?? 3600) });
  const second = emu.auth.issueTokens({ accountId: "acct_x", planType: "plus" });
  const refreshes: any[] = [];
  const client = new CodexAppServerClient({
    codexHome: join(scratch, "h"),
    endpoint: { chatgptBaseUrl: `${emu.url}/backend-api/` },
    extraArgs: ["-c", `model_provider="gx"`, "-c", `model_providers.gx={name="gx",base_url="${emu.url}/backend-api/codex",wire_api="responses",requires_openai_auth=true,request_max_retries=0,stream_max_retries=0}`],
    auth: { kind: "chatgpt", getTokens: async () => ({ accessToken: first.access_token, accountId: "acct_x", planType: "plus" }),
      refresh: async (prev) => { refreshes.push(prev); return { accessToken: second.access_token, accountId: "acct_x", planType: "plus" }; } },
  });
  const settings = { cwd, model: "gpt-5.4" };
  const threadId = await client.startThread(settings);
  emu.script({ text: "via chatgpt" });
  try {
    const evs: any[] = [];
    for await (const e of client.runTurn({ threadId, text: "hi", settings })) evs.push(e);
    console.log("RESULT", evs.filter((e) => e.type === "text.delta").map((e) => e.delta).join(""));
  } catch (e) { console.log("ERR", e); }
  console.log("REFRESHES", refreshes);
  for (const r of emu.requests) console.log("REQ", r.method, r.path, r.headers["chatgpt-account-id"], emu.authHeaderOf(r.id) === `Bearer ${first.access_token}` ? "first" : emu.authHeaderOf(r.id) === `Bearer ${second.access_token}` ? "second" : emu.authHeaderOf(r.id)?.slice(0, 20));
  await client.close(); await emu.close();
}, 60000);
