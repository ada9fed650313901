import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dnsOf, startCanary, startHttpServer, watchClientSockets, type Canary } from "./__fixtures__/ssrf-canary.js";
import { ApiError, ConnectionError, RedirectError } from "./errors.js";
import { createGuardedFetch } from "./guarded-fetch.js";
import { sendRequest } from "./http-request.js";
import { SsrfBlockedError } from "./ssrf-guard.js";

const OPT_IN = { dangerouslyAllowPrivateNetwork: true } as const;
const noSleep = async (): Promise<void> => undefined;

let emu: Emulator;
let canary: Canary;
beforeAll(async () => {
  emu = await startEmulator();
  canary = await startCanary();
});
afterAll(async () => {
  await emu.close();
  await canary.close();
});
afterEach(() => emu.reset());

const auth = { authorization: "Bearer sk-test-key-123456" };

async function generatePng(fetch: typeof globalThis.fetch): Promise<Uint8Array> {
  const res = await fetch(`${emu.apiBase}/images/generations`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-image-2", prompt: "a fox", size: "256x256" }),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { data: { b64_json: string }[] };
  return new Uint8Array(Buffer.from(json.data[0]!.b64_json, "base64"));
}

describe("with dangerouslyAllowPrivateNetwork the emulator on 127.0.0.1 is reachable", () => {
  it("POSTs JSON to /v1/images/generations and returns a web Response", async () => {
    const fetch = createGuardedFetch({ policy: OPT_IN });
    const png = await generatePng(fetch);
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const rec = emu.requests.at(-1)!;
    expect(rec.method).toBe("POST");
    expect(rec.path).toBe("/v1/images/generations");
    expect(rec.headers["content-type"]).toBe("application/json");
    expect(rec.headers.authorization).toBe("Bearer [redacted]");
    expect(emu.authHeaderOf(rec.id)).toBe(auth.authorization);
    expect(rec.body).toMatchObject({ model: "gpt-image-2", prompt: "a fox", size: "256x256" });
  });

  it("POSTs multipart FormData (content-type boundary and bytes preserved) to /v1/images/edits", async () => {
    const fetch = createGuardedFetch({ policy: OPT_IN });
    const png = await generatePng(fetch);
    const form = new FormData();
    form.set("model", "gpt-image-2");
    form.set("prompt", "add a hat");
    form.set("image", new Blob([png], { type: "image/png" }), "fox.png");
    const res = await fetch(`${emu.apiBase}/images/edits`, { method: "POST", headers: auth, body: form });
    const json = (await res.json()) as { data: { b64_json: string }[] };
    expect(res.status).toBe(200);
    expect(json.data[0]!.b64_json.length).toBeGreaterThan(100);
    const rec = emu.requests.at(-1)!;
    expect(rec.path).toBe("/v1/images/edits");
    expect(rec.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(rec.body).toMatchObject({
      fields: { model: "gpt-image-2", prompt: "add a hat" },
      files: [{ field: "image", filename: "fox.png", contentType: "image/png", size: png.byteLength }],
    });
  });

  it("the emulator's 400 for an invalid body comes back as a Response (sendRequest makes it an ApiError)", async () => {
    const fetch = createGuardedFetch({ policy: OPT_IN });
    const error = await sendRequest(`${emu.apiBase}/images/generations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "x", size: "1000x7" }),
    }, { fetch, sleep: noSleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect(emu.requests).toHaveLength(1);
  });

  it("sendRequest retries 429 and 5xx through the guarded fetch", async () => {
    const fetch = createGuardedFetch({ policy: OPT_IN });
    emu.fault({ kind: "rate-limit", retryAfterMs: "1", match: { path: "/v1/images/generations" } });
    emu.fault({ kind: "http-status", status: 503, match: { path: "/v1/images/generations" } });
    const res = await sendRequest(`${emu.apiBase}/images/generations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "retry me", size: "256x256" }),
    }, { fetch, sleep: noSleep });
    expect(res.status).toBe(200);
    expect(emu.requests.map((r) => r.path)).toEqual(Array(3).fill("/v1/images/generations"));
    expect(emu.requests.every((r) => (r.body as { prompt: string }).prompt === "retry me")).toBe(true);
  });

  it("a reset connection is a ConnectionError (retried by sendRequest, then surfaced)", async () => {
    const fetch = createGuardedFetch({ policy: OPT_IN });
    emu.fault({ kind: "connection-reset", times: 3 });
    const direct = await fetch(`${emu.apiBase}/models`, { headers: auth }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ConnectionError);
    expect((direct as ConnectionError).message).toBe(`Could not reach ${emu.url}.`);
    const viaSend = await sendRequest(`${emu.apiBase}/models`, { method: "GET", headers: auth }, { fetch, sleep: noSleep, maxRetries: 1 }).catch((e: unknown) => e);
    expect(viaSend).toMatchObject({ code: "connection_failed" });
    expect(emu.requests.length).toBe(3);
  });

  it("pins the checked address: one DNS query per request, a rebound answer is never dialled", async () => {
    // 127.0.0.2 is also loopback: a canary there on the emulator's port catches a second lookup.
    const rebound = await startCanary("127.0.0.2", emu.port).catch(() => undefined);
    const lookup = dnsOf({ "emu.example.com": [["127.0.0.1"], ["127.0.0.2"]] });
    const fetch = createGuardedFetch({ policy: OPT_IN, lookup });
    const res = await fetch(`http://emu.example.com:${emu.port}/v1/models`, { headers: auth });
    expect(res.status).toBe(200);
    expect(lookup.calls).toEqual(["emu.example.com"]);
    expect(emu.requests.at(-1)!.headers.host).toBe(`emu.example.com:${emu.port}`);
    if (rebound) {
      expect(rebound.connections()).toBe(0);
      await rebound.close();
    }
  });

  it("does not delegate to globalThis.fetch (whose agent option is silently ignored)", async () => {
    const original = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new Error("global fetch must not be used"))) as typeof fetch;
    try {
      const res = await createGuardedFetch({ policy: OPT_IN })(`${emu.apiBase}/models`, { headers: auth });
      expect(res.status).toBe(200);
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe("allowedHostnames and the opt-in's limits", () => {
  it("an exact allowlisted name reaches a private address; another name resolving there does not", async () => {
    const lookup = dnsOf({ "emu.example.com": [["127.0.0.1"]], "other.example.com": [["127.0.0.1"]] });
    const fetch = createGuardedFetch({ policy: { allowedHostnames: ["EMU.example.com."] }, lookup });
    expect((await fetch(`http://emu.example.com:${emu.port}/v1/models`, { headers: auth })).status).toBe(200);
    const error = await fetch(`http://other.example.com:${emu.port}/v1/models`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ssrf_blocked", range: "loopback", host: "other.example.com" });
    expect(emu.requests).toHaveLength(1);
  });
  it("an allowlisted IP literal is reachable", async () => {
    const res = await createGuardedFetch({ policy: { allowedHostnames: ["127.0.0.1"] } })(`${emu.apiBase}/models`, { headers: auth });
    expect(res.status).toBe(200);
  });
  it("metadata stays blocked even with dangerouslyAllowPrivateNetwork", async () => {
    const sockets = watchClientSockets();
    const fetch = createGuardedFetch({ policy: OPT_IN, lookup: dnsOf({ "meta.example.com": [["169.254.169.254"]] }) });
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "http://meta.example.com/", "http://[fd00:ec2::254]/"]) {
      await expect(fetch(url)).rejects.toMatchObject({ code: "ssrf_blocked", range: "metadata" });
    }
    sockets.stop();
    expect(sockets.count()).toBe(0);
  });
});

describe("redirects are never followed", () => {
  it.each([301, 302, 303, 307, 308])("%i to a loopback literal is returned, not followed; following it by hand is blocked", async (status) => {
    const target = `http://127.0.0.1:${canary.port}/latest/meta-data?x=1`;
    const server = await startHttpServer((_req, _body, res) => res.writeHead(status, { location: target }).end());
    const policy = { allowedHostnames: ["redirector.example.com"] };
    const fetch = createGuardedFetch({ policy, lookup: dnsOf({ "redirector.example.com": [["127.0.0.1"]] }) });
    const url = `http://redirector.example.com:${server.port}/v1/images/generations`;
    try {
      const res = await fetch(url, { method: "POST", body: "{}", redirect: "follow" });
      expect(res.status).toBe(status);
      expect(res.headers.get("location")).toBe(target);
      await expect(fetch(res.headers.get("location")!)).rejects.toBeInstanceOf(SsrfBlockedError);
      const viaSend = await sendRequest(url, { method: "POST", headers: {}, body: "{}" }, { fetch, sleep: noSleep }).catch((e: unknown) => e);
      expect(viaSend).toBeInstanceOf(RedirectError);
      expect(canary.connections()).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe("HTTPS_PROXY / HTTP_PROXY", () => {
  it("are not used: the guarded connection goes straight to the checked address (documented choice)", async () => {
    const proxy = await startCanary();
    const saved = { ...process.env };
    for (const k of ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"]) process.env[k] = `http://127.0.0.1:${proxy.port}`;
    try {
      const ok = await createGuardedFetch({ policy: OPT_IN })(`${emu.apiBase}/models`, { headers: auth });
      expect(ok.status).toBe(200);
      await expect(createGuardedFetch()(`${emu.apiBase}/models`)).rejects.toMatchObject({ range: "loopback" });
      expect(proxy.connections()).toBe(0);
    } finally {
      process.env = saved;
      await proxy.close();
    }
  });
});

describe("through sendRequest", () => {
  it("a blocked base URL opens no socket and surfaces the SsrfBlockedError at once (no retry)", async () => {
    const delays: number[] = [];
    const sockets = watchClientSockets();
    const error = await sendRequest(`http://127.0.0.1:${canary.port}/v1/images/generations`, { method: "POST", headers: auth, body: "{}" }, {
      fetch: createGuardedFetch(),
      sleep: async (ms) => void delays.push(ms),
    }).catch((e: unknown) => e);
    sockets.stop();
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as SsrfBlockedError).range).toBe("loopback");
    expect(delays).toEqual([]);
    expect(sockets.count()).toBe(0);
    expect(canary.connections()).toBe(0);
  });
});
