import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { createCatalog, listCatalog, mergeLiveModels, openAuthStore, ValidationError } from "@genesis/core";
import { EMULATOR_CODEX_MODELS, signJwt, startEmulator, type Emulator } from "@genesis/testkit";
import { ApiError, RateLimitError } from "@genesis/transport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexCatalogRecovery } from "./catalog-recovery.js";
import { CodexAuthError } from "./codex-auth-error.js";
import { codexCredentialStore } from "./codex-credential-store.js";
import { CODEX_CLIENT_VERSION, CodexModelsError, codexModelsUrl, listCodexModels, type ListCodexModelsOptions } from "./codex-models.js";
import { CodexCredentialManager } from "./credential-manager.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { refreshTokens } from "./token-client.js";

let emu: Emulator;
let home: string;
let access: string;
let refresh: string;
const noSleep = async () => {};

async function signIn(tokens: { access: string; refresh: string }, accountId = "acct_emulator"): Promise<void> {
  await codexCredentialStore(openAuthStore({ home, env: {} })).save({
    kind: "oauth", provider: "openai-codex", access: tokens.access, refresh: tokens.refresh, accountId, expiresAt: Date.now() + 3_600_000, updatedAt: Date.now(),
  });
}

function options(extra: Partial<ListCodexModelsOptions> = {}): ListCodexModelsOptions {
  const settings = resolveCodexOAuthSettings({ issuer: emu.authIssuer, codexBaseUrl: emu.codexBase }, {});
  const credentials = new CodexCredentialManager({ store: codexCredentialStore(openAuthStore({ home, env: {} })), settings });
  return { credentials, settings, sleep: noSleep, ...extra };
}

/** A fetch that records each request, then hands it to the emulator whatever host it named. */
function forwardingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (input, init) => {
      const url = new URL(String(input));
      urls.push(url.href);
      return fetch(`${emu.url}${url.pathname}${url.search}`, init);
    },
  };
}
const listings = () => emu.requests.filter((r) => r.path === "/backend-api/codex/models");

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => {
    throw new Error("expected a rejection");
  }, (error: Error) => error);
}

beforeEach(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), "genesis-codex-models-"));
  const issued = emu.auth.issueTokens({ accountId: "acct_emulator" });
  access = issued.access_token;
  refresh = issued.refresh_token;
  await signIn({ access, refresh });
});
afterEach(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

describe("listCodexModels against the emulated Codex backend", () => {
  it("sends GET {codexBase}/models?client_version with the Codex headers and maps the rows", async () => {
    const models = await listCodexModels(options());
    expect(models.map((m) => m.slug)).toEqual(EMULATOR_CODEX_MODELS.map((m) => m.slug));
    expect(models[0]).toEqual({
      slug: "gpt-5.5", displayName: "GPT-5.5", description: expect.any(String), contextWindow: 1_000_000, visibility: "list",
      supportedInApi: false, priority: 1, inputModalities: ["text", "image"],
    });
    const rec = emu.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "GET", path: "/backend-api/codex/models", query: { client_version: CODEX_CLIENT_VERSION } });
    expect(rec.headers).toMatchObject({ "chatgpt-account-id": "acct_emulator", originator: "genesis", "user-agent": expect.stringMatching(/^genesis\//) });
    expect(emu.authHeaderOf(rec.id)).toBe(`Bearer ${access}`);
  });

  it("accepts every Codex base URL spelling and a custom client_version", async () => {
    for (const base of [emu.codexBase, emu.codexBase.replace(/\/codex$/, ""), `${emu.codexBase}/responses`]) {
      expect(codexModelsUrl({ codexBaseUrl: base })).toBe(`${emu.codexBase}/models`);
    }
    await listCodexModels({ ...options(), settings: { codexBaseUrl: `${emu.codexBase}/responses`, originator: "genesis" }, clientVersion: "0.170.1" });
    expect(emu.requests.at(-1)!.query).toEqual({ client_version: "0.170.1" });
  });

  it("the real listing feeds catalog recovery: an omitted gpt-5.5 is synthesized while signed in", async () => {
    emu.setCodexModels(EMULATOR_CODEX_MODELS.filter((m) => m.slug !== "gpt-5.5"));
    const listed = await listCodexModels(options());
    expect(listed.map((m) => m.slug)).not.toContain("gpt-5.5");
    const live = listed.map((m) => ({ provider: "openai-codex", id: m.slug, contextWindow: m.contextWindow, name: m.displayName }));
    const catalog = createCatalog({ recoveries: { "openai-codex": codexCatalogRecovery } });
    const auth = { oauth: { "openai-codex": { accountId: "acct_emulator", expiresAt: Date.now() + 3_600_000 } } };
    const rows = mergeLiveModels(listCatalog({ provider: "openai-codex" }), live, { catalog, auth });
    expect(rows.find((r) => r.id === "gpt-5.5")).toMatchObject({ live: "recovered", source: "recovered", contextWindow: 1_000_000, contextTokens: 272_000 });
    expect(rows.find((r) => r.id === "gpt-5.3-codex")).toMatchObject({ live: "live-only", name: "GPT-5.3 Codex", contextWindow: 400_000 });
    expect(mergeLiveModels(listCatalog({ provider: "openai-codex" }), live, { catalog, auth: {} }).find((r) => r.id === "gpt-5.5")?.live).toBe("missing");
  });

  it("refreshes once and retries when the backend refuses the token with 401", async () => {
    // Expired by its own claim, though the store still thinks it is fresh.
    const stale = signJwt({ exp: Math.floor(Date.now() / 1000) - 60, "https://api.openai.com/auth": { chatgpt_account_id: "acct_emulator" } });
    await signIn({ access: stale, refresh });
    const models = await listCodexModels(options());
    expect(models).toHaveLength(EMULATOR_CODEX_MODELS.length);
    expect(emu.auth.refreshCount).toBe(1);
    const lists = emu.requests.filter((r) => r.path === "/backend-api/codex/models");
    expect(lists).toHaveLength(2);
    expect(emu.authHeaderOf(lists[0]!.id)).toBe(`Bearer ${stale}`);
    expect(emu.authHeaderOf(lists[1]!.id)).not.toBe(`Bearer ${stale}`);
    expect((await codexCredentialStore(openAuthStore({ home, env: {} })).get())!.access).not.toBe(stale);
  });

  it("a refused refresh surfaces as reauth_required without leaking tokens", async () => {
    const stale = signJwt({ exp: Math.floor(Date.now() / 1000) - 60, "https://api.openai.com/auth": { chatgpt_account_id: "acct_emulator" } });
    await signIn({ access: stale, refresh });
    emu.auth.revokeAll();
    const error = await failure(listCodexModels(options()));
    expect(error).toBeInstanceOf(CodexAuthError);
    expect((error as CodexAuthError).code).toBe("reauth_required");
    for (const text of [error.message, inspect(error), JSON.stringify(error)]) {
      expect(text).not.toContain(stale);
      expect(text).not.toContain(refresh);
    }
  });

  it("retries a 5xx, and reports 429 / 404 as typed transport errors", async () => {
    emu.fault({ kind: "http-status", status: 503, match: { path: "/backend-api/codex/models" } });
    expect(await listCodexModels(options())).toHaveLength(EMULATOR_CODEX_MODELS.length);
    expect(emu.requests.filter((r) => r.path === "/backend-api/codex/models")).toHaveLength(2);

    emu.fault({ kind: "rate-limit", retryAfter: "1", times: 2, match: { path: "/backend-api/codex/models" } });
    const limited = await failure(listCodexModels(options()));
    expect(limited).toBeInstanceOf(RateLimitError);

    const missing = await failure(listCodexModels({ ...options(), settings: { codexBaseUrl: `${emu.url}/nowhere/codex`, originator: "genesis" } }));
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).status).toBe(404);
    expect(inspect(missing)).not.toContain(access);
  });

  it("rejects answers that are not a model list", async () => {
    emu.setCodexModels([{ slug: "" }]);
    const error = await failure(listCodexModels(options()));
    expect(error).toBeInstanceOf(CodexModelsError);
    expect(error).toMatchObject({ code: "codex_models_invalid_answer", url: `${emu.codexBase}/models`, hint: expect.stringContaining("codexBaseUrl") });
    expect(error.message).toContain("models.0.slug");
    emu.setCodexModels();
    emu.fault({ kind: "http-status", status: 200, body: { data: [] }, match: { path: "/backend-api/codex/models" } });
    expect(await failure(listCodexModels(options()))).toMatchObject({ code: "codex_models_invalid_answer" });
  });

  it("gives up after timeoutMs with codex_models_timeout, and honours the caller's abort", async () => {
    emu.fault({ kind: "slow-first-byte", ms: 2_000, match: { path: "/backend-api/codex/models" } });
    const started = Date.now();
    const slow = await failure(listCodexModels(options({ timeoutMs: 150, maxRetries: 0 })));
    expect(slow).toBeInstanceOf(CodexModelsError);
    expect(slow).toMatchObject({ code: "codex_models_timeout" });
    expect(Date.now() - started).toBeLessThan(1_500);

    emu.fault({ kind: "slow-first-byte", ms: 2_000, match: { path: "/backend-api/codex/models" } });
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    setTimeout(() => controller.abort(reason), 50);
    expect(await failure(listCodexModels(options({ signal: controller.signal })))).toBe(reason);
  });

  it("fails fast without a sign-in or with bad options", async () => {
    await rm(join(home, "auth"), { recursive: true, force: true });
    expect(await failure(listCodexModels(options()))).toMatchObject({ code: "not_signed_in" });
    expect(emu.requests.filter((r) => r.path === "/backend-api/codex/models")).toHaveLength(0);
    await expect(listCodexModels(options({ clientVersion: "latest" }))).rejects.toBeInstanceOf(ValidationError);
    await expect(listCodexModels(options({ timeoutMs: 0 }))).rejects.toMatchObject({ path: "timeoutMs" });
  });

  it("lets a token refresh slower than timeoutMs finish and save: the deadline bounds only the listing", async () => {
    // Inside the 5-minute refresh window, so the listing refreshes first.
    await codexCredentialStore(openAuthStore({ home, env: {} })).save({
      kind: "oauth", provider: "openai-codex", access, refresh, accountId: "acct_emulator", expiresAt: Date.now() + 60_000, updatedAt: Date.now(),
    });
    emu.fault({ kind: "slow-first-byte", ms: 600, match: { path: "/oauth/token" } });
    const models = await listCodexModels(options({ timeoutMs: 300 }));
    expect(models).toHaveLength(EMULATOR_CODEX_MODELS.length);
    expect(emu.auth.refreshCount).toBe(1);
    const saved = (await codexCredentialStore(openAuthStore({ home, env: {} })).get())!;
    expect(saved.refresh).not.toBe(refresh);
    expect(emu.authHeaderOf(listings()[0]!.id)).toBe(`Bearer ${saved.access}`);
    // The saved token is the live one: the next refresh works (no refresh_token_reused).
    await expect(refreshTokens({ settings: resolveCodexOAuthSettings({ issuer: emu.authIssuer }, {}), refreshToken: saved.refresh })).resolves.toMatchObject({ accountId: "acct_emulator" });
  });

  it("does not start a retry wait that outlasts the deadline: the 503 is reported at once", async () => {
    emu.fault({ kind: "http-status", status: 503, headers: { "retry-after": "30" }, times: 2, match: { path: "/backend-api/codex/models" } });
    const started = Date.now();
    const error = await failure(listCodexModels(options({ timeoutMs: 2_000, sleep: undefined })));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(listings()).toHaveLength(1);
  });

  it("reports the last 429 when the retry it allowed runs into the deadline", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "5", match: { path: "/backend-api/codex/models" } });
    let calls = 0;
    const slowRetry: typeof fetch = async (input, init) => {
      if (++calls === 2) emu.fault({ kind: "slow-first-byte", ms: 2_000, match: { path: "/backend-api/codex/models" } });
      return fetch(input, init);
    };
    const error = await failure(listCodexModels(options({ timeoutMs: 300, fetch: slowRetry })));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(listings()).toHaveLength(2);
  });

  it("sends originator and the genesis User-Agent only to a verified Codex host", async () => {
    const proxy = forwardingFetch();
    const viaProxy = { codexBaseUrl: "https://codex-gateway.example.com/backend-api/codex", originator: "genesis" };
    expect(await listCodexModels(options({ fetch: proxy.fetch, settings: viaProxy }))).toHaveLength(EMULATOR_CODEX_MODELS.length);
    expect(proxy.urls).toEqual([`https://codex-gateway.example.com/backend-api/codex/models?client_version=${CODEX_CLIENT_VERSION}`]);
    const proxied = listings().at(-1)!;
    expect(proxied.headers).toMatchObject({ "chatgpt-account-id": "acct_emulator" });
    expect(emu.authHeaderOf(proxied.id)).toBe(`Bearer ${access}`);
    expect(proxied.headers).not.toHaveProperty("originator");
    expect(proxied.headers["user-agent"]).not.toMatch(/genesis/);

    const native = forwardingFetch();
    await listCodexModels(options({ fetch: native.fetch, settings: { codexBaseUrl: "https://chatgpt.com/backend-api/codex", originator: "genesis" } }));
    expect(native.urls[0]).toMatch(/^https:\/\/chatgpt\.com\/backend-api\/codex\/models\?/);
    expect(listings().at(-1)!.headers).toMatchObject({ "chatgpt-account-id": "acct_emulator", originator: "genesis", "user-agent": expect.stringMatching(/^genesis\//) });

    // A caller-chosen User-Agent is the caller's to send anywhere; originator still is not.
    await listCodexModels(options({ fetch: proxy.fetch, settings: viaProxy, userAgent: "my-tool/1.0" }));
    expect(listings().at(-1)!.headers).toMatchObject({ "user-agent": "my-tool/1.0" });
    expect(listings().at(-1)!.headers).not.toHaveProperty("originator");
  });
});
