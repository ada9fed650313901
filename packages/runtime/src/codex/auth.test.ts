import { mkdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { inspect } from "node:util";
import { join } from "node:path";
import { openAuthStore } from "@genesis/core";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CodexAppServerClient } from "./client.js";
import { createCodexTurnRunner } from "./codex-turn-runner.js";
import { CodexHarnessError } from "./errors.js";
import { codexLeftUnder } from "./__fixtures__/process-state.js";
import type { AgentEvent } from "../turn-runner.js";

// Auth hand-off with the real binary, against the emulator's ChatGPT backend and OAuth issuer.
let emu: Emulator;
let scratch: string;
const clients: CodexAppServerClient[] = [];
const make = (opts: ConstructorParameters<typeof CodexAppServerClient>[0]) => {
  const c = new CodexAppServerClient(opts);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  emu = await startEmulator();
  scratch = mkdtempSync(join(tmpdir(), "genesis-codex-auth-"));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await emu.close();
  // No app-server (or helper) started by this file outlives it.
  expect(await codexLeftUnder(scratch)).toEqual([]);
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

  it("runs a turn on the ChatGPT backend with the stored sign-in, answering Codex's refresh from the auth store", async () => {
    const home = join(scratch, "genesis-home");
    const cwd = join(home, "work");
    mkdirSync(cwd, { recursive: true });
    // The stored access token is already expired by its JWT claim (the store does not know yet):
    // the backend answers 401, Codex asks us for fresh tokens, and Genesis refreshes at the issuer.
    const stale = emu.auth.issueTokens({ accountId: "acct_handoff", planType: "team", expiresInSec: 0 });
    const { refresh_token } = emu.auth.issueTokens({ accountId: "acct_handoff", planType: "team" });
    const store = openAuthStore({ home, env: {} });
    await store.update((file) => ({
      result: undefined,
      next: {
        ...file,
        profiles: {
          ...file.profiles,
          "openai-codex": { kind: "oauth", provider: "openai-codex", access: stale.access_token, refresh: refresh_token, accountId: "acct_handoff", planType: "team", expiresAt: Date.now() + 3_600_000, updatedAt: Date.now() },
        },
      },
    }));
    const env = { ...process.env, GENESIS_HOME: home, GENESIS_CODEX_AUTH_ISSUER: emu.authIssuer, GENESIS_CODEX_BASE_URL: emu.codexBase, OPENAI_API_KEY: "" };
    const runner = createCodexTurnRunner({ env, codexHome: join(home, "codex") });
    const input = {
      sessionId: "s-chatgpt",
      turnId: "t1",
      route: { ref: "openai/gpt-5.4", provider: "openai", model: "gpt-5.4", runtime: "codex" as const },
      message: "Hello over ChatGPT",
      instructions: "",
      history: [],
      tools: [],
      params: {},
      runnerState: {} as Record<string, unknown>,
      cwd,
    };
    const run = async (over: Partial<typeof input> = {}) => {
      const events: AgentEvent[] = [];
      for await (const e of runner.runTurn({ ...input, ...over })) events.push(e);
      return events;
    };
    try {
      emu.script({ text: "Answered on the ChatGPT backend" });
      const events = await run();
      expect(events.at(-1)).toMatchObject({ type: "turn.done", outcome: "completed", text: "Answered on the ChatGPT backend" });

      const calls = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
      expect(calls).toHaveLength(2); // the stale token (401), then the refreshed one
      expect(emu.authHeaderOf(calls[0]!.id)).toBe(`Bearer ${stale.access_token}`);
      expect(emu.auth.refreshCount).toBe(1);
      const saved = await store.get("openai-codex");
      if (saved?.kind !== "oauth") throw new Error("sign-in vanished from the store");
      expect(saved.access).not.toBe(stale.access_token);
      // The retried call carries exactly the token Genesis refreshed and saved, and the account id.
      expect(emu.authHeaderOf(calls[1]!.id)).toBe(`Bearer ${saved.access}`);
      for (const c of calls) expect(c.headers["chatgpt-account-id"]).toBe("acct_handoff");
      expect(emu.requests.find((r) => r.path === "/oauth/token")).toMatchObject({ method: "POST" });

      // A usage limit on this account: Codex's team wording names no plan; the sign-in's plan is used.
      const resetsAt = Math.floor(Date.now() / 1000) + 5400;
      emu.fault({ kind: "usage-limit", planType: "team", resetsAt, match: { path: "/backend-api/codex/responses" } });
      const threadId = String((events.find((e) => e.type === "runner.state") as { state: Record<string, unknown> }).state.codexThreadId);
      const err = await (async () => {
        for await (const _ of runner.client!.runTurn({ threadId, text: "More", settings: { cwd, model: "gpt-5.4" } }));
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CodexHarnessError);
      expect(err).toMatchObject({ code: "codex_usage_limit", codexErrorInfo: "usageLimitExceeded", planType: "team", threadId });
      expect((err as Error).message).toMatch(/^You’ve hit your usage limit\. To get more access now, send a request to your admin or try again at .+\.$/);
      expect(Math.abs((err as CodexHarnessError).resetsAt! - resetsAt)).toBeLessThanOrEqual(60);
    } finally {
      await runner.close();
    }
  });

  it("fails the turn as codex_unauthorized when Genesis cannot refresh the rejected sign-in", async () => {
    const cwd = join(scratch, "work-refresh-fail");
    mkdirSync(cwd, { recursive: true });
    const stale = emu.auth.issueTokens({ accountId: "acct_gone", expiresInSec: 0 });
    let asked = 0;
    const client = make({
      codexHome: join(scratch, "home-refresh-fail"),
      endpoint: { chatgptBaseUrl: `${emu.url}/backend-api/`, codexBaseUrl: emu.codexBase, requestMaxRetries: 0, streamMaxRetries: 0 },
      auth: {
        kind: "chatgpt",
        getTokens: async () => ({ accessToken: stale.access_token, accountId: "acct_gone" }),
        refresh: async () => {
          asked++;
          throw new Error("refresh_token_reused");
        },
      },
    });
    const settings = { cwd, model: "gpt-5.4" };
    const threadId = await client.startThread(settings);
    emu.script({ text: "never delivered" });
    const err = await (async () => {
      for await (const _ of client.runTurn({ threadId, text: "hi", settings }));
    })().catch((e: unknown) => e);
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(err).toBeInstanceOf(CodexHarnessError);
    expect(err).toMatchObject({ code: "codex_unauthorized", codexErrorInfo: "other", threadId });
    expect((err as CodexHarnessError).hint).toMatch(/genesis models auth login --provider openai-codex/);
  });
});
