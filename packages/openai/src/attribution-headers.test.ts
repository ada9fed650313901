import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { attributionHeaders, isVerifiedNativeHost } from "./attribution-headers.js";
import { createOpenAIProvider } from "./create-openai-provider.js";
import type { OpenAIRoute } from "./openai-route.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.reset());
afterAll(async () => {
  await emu.close();
});

describe("isVerifiedNativeHost / attributionHeaders", () => {
  it("real OpenAI and ChatGPT hosts get the headers", () => {
    for (const [endpointClass, baseUrl] of [
      ["native-openai", "https://api.openai.com/v1"],
      ["native-openai", "https://API.OpenAI.com:443/v1/"],
      ["native-codex", "https://chatgpt.com/backend-api/codex"],
      ["native-codex", "https://chatgpt.com/backend-api"],
    ] as const) {
      expect(isVerifiedNativeHost({ endpointClass, baseUrl }), baseUrl).toBe(true);
      expect(attributionHeaders({ endpointClass, baseUrl }, "1.2.3")).toEqual({ originator: "genesis", "user-agent": expect.stringMatching(/^genesis\/1\.2\.3 \(node /) });
    }
  });

  it("a class forced on a foreign host gets nothing", () => {
    for (const [endpointClass, baseUrl] of [
      ["native-openai", "https://proxy.example.com/v1"],
      ["native-openai", "https://api.openai.com.evil.example/v1"],
      ["native-openai", "https://evil-api.openai.com/v1"],
      ["native-openai", "http://api.openai.com/v1"],
      ["native-openai", "https://api.openai.com:8443/v1"],
      ["native-openai", "https://user:pw@api.openai.com/v1"],
      ["native-openai", "https://10.0.0.5/v1"],
      ["native-openai", "https://chatgpt.com/backend-api"],
      ["native-codex", "https://api.openai.com/v1"],
      ["native-codex", "https://chatgpt.com/v1"],
      ["native-codex", "https://my-proxy.internal/backend-api/codex"],
      ["azure", "https://res.openai.azure.com/openai/v1"],
      ["compat", "https://api.openai.com/v1"],
      ["native-openai", "not a url"],
      ["native-openai", ""],
    ] as const) {
      expect(isVerifiedNativeHost({ endpointClass, baseUrl }), `${endpointClass} ${baseUrl}`).toBe(false);
      expect(attributionHeaders({ endpointClass, baseUrl })).toEqual({});
    }
    expect(attributionHeaders({ endpointClass: "native-openai" })).toEqual({});
  });

  it("loopback servers (a local emulator with a forced class) count as verified; private networks do not", () => {
    expect(isVerifiedNativeHost({ endpointClass: "native-openai", baseUrl: "http://127.0.0.1:8080/v1" })).toBe(true);
    expect(isVerifiedNativeHost({ endpointClass: "native-openai", baseUrl: "http://[::1]:8080/v1" })).toBe(true);
    expect(isVerifiedNativeHost({ endpointClass: "native-openai", baseUrl: "http://localhost:8080/v1" })).toBe(true);
    expect(isVerifiedNativeHost({ endpointClass: "native-openai", baseUrl: "http://192.168.1.10:8080/v1" })).toBe(false);
    expect(isVerifiedNativeHost({ endpointClass: "native-openai", baseUrl: "http://127.0.0.1.nip.io/v1" })).toBe(false);
  });
});

describe("attribution on the wire (requests re-targeted to the emulator)", () => {
  // The provider believes it talks to `baseUrl`; the fetch delivers to the emulator so the
  // recorded headers are exactly what that host would have received.
  const toEmulator: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return fetch(`${emu.url}/v1${url.pathname.replace(/^\/v1/, "")}${url.search}`, init);
  };
  const route = (baseUrl: string, api: OpenAIRoute["api"] = "responses"): OpenAIRoute => ({
    ref: "openai/gpt-5.4", provider: "openai", modelId: "gpt-5.4", endpointClass: "native-openai", api, baseUrl, transport: "sse", params: {},
  });

  it.each(["responses", "chat-completions"] as const)("%s: forced native-openai on a proxy sends no originator or genesis User-Agent; api.openai.com does", async (api) => {
    for (const [baseUrl, expected] of [["https://llm-proxy.example.com/v1", false], ["https://api.openai.com/v1", true]] as const) {
      const provider = createOpenAIProvider({ route: route(baseUrl, api), apiKey: "sk-attr-0123456789", fetch: toEmulator });
      let text = "";
      for await (const e of provider.streamTurn({ input: [{ type: "message", role: "user", content: "hi" }] }, { sessionId: "s" })) if (e.type === "text.delta") text += e.delta;
      await provider.close();
      expect(text).toBe("Echo: hi");
      const rec = emu.requests.at(-1)!;
      expect(rec.path).toBe(api === "responses" ? "/v1/responses" : "/v1/chat/completions");
      if (expected) {
        expect(rec.headers.originator).toBe("genesis");
        expect(rec.headers["user-agent"]).toMatch(/^genesis\//);
      } else {
        expect(rec.headers.originator).toBeUndefined();
        expect(rec.headers["user-agent"] ?? "").not.toMatch(/genesis/i);
      }
    }
  });
});
