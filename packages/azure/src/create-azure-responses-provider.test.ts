import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { AuthenticationError, RateLimitError } from "@genesis/transport";
import type { StreamEvent } from "@genesis/core";
import { azureResponsesBaseUrl, createAzureResponsesProvider } from "./create-azure-responses-provider.js";
import { AzureConfigError } from "./azure-error.js";

const KEY = "azure-key-0123456789abcdef";
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.reset());
afterAll(async () => {
  await emu.close();
});

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("azureResponsesBaseUrl", () => {
  it("normalizes every spelling of the resource URL to /openai/v1", () => {
    for (const base of ["https://res.openai.azure.com", "https://res.openai.azure.com/", "https://res.openai.azure.com/openai", "https://res.openai.azure.com/openai/v1/"]) {
      expect(azureResponsesBaseUrl(base)).toBe("https://res.openai.azure.com/openai/v1");
    }
  });
});

describe("createAzureResponsesProvider (emulator /openai/v1/responses)", () => {
  it("streams over SSE with the api-key header and the deployment as model", async () => {
    emu.script({ text: "Hello from Azure" });
    const provider = createAzureResponsesProvider({ baseUrl: `${emu.url}/openai`, apiKey: KEY, deployment: "gpt-5-4-prod", transport: "sse" });
    const events = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s1" }));
    const text = events.filter((e) => e.type === "text.delta").map((e) => (e as { delta: string }).delta).join("");
    expect(text).toBe("Hello from Azure");
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    const rec = emu.requests.at(-1)!;
    expect(rec.method).toBe("POST");
    expect(rec.path).toBe("/openai/v1/responses");
    expect(rec.query).toEqual({});
    expect(rec.headers["api-key"]).toBe("[redacted]");
    expect(emu.authHeaderOf(rec.id)).toBe(KEY);
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.body).toMatchObject({ model: "gpt-5-4-prod", stream: true, input: [{ type: "message", role: "user", content: "hi" }] });
    await provider.close();
  });

  it("params.responsesServerCompaction turns on context_management; no attribution headers on Azure", async () => {
    const provider = createAzureResponsesProvider({
      baseUrl: emu.url, apiKey: KEY, deployment: "gpt-5-5-prod", transport: "sse", contextWindow: 200_000, params: { responsesServerCompaction: true },
    });
    await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s7" }));
    const rec = emu.requests.at(-1)!;
    expect(rec.body).toMatchObject({ model: "gpt-5-5-prod", store: true, context_management: [{ type: "compaction", compact_threshold: 140_000 }] });
    expect(rec.headers.originator).toBeUndefined();
    expect(rec.headers["user-agent"] ?? "").not.toMatch(/genesis/i);
    await provider.close();
    const off = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "gpt-5-5-prod", transport: "sse" });
    await collect(off.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s8" }));
    expect(emu.requests.at(-1)!.body).not.toHaveProperty("context_management");
    await off.close();
  });

  it("webSearch native adds the web_search tool (spec-validated) and the call item comes back; off sends nothing", async () => {
    emu.script({ webSearch: { query: "azure regions" }, text: "Found." }, { text: "plain" });
    const provider = createAzureResponsesProvider({
      baseUrl: emu.url, apiKey: KEY, deployment: "gpt-5-4-prod", transport: "sse",
      webSearch: { status: "native", contextSize: "low", allowedDomains: ["learn.microsoft.com"] },
    });
    const events = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "regions?" }] }, { sessionId: "s-ws" }));
    expect(emu.requests.at(-1)!.body).toMatchObject({
      model: "gpt-5-4-prod",
      tools: [{ type: "web_search", search_context_size: "low", filters: { allowed_domains: ["learn.microsoft.com"] } }],
      tool_choice: "auto",
    });
    expect(events.find((e) => e.type === "item.done" && e.item.type === "web_search_call")).toMatchObject({ item: { status: "completed", action: { query: "azure regions" } } });
    await provider.close();

    const off = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "gpt-5-4-prod", transport: "sse", webSearch: { status: "pinned" } });
    await collect(off.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s-ws" }));
    expect((emu.requests.at(-1)!.body as { tools?: unknown }).tools).toBeUndefined();
    await off.close();
  });

  it("streams over WebSocket on the same path (auto mode)", async () => {
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1" });
    const events = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "ping" }] }, { sessionId: "s2" }));
    expect(events.at(-1)).toMatchObject({ type: "response.done", status: "completed" });
    const rec = emu.requests.find((r) => r.transport === "websocket")!;
    expect(rec.path).toBe("/openai/v1/responses");
    expect(rec.headers["api-key"]).toBe("[redacted]");
    expect(rec.frames?.at(-1)).toMatchObject({ type: "response.create", model: "dep1" });
    expect(provider.state().lastTransport).toBe("websocket");
    await provider.close();
  });

  it("falls back to env AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY", async () => {
    const provider = createAzureResponsesProvider({ deployment: "dep-env", transport: "sse", env: { AZURE_OPENAI_ENDPOINT: emu.url, AZURE_OPENAI_API_KEY: KEY } });
    await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s3" }));
    expect(emu.authHeaderOf(emu.requests.at(-1)!.id)).toBe(KEY);
    await provider.close();
  });

  it("retries a 429 and then succeeds", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1" });
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1", transport: "sse" });
    const events = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s4" }));
    expect(events.at(-1)).toMatchObject({ type: "response.done" });
    expect(emu.requests.filter((r) => r.path === "/openai/v1/responses")).toHaveLength(2);
    await provider.close();
  });

  it("a rejected key is a typed error without the key in message or inspect output", async () => {
    emu.fault({ kind: "http-status", status: 401, times: 5 });
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1", transport: "sse" });
    const error = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s5" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String((error as Error).message)).not.toContain(KEY);
    expect(inspect(error, { depth: 5 })).not.toContain(KEY);
    expect(inspect(provider, { depth: 5 })).not.toContain(KEY);
    await provider.close();
  });

  it("a 429 that persists surfaces as RateLimitError", async () => {
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", times: 10 });
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1", transport: "sse", transportOptions: { maxRetries: 1 } });
    const error = await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s6" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    await provider.close();
  });

  it("bad input is refused before any request", () => {
    const n = emu.requests.length;
    expect(() => createAzureResponsesProvider({ apiKey: KEY, deployment: "d", env: {} })).toThrow(AzureConfigError);
    expect(() => createAzureResponsesProvider({ baseUrl: emu.url, deployment: "d", env: {} })).toThrow(/API key/);
    expect(() => createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "a/b" })).toThrow(/deployment name/);
    expect(() => createAzureResponsesProvider({ baseUrl: "::", apiKey: KEY, deployment: "d" })).toThrow(AzureConfigError);
    expect(emu.requests.length).toBe(n);
  });

  it("a rejected key carries an Azure hint naming where the key comes from", async () => {
    emu.fault({ kind: "http-status", status: 401, times: 5 });
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1", transport: "sse" });
    const error = (await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s9" })).catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe("auth_failed");
    expect(error.status).toBe(401);
    expect(error.hint).toContain("AZURE_OPENAI_API_KEY");
    expect(error.hint).toContain('models.providers["azure-openai-responses"].apiKey');
    expect(inspect(error)).not.toContain(KEY);
    expect(inspect(provider)).toBe("AzureResponsesProvider { route: azure-openai-responses/dep1, key: [redacted] }");
    await provider.close();
  });

  it("a missing key names the azure-openai-responses setting, not the image one", () => {
    try {
      createAzureResponsesProvider({ baseUrl: emu.url, deployment: "d", env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "azure_missing_api_key", field: 'models.providers["azure-openai-responses"].apiKey' });
      expect((error as AzureConfigError).hint).toContain("genesis onboard --auth-choice azure-openai");
    }
  });

  it("a caller's newer route changes params only: Azure class, deployment and path stay", async () => {
    const provider = createAzureResponsesProvider({ baseUrl: emu.url, apiKey: KEY, deployment: "dep1", transport: "sse" });
    const newer = { provider: "azure-openai-responses", modelId: "other", endpointClass: "local" as const, api: "responses", baseUrl: "http://127.0.0.1:1", params: { responsesServerCompaction: true, responsesCompactThreshold: 9000 } };
    await collect(provider.streamTurn({ input: [{ type: "message", role: "user", content: "x" }] }, { sessionId: "s10", route: newer }));
    const rec = emu.requests.at(-1)!;
    expect(rec.path).toBe("/openai/v1/responses");
    expect(rec.body).toMatchObject({ model: "dep1", store: true, context_management: [{ type: "compaction", compact_threshold: 9000 }] });
    await provider.close();
  });

  it("portal pages are refused with a hint pointing at the resource endpoint", () => {
    for (const base of ["https://portal.azure.com/#home", "https://ai.azure.com/resource/deployments", "https://oai.azure.com/portal"]) {
      try {
        createAzureResponsesProvider({ baseUrl: base, apiKey: KEY, deployment: "d" });
        expect.unreachable();
      } catch (error) {
        expect((error as AzureConfigError).code).toBe("azure_invalid_base_url");
        expect((error as AzureConfigError).hint).toContain("https://<resource>.openai.azure.com");
      }
    }
  });
});
