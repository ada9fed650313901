import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { inspect } from "node:util";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CodexAppServerClient } from "./client.js";
import { CodexHarnessError } from "./errors.js";

// Auth hand-off with the real binary. None of these run a model turn.
let emu: Emulator;
let scratch: string;
const clients: CodexAppServerClient[] = [];
const make = (opts: ConstructorParameters<typeof CodexAppServerClient>[0]) => {
  const c = new CodexAppServerClient(opts);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  emu = await startEmulator({ validate: false });
  scratch = mkdtempSync(join(tmpdir(), "genesis-codex-auth-"));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await emu.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("Codex app-server auth", () => {
  it("hands Genesis's Codex sign-in over as chatgptAuthTokens (kept in memory only)", async () => {
    const tokens = emu.auth.issueTokens({ accountId: "acct_genesis_1", planType: "plus" });
    let handed = 0;
    const home = join(scratch, "home-chatgpt");
    const client = make({
      codexHome: home,
      endpoint: { chatgptBaseUrl: `${emu.url}/backend-api/` },
      auth: {
        kind: "chatgpt",
        getTokens: async () => {
          handed++;
          return { accessToken: tokens.access_token, accountId: "acct_genesis_1", planType: "plus" };
        },
      },
    });
    // The login is accepted only with the experimental capability we declare for it.
    await client.start();
    expect(handed).toBe(1);
    // Codex then calls the (overridden) ChatGPT backend with exactly our token and account.
    const until = Date.now() + 5_000;
    let check = emu.requests.find((r) => r.path === "/backend-api/wham/accounts/check");
    while (!check && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
      check = emu.requests.find((r) => r.path === "/backend-api/wham/accounts/check");
    }
    expect(check).toMatchObject({ method: "GET", headers: { "chatgpt-account-id": "acct_genesis_1" } });
    expect(emu.authHeaderOf(check!.id)).toBe(`Bearer ${tokens.access_token}`);
    // Handed-over tokens stay in the server's memory; nothing lands in its CODEX_HOME.
    expect(() => readFileSync(join(home, "auth.json"), "utf8")).toThrow();
  });

  it("logs in with an API key when no endpoint override carries it", async () => {
    const client = make({ codexHome: join(scratch, "home-apikey"), auth: { kind: "apiKey", apiKey: "sk-genesis-login-key-42" } });
    const account = await client.account();
    expect(account.account).toEqual({ type: "apiKey" });
  });

  it("keeps an endpoint key off the command line (child env only)", async () => {
    const key = "sk-genesis-secret-never-on-argv";
    const client = make({ codexHome: join(scratch, "home-env"), endpoint: { baseUrl: emu.apiBase, apiKey: key } });
    const account = await client.account();
    expect(account.requiresOpenaiAuth).toBe(false);
    const cmdline = readFileSync(`/proc/${client.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline.join(" ")).not.toContain(key);
    expect(cmdline).toContain(`model_providers.genesis_openai={name="Genesis (OpenAI endpoint)",base_url="${emu.apiBase}",wire_api="responses",env_key="GENESIS_CODEX_API_KEY"}`);
    expect(readFileSync(`/proc/${client.pid}/environ`, "utf8").split("\0")).toContain(`GENESIS_CODEX_API_KEY=${key}`);
    // Nor does it show when the client (or its process) is inspected or serialized.
    expect(inspect(client)).not.toContain(key);
    expect(JSON.stringify(client)).not.toContain(key);
    expect(inspect((client as unknown as { proc: unknown }).proc)).not.toContain(key);
  });

  it("reports clearly when the app-server has no account of its own", async () => {
    const client = make({ codexHome: join(scratch, "home-empty"), env: { ...process.env, OPENAI_API_KEY: "", CODEX_API_KEY: "" } });
    const err = await client.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodexHarnessError);
    expect(err).toMatchObject({ code: "codex_not_signed_in" });
    expect((err as CodexHarnessError).hint).toMatch(/genesis models auth login --provider openai-codex/);
    expect(client.pid).toBeUndefined();
  });
});
