import http from "node:http";
import { inspect } from "node:util";
import { startEmulator, type Emulator } from "@genesis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startCanary, watchClientSockets, type Canary } from "./__fixtures__/ssrf-canary.js";
import { createGuardedFetch } from "./guarded-fetch.js";
import { ConnectionError } from "./errors.js";
import { assertUrlAllowed, classifyAddress, guardedLookup, pinnedLookup, resolveTarget, SsrfBlockedError, type LookupAllFn } from "./ssrf-guard.js";

type Answer = { address: string; family: 4 | 6 };
const fam = (address: string): 4 | 6 => (address.includes(":") ? 6 : 4);
/** A DNS stand-in: fixed answers per name (or per call), counting calls. */
function fakeDns(table: Record<string, string[] | string[][]>): LookupAllFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (hostname: string): Promise<Answer[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    const seen = calls.filter((c) => c === hostname).length - 1;
    const list = Array.isArray(entry[0]) ? (entry as string[][])[Math.min(seen, entry.length - 1)]! : (entry as string[]);
    return list.map((address) => ({ address, family: fam(address) }));
  };
  return Object.assign(fn, { calls });
}

let canary: Canary;
let P: number;
beforeAll(async () => {
  canary = await startCanary();
  P = canary.port;
});
afterAll(() => canary.close());

/** Runs `action`, then asserts it was refused with `range` and opened no socket at all. */
async function expectBlocked(action: () => Promise<unknown>, range: string): Promise<SsrfBlockedError> {
  const before = canary.connections();
  const sockets = watchClientSockets();
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  } finally {
    sockets.stop();
  }
  expect(caught).toBeInstanceOf(SsrfBlockedError);
  const error = caught as SsrfBlockedError;
  expect(error.code).toBe("ssrf_blocked");
  expect(error.range).toBe(range);
  expect(error.message).toContain(`(${range})`);
  expect(error.hint).toBeTruthy();
  expect(sockets.count()).toBe(0);
  expect(canary.connections()).toBe(before);
  return error;
}

// Hostnames not listed here are answered by DNS with 127.0.0.1, so a missed block would reach the canary.
const dns = (): LookupAllFn => fakeDns({ "loopback.test": ["127.0.0.1"], "a.localhost": ["127.0.0.1"], localhost: ["127.0.0.1"] });

const BLOCKED: [string, string][] = [
  // 1 loopback / unspecified
  ["http://127.0.0.1:P/", "loopback"], ["http://127.0.0.2:P/", "loopback"], ["http://0.0.0.0:P/", "unspecified"], ["http://0:P/", "unspecified"],
  ["https://127.0.0.1:P/", "loopback"],
  // 2 localhost names (by name, before DNS)
  ["http://localhost:P/", "loopback"], ["http://localhost.:P/", "loopback"], ["http://LOCALHOST:P/", "loopback"], ["http://a.localhost:P/", "loopback"],
  ["http://localhost.localdomain:P/", "loopback"], ["http://printer.local:P/", "internalName"], ["http://db.corp.internal:P/", "internalName"],
  // 3 numeric encodings (the URL parser folds them to 127.0.0.1)
  ["http://2130706433:P/", "loopback"], ["http://0x7f.1:P/", "loopback"], ["http://017700000001:P/", "loopback"], ["http://0177.0.0.1:P/", "loopback"],
  ["http://127.1:P/", "loopback"], ["http://0x7f000001:P/", "loopback"], ["http://１２７.０.０.１:P/", "loopback"], ["http://%31%32%37.0.0.1:P/", "loopback"],
  ["http://127.0.0.1%2e:P/", "loopback"],
  // 4 RFC 1918 boundaries
  ["http://10.0.0.1:P/", "private"], ["http://10.255.255.255:P/", "private"], ["http://172.16.0.1:P/", "private"], ["http://172.31.255.255:P/", "private"],
  ["http://192.168.0.1:P/", "private"], ["http://192.168.255.255:P/", "private"],
  // 5 cloud metadata
  ["http://169.254.169.254/latest/meta-data/", "metadata"], ["http://[fd00:ec2::254]/", "metadata"], ["http://metadata.google.internal/", "metadata"],
  ["http://METADATA.google.internal./computeMetadata/v1/", "metadata"], ["http://169.254.1.1:P/", "linkLocal"],
  // 6 CGNAT
  ["http://100.64.0.1:P/", "carrierGradeNat"], ["http://100.127.255.255:P/", "carrierGradeNat"],
  // 7 IPv6 special ranges
  ["http://[::1]:P/", "loopback"], ["http://[::]:P/", "unspecified"], ["http://[0:0:0:0:0:0:0:1]:P/", "loopback"], ["http://[fe80::1]:P/", "linkLocal"],
  ["http://[fc00::1]:P/", "uniqueLocal"], ["http://[fd12::1]:P/", "uniqueLocal"], ["http://[fec0::1]:P/", "siteLocal"], ["http://[fe80::1%25lo0]:P/", "invalidUrl"],
  // 8 IPv4-mapped
  ["http://[::ffff:127.0.0.1]:P/", "loopback"], ["http://[::ffff:a9fe:a9fe]/", "metadata"], ["http://[::ffff:10.1.2.3]:P/", "private"],
  // 9 other embeddings
  ["http://[::127.0.0.1]:P/", "loopback"], ["http://[::7f00:1]:P/", "loopback"], ["http://[64:ff9b::7f00:1]:P/", "loopback"],
  ["http://[64:ff9b:1::a9fe:a9fe]/", "metadata"], ["http://[2002:7f00:1::]:P/", "loopback"], ["http://[2002:c0a8:101::1]:P/", "private"],
  ["http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:P/", "loopback"], ["http://[2607:f8b0::5efe:7f00:1]:P/", "loopback"], ["http://[fe80::200:5efe:a00:1]:P/", "private"],
  ["http://[fe80::200:5efe:808:808]:P/", "linkLocal"], ["http://[64:ff9b:1:7f00:0:100::]:P/", "loopback"],
  // 2 by resolved address
  ["http://loopback.test:P/", "loopback"],
  // 15 userinfo
  ["http://attacker.com@127.0.0.1:P/", "credentials"], ["http://user:hunter2pass@example.com:P/", "credentials"],
  // 16 schemes
  ["file:///etc/passwd", "scheme"], ["ftp://example.com/x", "scheme"], ["data:text/plain,hi", "scheme"], ["gopher://example.com:70/", "scheme"], ["javascript:alert(1)", "scheme"],
  // odd hosts fail closed
  ["http://exa mple.com/", "invalidUrl"], ["http://foo..bar:P/", "invalidHost"], ["http://-bad-.example:P/", "invalidHost"], ["not a url", "invalidUrl"],
];

describe("blocked targets (canary sees 0 connections, no socket is opened)", () => {
  it.each(BLOCKED)("assertUrlAllowed(%s) → %s", async (url, range) => {
    await expectBlocked(() => assertUrlAllowed(url.replace(":P/", `:${P}/`), { lookup: dns() }), range);
  });
  it.each(BLOCKED)("createGuardedFetch()(%s) → %s", async (url, range) => {
    await expectBlocked(() => createGuardedFetch({ lookup: dns() })(url.replace(":P/", `:${P}/`)), range);
  });
  it("blocks a Request object and a URL object the same way", async () => {
    const fetch = createGuardedFetch();
    await expectBlocked(() => fetch(new Request(`http://127.0.0.1:${P}/v1/images/generations`, { method: "POST", body: "{}" })), "loopback");
    await expectBlocked(() => fetch(new URL(`http://[::ffff:7f00:1]:${P}/`)), "loopback");
  });
  it("refuses ws/wss in fetch (fetch speaks HTTP only) before any DNS query", async () => {
    const lookup = fakeDns({ "api.example.com": ["93.184.215.14"] });
    await expectBlocked(() => createGuardedFetch({ lookup })("wss://api.example.com/v1/realtime"), "scheme");
    expect(lookup.calls).toEqual([]);
  });
  it("ignores agent/dispatcher hints in init: they cannot bypass the guard", async () => {
    const init = { agent: new http.Agent(), dispatcher: {} } as unknown as RequestInit;
    await expectBlocked(() => createGuardedFetch()(`http://127.0.0.1:${P}/`, init), "loopback");
  });
});

describe("allowed public targets", () => {
  it.each([
    "http://172.32.0.1/", "http://11.0.0.1/", "http://100.128.0.1/", "http://8.8.8.8/", "https://[2001:4860:4860::8888]/",
    "http://[::ffff:808:808]/", "http://[64:ff9b::808:808]/", "http://[64:ff9b:1::808:808]/", "http://[::808:808]/", "http://[2002:808:808::1]/", "http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/",
    "http://[2607:f8b0::5efe:808:808]/", "https://api.openai.com/v1", "wss://api.openai.com/v1/realtime?model=gpt-realtime", "ws://api.openai.com/x",
  ])("%s passes", async (url) => {
    const lookup = fakeDns({ "api.openai.com": ["162.159.140.245", "2606:4700::6812:1"] });
    await expect(assertUrlAllowed(url, { lookup })).resolves.toBeUndefined();
    expect(lookup.calls.length).toBeLessThanOrEqual(1);
  });
  it("does not query DNS for IP literals", async () => {
    const lookup = fakeDns({});
    await assertUrlAllowed("http://8.8.8.8/", { lookup });
    expect(lookup.calls).toEqual([]);
  });
});

describe("DNS answers (every address, every family)", () => {
  it.each([
    [["93.184.215.14", "10.0.0.5"], "private"],
    [["10.0.0.5", "93.184.215.14"], "private"],
    [["93.184.215.14", "::1"], "loopback"],
    [["2606:2800:220:1::1", "fe80::1"], "linkLocal"],
    [["93.184.215.14", "::ffff:169.254.169.254"], "metadata"],
    [["93.184.215.14", "0x7f.1"], "invalid"],
    [["fe80::1%eth0"], "invalid"],
  ])("answers %j → %s, naming the address on the error only", async (answers, range) => {
    const error = await expectBlocked(() => assertUrlAllowed("https://multi.example.com/v1?key=abc", { lookup: fakeDns({ "multi.example.com": answers }) }), range);
    expect(error.host).toBe("multi.example.com");
    expect(answers).toContain(error.address);
    expect(error.message).toBe(`Blocked request to https://multi.example.com: it resolves to a ${range} address (${range}).`);
  });
  it("a DNS failure or empty answer is a ConnectionError, not a pass", async () => {
    await expect(assertUrlAllowed("https://nx.example.com/", { lookup: fakeDns({}) })).rejects.toBeInstanceOf(ConnectionError);
    await expect(assertUrlAllowed("https://empty.example.com/", { lookup: async () => [] })).rejects.toMatchObject({ code: "connection_failed" });
  });
  it("uses the system resolver by default (localhost resolves to loopback and is refused by name first)", async () => {
    await expectBlocked(() => assertUrlAllowed(`http://localhost:${P}/`), "loopback");
  });
});

describe("pinning (DNS rebinding)", () => {
  it("resolves once and pins the checked answers, whatever DNS says afterwards", async () => {
    const lookup = fakeDns({ "rebind.example.com": [["93.184.215.14"], ["127.0.0.1"]] });
    const target = await resolveTarget("https://rebind.example.com/", { lookup });
    expect(target.addresses).toEqual([{ address: "93.184.215.14", family: 4 }]);
    const pinned = pinnedLookup(target.addresses);
    const one = await new Promise<unknown[]>((r) => pinned("rebind.example.com", {}, (...a: unknown[]) => r(a)));
    const all = await new Promise<unknown[]>((r) => pinned("rebind.example.com", { all: true }, (...a: unknown[]) => r(a)));
    expect(one).toEqual([null, "93.184.215.14", 4]);
    expect(all).toEqual([null, [{ address: "93.184.215.14", family: 4 }]]);
    expect(lookup.calls).toEqual(["rebind.example.com"]);
    // The second, rebound answer is refused when it is looked up again.
    await expectBlocked(() => assertUrlAllowed("https://rebind.example.com/", { lookup }), "loopback");
  });
  it("orders IPv4 answers first", async () => {
    const target = await resolveTarget("https://dual.example.com/", { lookup: fakeDns({ "dual.example.com": ["2606:2800:220:1::1", "93.184.215.14"] }) });
    expect(target.addresses.map((a) => a.family)).toEqual([4, 6]);
  });
});

describe("guardedLookup (for ws / http.request)", () => {
  const call = (fn: ReturnType<typeof guardedLookup>, host: string, opts: object): Promise<unknown[]> =>
    new Promise((resolve) => fn(host, opts, (...args: unknown[]) => resolve(args)));

  it("answers with the checked addresses in both callback shapes, and filters by family", async () => {
    const fn = guardedLookup({ lookup: fakeDns({ "api.example.com": ["93.184.215.14", "2606:2800:220:1::1"] }) });
    expect(await call(fn, "api.example.com", {})).toEqual([null, "93.184.215.14", 4]);
    expect(await call(fn, "api.example.com", { all: true })).toEqual([null, [{ address: "93.184.215.14", family: 4 }, { address: "2606:2800:220:1::1", family: 6 }]]);
    expect(await call(fn, "api.example.com", { family: 6 })).toEqual([null, "2606:2800:220:1::1", 6]);
  });
  it("hands SsrfBlockedError to the callback for a private answer or a blocked name", async () => {
    const fn = guardedLookup({ lookup: fakeDns({ "lan.example.com": ["93.184.215.14", "192.168.1.20"] }) });
    const [err] = await call(fn, "lan.example.com", { all: true });
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect((err as SsrfBlockedError).range).toBe("private");
    const [err2] = await call(fn, "metadata.google.internal", {});
    expect((err2 as SsrfBlockedError).range).toBe("metadata");
  });
  it("checks IP literals it is handed directly, without DNS", async () => {
    const lookup = fakeDns({});
    const fn = guardedLookup({ lookup });
    expect(await call(fn, "8.8.8.8", {})).toEqual([null, "8.8.8.8", 4]);
    const [err] = await call(fn, "[::ffff:7f00:1]", { all: true });
    expect((err as SsrfBlockedError).range).toBe("loopback");
    expect(lookup.calls).toEqual([]);
  });
  it("refuses raw numeric host spellings handed to it by http.request (no DNS query)", async () => {
    const lookup = fakeDns({});
    const fn = guardedLookup({ lookup });
    for (const host of ["0x7f.1", "2130706433", "127.1", "0177.0.0.1", "10.0x1"]) {
      const [err] = await call(fn, host, {});
      expect((err as SsrfBlockedError).range).toBe("invalidHost");
    }
    expect(lookup.calls).toEqual([]);
    expect(await call(guardedLookup({ lookup: fakeDns({ "0x.org": ["93.184.215.14"] }) }), "0x.org", {})).toEqual([null, "93.184.215.14", 4]);
  });
  it("http.request with guardedLookup never connects to a hostname resolving to loopback", async () => {
    const sockets = watchClientSockets();
    const before = canary.connections();
    const error = await new Promise<unknown>((resolve) => {
      const req = http.request({ host: "svc.example.com", port: P, lookup: guardedLookup({ lookup: fakeDns({ "svc.example.com": ["127.0.0.1"] }) }) as never });
      req.on("error", resolve).end();
    });
    sockets.stop();
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect(canary.connections()).toBe(before);
  });
});

describe("WebSocket endpoints share the guard", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it("ws:// literal loopback is refused by assertUrlAllowed; a hostname resolving to loopback fails in ws via guardedLookup", async () => {
    await expectBlocked(() => assertUrlAllowed(`ws://127.0.0.1:${P}/v1/realtime`), "loopback");
    const before = canary.connections();
    const error = await new Promise<unknown>((resolve) => {
      const ws = new WebSocket(`ws://realtime.example.com:${P}/v1/realtime`, { lookup: guardedLookup({ lookup: fakeDns({ "realtime.example.com": ["10.0.0.5", "127.0.0.1"] }) }) as never });
      ws.on("error", resolve);
    });
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as SsrfBlockedError).range).toBe("private");
    expect(canary.connections()).toBe(before);
  });

  it("with the opt-in, a guarded ws connects to the emulator through the pinned address", async () => {
    const url = emu.wsUrl("/v1/responses").replace("127.0.0.1", "lan-emulator.example.com");
    const policy = { dangerouslyAllowPrivateNetwork: true };
    await assertUrlAllowed(url, { policy, lookup: fakeDns({ "lan-emulator.example.com": ["127.0.0.1"] }) });
    // The connect-time lookup checks and answers in one step: the socket uses what was checked.
    const lookup = fakeDns({ "lan-emulator.example.com": ["127.0.0.1"] });
    const ws = new WebSocket(url, { headers: { authorization: "Bearer sk-test-key" }, lookup: guardedLookup({ policy, lookup }) as never });
    await new Promise<void>((resolve, reject) => ws.on("open", () => resolve()).on("error", reject));
    ws.close();
    expect(lookup.calls).toEqual(["lan-emulator.example.com"]);
    const recorded = emu.requests.filter((r) => r.transport === "websocket").at(-1);
    expect(recorded?.path).toBe("/v1/responses");
    expect(recorded?.headers.host).toBe(`lan-emulator.example.com:${emu.port}`);
  });
});

describe("error text never carries secrets", () => {
  it("credentials, path and query stay out of message, inspect and JSON", async () => {
    const url = "https://svc-user:sk-proj-SECRETSECRET123456@api.example.com:8443/v1/images?api_key=sk-abcdefghijklmnop#frag";
    const error = await expectBlocked(() => assertUrlAllowed(url), "credentials");
    expect(error.message).toBe("Blocked request to https://api.example.com:8443: credentials in the URL (credentials).");
    for (const text of [error.message, inspect(error), JSON.stringify(error), String(error.hint), error.stack ?? ""]) {
      expect(text).not.toMatch(/SECRET|svc-user|sk-abc|api_key|\/v1\/images|frag/);
    }
    const fetchError = await expectBlocked(() => createGuardedFetch()(url), "credentials");
    expect(inspect(fetchError)).not.toMatch(/SECRET|svc-user/);
  });
  it("a private target's message has origin and range only", async () => {
    const error = await expectBlocked(() => assertUrlAllowed("http://10.1.2.3:9000/admin?token=tok-123456789"), "private");
    expect(error.message).toBe("Blocked request to http://10.1.2.3:9000: private target (private).");
    expect(error.origin).toBe("http://10.1.2.3:9000");
    expect(error.host).toBe("10.1.2.3");
    expect(error.hint).toContain("dangerouslyAllowPrivateNetwork");
  });
  it("an unsupported scheme names the scheme only", async () => {
    const error = await expectBlocked(() => assertUrlAllowed("ftp://u:sk-secret-value-1234@files.example.com/pub?token=t"), "scheme");
    expect(error.message).toBe('Blocked request: unsupported URL scheme "ftp:" (scheme).');
    expect(error.origin).toBe("ftp://files.example.com");
    expect((await expectBlocked(() => assertUrlAllowed("file:///etc/passwd"), "scheme")).message).toContain('"file:"');
  });
  it("an unparsable URL is not echoed back", async () => {
    const error = await expectBlocked(() => assertUrlAllowed("http://u:sk-secret-value-1234@[fe80::1%25lo0]/"), "invalidUrl");
    expect(error.message).not.toContain("sk-secret");
  });
});

describe("classifyAddress (public re-export)", () => {
  it("names the range of IP literals and fails closed on anything else", () => {
    expect(classifyAddress("127.0.0.1")).toBe("loopback");
    expect(classifyAddress("[::ffff:7f00:1]")).toBe("loopback");
    expect(classifyAddress("8.8.8.8")).toBe("unicast");
    expect(classifyAddress("example.com")).toBe("invalid");
  });
});
