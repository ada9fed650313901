import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loginWithBrowser, parsePastedAnswer, type AuthorizePrompt } from "./browser-login.js";
import { bindLoopback } from "./_callback-server.js";
import { CodexAuthError } from "./codex-auth-error.js";
import { resolveCodexOAuthSettings } from "./oauth-config.js";
import { fakeJwt, startOAuthPeer } from "./__fixtures__/oauth-peer.js";

let peer: Awaited<ReturnType<typeof startOAuthPeer>>;
const blockers: Server[] = [];
beforeEach(async () => {
  peer = await startOAuthPeer();
});
afterEach(async () => {
  await peer.close();
  await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const access = fakeJwt({ accountId: "acct_b", exp: 2_000_000_000 });
const settings = (over: Record<string, unknown> = {}) =>
  resolveCodexOAuthSettings({ issuer: peer.url, callbackPort: 0, fallbackPorts: [], ...over }, {});

/** Plays the browser: hits our callback with the given query built from the authorize URL. */
async function callback(prompt: AuthorizePrompt, query: (state: string) => Record<string, string>) {
  const state = new URL(prompt.url).searchParams.get("state")!;
  const target = new URL(prompt.redirectUri.replace("localhost", "127.0.0.1"));
  for (const [k, v] of Object.entries(query(state))) target.searchParams.set(k, v);
  const res = await fetch(target);
  return { status: res.status, text: await res.text(), connection: res.headers.get("connection") };
}

async function failure(p: Promise<unknown>): Promise<CodexAuthError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CodexAuthError);
  return error as CodexAuthError;
}

async function busyPort(): Promise<number> {
  const s = createServer();
  blockers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

describe("loginWithBrowser", () => {
  it("builds the authorize URL, binds loopback only, exchanges the code once, ignores a replay", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-1" } });
    const pages: Awaited<ReturnType<typeof callback>>[] = [];
    const creds = await loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async (prompt) => {
        const url = new URL(prompt.url);
        expect(`${url.origin}${url.pathname}`).toBe(`${peer.url}/oauth/authorize`);
        const q = Object.fromEntries(url.searchParams);
        expect(q).toMatchObject({
          response_type: "code", client_id: "app_EMoamEEZ73f0CkXaXp7hrann", redirect_uri: prompt.redirectUri,
          scope: "openid profile email offline_access", code_challenge_method: "S256",
          id_token_add_organizations: "true", codex_cli_simplified_flow: "true", originator: "genesis",
        });
        expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(prompt.redirectUri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
        expect(prompt.callbackListening).toBe(true);
        // Only the loopback interface answers.
        pages.push(await callback(prompt, (state) => ({ code: "the-code-1", state })));
        pages.push(await callback(prompt, (state) => ({ code: "the-code-2", state })).catch(() => ({ status: 0, text: "", connection: null })));
      },
    });
    expect(creds.accountId).toBe("acct_b");
    expect(pages[0]).toMatchObject({ status: 200, connection: "close" });
    expect(pages[1]!.status).not.toBe(200);
    const token = peer.requests.filter((r) => r.path === "/oauth/token");
    expect(token).toHaveLength(1);
    const form = Object.fromEntries(new URLSearchParams(token[0]!.body));
    expect(form.code).toBe("the-code-1");
    expect(form.code_verifier).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it("answers 400 to a wrong state, keeps waiting, and still accepts the right one", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-1" } });
    let wrong: Awaited<ReturnType<typeof callback>> | undefined;
    const creds = await loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async (prompt) => {
        wrong = await callback(prompt, () => ({ code: "forged", state: "not-the-state" }));
        const missing = await callback(prompt, () => ({ code: "forged" }));
        expect(missing.status).toBe(400);
        await callback(prompt, (state) => ({ code: "real", state }));
      },
    });
    expect(wrong).toMatchObject({ status: 400 });
    expect(wrong!.text).toContain("State mismatch");
    expect(creds.refresh).toBe("rt-1");
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body)).code).toBe("real");
  });

  it("fails with oauth_state_mismatch when only wrong states arrive before the timeout", async () => {
    const error = await failure(loginWithBrowser({
      settings: settings(),
      timeoutMs: 1000,
      onAuthorizeUrl: async (prompt) => void (await callback(prompt, () => ({ code: "forged", state: "zzz" }))),
    }));
    expect(error.code).toBe("oauth_state_mismatch");
    expect(peer.requests).toHaveLength(0);
  });

  it("turns access_denied into oauth_denied with the description escaped on the page", async () => {
    let page: Awaited<ReturnType<typeof callback>> | undefined;
    const error = await failure(loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async (prompt) => {
        page = await callback(prompt, (state) => ({ error: "access_denied", error_description: `<script>alert(1)</script>\u001b[31m${"x ".repeat(400)}`, state }));
      },
    }));
    expect(error.code).toBe("oauth_denied");
    expect(error.oauthError).toBe("access_denied");
    expect(page!.status).toBe(400);
    expect(page!.text).not.toContain("<script>");
    expect(page!.text).toContain("&#60;script&#62;");
    // The terminal gets a short, printable version of the issuer's text.
    expect(error.message.length).toBeLessThan(200);
    expect(peer.requests).toHaveLength(0);
  });

  it("fails with oauth_missing_code when the state is right but no code came", async () => {
    const error = await failure(loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async (prompt) => void (await callback(prompt, (state) => ({ state }))),
    }));
    expect(error.code).toBe("oauth_missing_code");
    expect(error.message).toContain("Missing authorization code");
    expect(peer.requests).toHaveLength(0);
  });

  it("times out, closes the server and frees the port", async () => {
    let redirect = "";
    const error = await failure(loginWithBrowser({ settings: settings(), timeoutMs: 200, onAuthorizeUrl: (p) => void (redirect = p.redirectUri) }));
    expect(error.code).toBe("oauth_timeout");
    const port = Number(new URL(redirect).port);
    await expect(fetch(`http://127.0.0.1:${port}/auth/callback`)).rejects.toThrow();
    expect(await accepts("::1", port)).toBe(false);
  });

  it("cleans up on abort (Ctrl-C) and exchanges nothing", async () => {
    const controller = new AbortController();
    let redirect = "";
    const error = await failure(loginWithBrowser({
      settings: settings(), signal: controller.signal,
      onAuthorizeUrl: (p) => {
        redirect = p.redirectUri;
        setTimeout(() => controller.abort(), 20);
      },
    }));
    expect(error.code).toBe("oauth_aborted");
    await expect(fetch(redirect.replace("localhost", "127.0.0.1"))).rejects.toThrow();
    expect(peer.requests).toHaveLength(0);
  });

  it("falls back to the next port when the first is busy, with a matching redirect_uri", async () => {
    const taken = await busyPort();
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt" } });
    let prompt: AuthorizePrompt | undefined;
    await loginWithBrowser({
      settings: settings({ callbackPort: taken, fallbackPorts: [0] }),
      onAuthorizeUrl: async (p) => {
        prompt = p;
        await callback(p, (state) => ({ code: "c", state }));
      },
    });
    expect(Number(new URL(prompt!.redirectUri).port)).not.toBe(taken);
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body)).redirect_uri).toBe(prompt!.redirectUri);
  });

  it("fails with oauth_port_busy when every port is taken", async () => {
    const a = await busyPort();
    const b = await busyPort();
    let called = false;
    const error = await failure(loginWithBrowser({ settings: settings({ callbackPort: a, fallbackPorts: [b] }), onAuthorizeUrl: () => void (called = true) }));
    expect(error.code).toBe("oauth_port_busy");
    expect(error.message).toContain(String(a));
    expect(called).toBe(false);
  });

  it("headless: accepts a pasted redirect URL after rejecting junk and a foreign state", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt" } });
    const input = new PassThrough();
    const notices: string[] = [];
    const creds = await loginWithBrowser({
      settings: settings(), callbackServer: false, manualInput: input, notices: (l) => notices.push(l),
      onAuthorizeUrl: (p) => {
        expect(p.callbackListening).toBe(false);
        const state = new URL(p.url).searchParams.get("state")!;
        input.write("hello?\n");
        input.write(`http://localhost:1455/auth/callback?code=abc&state=other\n`);
        input.write(`http://localhost:1455/auth/callback?code=pasted-code&state=${state}\n`);
      },
    });
    expect(creds.accountId).toBe("acct_b");
    expect(notices).toHaveLength(2);
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body)).code).toBe("pasted-code");
  });

  it("headless: keeps working with paste when the port is busy", async () => {
    const taken = await busyPort();
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt" } });
    const input = new PassThrough();
    await loginWithBrowser({
      settings: settings({ callbackPort: taken }), manualInput: input,
      onAuthorizeUrl: (p) => void input.write("bare-code-12345\n"),
    });
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body)).code).toBe("bare-code-12345");
  });
});

/** Resolves true when a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("callback server binding", () => {
  it("listens on loopback only (127.0.0.1 and ::1), on no other interface", async () => {
    const others = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal).map((i) => i!.address);
    const controller = new AbortController();
    const results: Record<string, boolean> = {};
    await loginWithBrowser({
      settings: settings(), signal: controller.signal,
      onAuthorizeUrl: async (p) => {
        const port = Number(new URL(p.redirectUri).port);
        results["127.0.0.1"] = await accepts("127.0.0.1", port);
        results["::1"] = await accepts("::1", port);
        for (const address of others) results[address] = await accepts(address, port);
        controller.abort();
      },
    }).catch(() => undefined);
    expect(results["127.0.0.1"]).toBe(true);
    expect(results["::1"]).toBe(true);
    for (const [address, ok] of Object.entries(results)) if (address !== "127.0.0.1" && address !== "::1") expect(ok, address).toBe(false);
  });

  it("completes when the browser resolves localhost to ::1", async () => {
    peer.answer("/oauth/token", { status: 200, body: { access_token: access, refresh_token: "rt-v6" } });
    let page = 0;
    const creds = await loginWithBrowser({
      settings: settings(),
      onAuthorizeUrl: async (p) => {
        const state = new URL(p.url).searchParams.get("state")!;
        const target = new URL(p.redirectUri.replace("localhost", "[::1]"));
        target.searchParams.set("code", "code-v6");
        target.searchParams.set("state", state);
        const res = await fetch(target);
        page = res.status;
        await res.text();
      },
    });
    expect(page).toBe(200);
    expect(creds.refresh).toBe("rt-v6");
    expect(Object.fromEntries(new URLSearchParams(peer.requests[0]!.body)).redirect_uri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
  });

  it("treats a port whose ::1 side another program holds as busy, and moves on", async () => {
    const squatter = createServer((_req, res) => res.end("not genesis"));
    blockers.push(squatter);
    await new Promise<void>((r) => squatter.listen(0, "::1", r));
    const taken = (squatter.address() as AddressInfo).port;
    const bound = await bindLoopback([taken, 0], () => undefined);
    try {
      expect(bound.port).not.toBe(taken);
      expect(bound.hosts).toEqual(["127.0.0.1", "::1"]);
      // Nothing of ours was left listening on 127.0.0.1 at the refused port.
      expect(await accepts("127.0.0.1", taken)).toBe(false);
    } finally {
      await bound.close();
    }
    await expect(bindLoopback([taken], () => undefined)).rejects.toMatchObject({ code: "oauth_port_busy" });
  });

  it("carries on with 127.0.0.1 alone where the second loopback address does not exist", async () => {
    // ::2 is never a local address: binding it fails like ::1 does on a host without IPv6.
    const bound = await bindLoopback([0], () => undefined, ["127.0.0.1", "::2"]);
    try {
      expect(bound.hosts).toEqual(["127.0.0.1"]);
      expect(await accepts("127.0.0.1", bound.port)).toBe(true);
    } finally {
      await bound.close();
    }
  });
});

describe("parsePastedAnswer", () => {
  it("understands URLs, query strings, code#state and bare codes", () => {
    expect(Object.fromEntries(parsePastedAnswer("http://localhost:1455/auth/callback?code=a&state=s", "x")!)).toEqual({ code: "a", state: "s" });
    expect(Object.fromEntries(parsePastedAnswer("?code=a&state=s", "x")!)).toEqual({ code: "a", state: "s" });
    expect(Object.fromEntries(parsePastedAnswer("abc#s", "x")!)).toEqual({ code: "abc", state: "s" });
    expect(Object.fromEntries(parsePastedAnswer("  code_12345678 ", "x")!)).toEqual({ code: "code_12345678", state: "x" });
    expect(parsePastedAnswer("", "x")).toBeUndefined();
    expect(parsePastedAnswer("no way", "x")).toBeUndefined();
  });
});
