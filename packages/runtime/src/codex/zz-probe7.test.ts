import { mkdirSync, mkdtempSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "@genesis/testkit";
import { it } from "vitest";
import { CodexAppServerClient } from "./client.js";

it("probe", async () => {
  const emu = await startEmulator({ validate: false });
  const scratch = mkdtempSync(join(tmpdir(), "probe7-"));
  const cwd = join(scratch, "work"); mkdirSync(cwd);
  const reqs: any[] = [];
  const client = new CodexAppServerClient({
    codexHome: join(scratch, "home"),
    endpoint: { baseUrl: emu.apiBase, apiKey: "sk-x-0000000000000000", requestMaxRetries: 0, streamMaxRetries: 0 },
    extraArgs: process.env.X ? ["-c", "sandbox_workspace_write.exclude_slash_tmp=true", "-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true"] : [],
    approvalHandler: (r) => { reqs.push(r); return "accept"; },
    onServerRequest: async (m, p) => { console.log("OTHER", m, JSON.stringify(p)); throw new Error("x"); },
  });
  const settings = { cwd, model: process.env.M ?? "gpt-5.4", approvalPolicy: (process.env.AP ?? "on-request") as any };
  const threadId = await client.startThread(settings);
  const outside = join(scratch, "outside.txt");
  const patch = `*** Begin Patch\n*** Add File: ${process.env.IN ? "inside.txt" : outside}\n+patched by codex\n*** End Patch\n`;
  emu.script({ toolCalls: [{ name: "exec_command", callId: "c1", arguments: { cmd: `apply_patch <<'EOF'\n${patch}EOF\n` } }] }, { text: "ok" });
  const evs: any[] = [];
  for await (const e of client.runTurn({ threadId, text: "patch", settings })) evs.push(e);
  console.log(JSON.stringify(reqs, null, 1));
  console.log(evs.filter((e) => e.type === "item.done").map((e) => JSON.stringify(e.item).slice(0, 400)).join("\n"));
  console.log("outside exists", existsSync(outside), "inside", existsSync(join(cwd, "inside.txt")));
  const bodies = emu.requests.filter((r) => r.path === "/v1/responses");
  console.log(JSON.stringify((bodies[1]?.body as any)?.input?.slice(-2)).slice(0, 800));
  console.log((bodies[0]?.body as any).tools.map((t: any) => t.name ?? t.type).join(","));
  await client.close(); await emu.close();
}, 30000);
