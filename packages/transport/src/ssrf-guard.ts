import { promises as dns } from "node:dns";
import { classifyIp, ipFamily, UNICAST } from "./_ip-ranges.js";
import { ConnectionError, TransportError } from "./errors.js";

/**
 * Which targets a user-configured URL (a custom `baseUrl`, image or realtime endpoint) may
 * reach. The default (`{}`) is strict: only public unicast addresses.
 */
export interface SsrfPolicy {
  /**
   * Allow private/LAN/loopback/link-local/CGNAT targets and the `localhost`/`.local`/`.internal`
   * names. Default false. Cloud metadata addresses (169.254.169.254, fd00:ec2::254,
   * metadata.google.internal) stay blocked even then; list them in `allowedHostnames` to reach them.
   */
  dangerouslyAllowPrivateNetwork?: boolean;
  /**
   * Exact hostnames or IP literals (lower-case, no port; a trailing dot and IPv6 brackets are
   * ignored) that skip the private-address check. No wildcards. Scheme and credential checks still apply.
   */
  allowedHostnames?: readonly string[];
}

/** Resolves every address of a hostname. Default: `dns.promises.lookup(host, { all: true })`. */
export type LookupAllFn = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

/** Options shared by the guard functions. */
export interface SsrfGuardOptions {
  /** Default `{}` (strict). */
  policy?: SsrfPolicy;
  /** Injectable DNS; default {@link defaultLookupAll}. */
  lookup?: LookupAllFn;
}

/** Fields of an {@link SsrfBlockedError}. */
export interface SsrfBlockedFields {
  /** The hostname as parsed (brackets stripped), never userinfo. Empty when the URL did not parse. */
  host: string;
  /** Why: an address class ("loopback", "private", "linkLocal", "metadata", ...), "scheme", "credentials", "invalidUrl", "invalidHost", "internalName". */
  range: string;
  /** `scheme://host:port` only: no userinfo, path or query. */
  origin?: string;
  /** The resolved address that was refused, when the block came from DNS. */
  address?: string;
}

const HINTS: Record<string, string> = {
  scheme: "Use an http(s) URL (ws/wss for WebSocket endpoints).",
  credentials: "Remove user:pass@ from the URL; credentials belong in the API key or headers.",
  invalidUrl: "Use an absolute http(s) URL with a plain hostname or IP (IPv6 zone ids like %25eth0 are not accepted).",
  invalidHost: "Use a plain DNS hostname or a canonical IP address.",
  invalid: "The address could not be parsed as a canonical IP; it is refused to be safe.",
  metadata:
    "Cloud metadata endpoints stay blocked even with dangerouslyAllowPrivateNetwork; list the exact host in allowedHostnames only if you really mean it.",
};
const PRIVATE_HINT =
  "Private, loopback and link-local targets are blocked. For a trusted LAN endpoint set browser.ssrfPolicy.dangerouslyAllowPrivateNetwork: true, or list the exact host in allowedHostnames.";

/**
 * A URL or resolved address was refused by the SSRF guard. `code` is `ssrf_blocked`; the
 * message names only the origin and the range, never userinfo, path or query.
 */
export class SsrfBlockedError extends TransportError {
  readonly host: string;
  readonly range: string;
  readonly origin: string | undefined;
  readonly address: string | undefined;
  constructor(fields: SsrfBlockedFields) {
    const target = fields.origin ?? (fields.host || "the URL");
    const what =
      fields.range === "scheme" ? "unsupported URL scheme"
      : fields.range === "credentials" ? "credentials in the URL"
      : fields.range === "invalidUrl" ? "the URL could not be parsed"
      : fields.address !== undefined ? `it resolves to a ${fields.range} address`
      : `${fields.range} target`;
    const scheme = fields.range === "scheme" ? /^[^:]*:/.exec(fields.origin ?? "")?.[0] : undefined;
    const message =
      scheme !== undefined ? `Blocked request: unsupported URL scheme "${scheme}" (scheme).` : `Blocked request to ${target}: ${what} (${fields.range}).`;
    super("ssrf_blocked", message, {
      hint: HINTS[fields.range] ?? PRIVATE_HINT,
    });
    this.host = fields.host;
    this.range = fields.range;
    this.origin = fields.origin;
    this.address = fields.address;
  }
}

/**
 * Classify an IP literal: "unicast" (allowed) or a blocked range name ("loopback", "private",
 * "linkLocal", "metadata", "carrierGradeNat", "uniqueLocal", "unspecified", "multicast",
 * "reserved", ...). IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4, Teredo, ISATAP) is
 * classified by the IPv4 address. Non-canonical or unparsable text is "invalid" (fail closed).
 */
export function classifyAddress(ip: string): string {
  return classifyIp(ip);
}

/** `dns.promises.lookup(hostname, { all: true, verbatim: true })`. */
export const defaultLookupAll: LookupAllFn = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

const ALLOWED_SCHEMES = new Set(["http:", "https:", "ws:", "wss:"]);
const LOCALHOST_NAMES = new Set(["localhost", "localhost.localdomain"]);

const normalizeHost = (host: string): string => {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.endsWith(".") ? h.slice(0, -1) : h;
};

/** Why a hostname (not an IP) is refused by name, or undefined. */
function blockedName(name: string): string | undefined {
  if (LOCALHOST_NAMES.has(name) || name.endsWith(".localhost")) return "loopback";
  if (name === "metadata.google.internal" || name === "metadata") return "metadata";
  if (name.endsWith(".local") || name.endsWith(".internal")) return "internalName";
  return undefined;
}

interface HostVerdict {
  /** Lower-case host without brackets or trailing dot. */
  name: string;
  /** Set when the host is an IP literal. */
  family: 0 | 4 | 6;
  allowlisted: boolean;
}

function permits(range: string, verdict: HostVerdict, policy: SsrfPolicy): boolean {
  if (range === UNICAST) return true;
  if (range === "invalid" || range === "invalidHost") return false;
  if (verdict.allowlisted) return true;
  return policy.dangerouslyAllowPrivateNetwork === true && range !== "metadata";
}

/** Check a hostname (brackets allowed) before any DNS lookup. Throws on a refused literal or name. */
function checkHost(rawHost: string, policy: SsrfPolicy, origin?: string): HostVerdict {
  const name = normalizeHost(rawHost);
  const allowlisted = (policy.allowedHostnames ?? []).some((h) => normalizeHost(h) === name);
  const family = ipFamily(name);
  const verdict: HostVerdict = { name, family, allowlisted };
  if (family !== 0) {
    const range = classifyIp(name);
    if (!permits(range, verdict, policy)) throw new SsrfBlockedError({ host: name, range, origin });
    return verdict;
  }
  // Anything the URL parser left that is not a plain DNS name (or looks numeric) is refused:
  // resolvers disagree on such forms, so they are never worth the risk.
  // A last label that is numeric or hex makes resolvers read the whole name as an IPv4
  // (`0x7f.1`, `127.1`); the URL parser already folded real ones, so these only come raw.
  const lastLabel = name.slice(name.lastIndexOf(".") + 1);
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name) || /^(0x[0-9a-f]*|[0-9]+)$/.test(lastLabel)) {
    throw new SsrfBlockedError({ host: name, range: "invalidHost", origin });
  }
  const byName = blockedName(name);
  if (byName !== undefined && !permits(byName, verdict, policy)) throw new SsrfBlockedError({ host: name, range: byName, origin });
  return verdict;
}

/** A checked target: the parsed URL and every address it may connect to (IPv4 first). */
export interface ResolvedTarget {
  url: URL;
  /** Hostname without brackets (what TLS SNI and the Host header use). */
  hostname: string;
  addresses: { address: string; family: 4 | 6 }[];
}

async function resolveChecked(
  verdict: HostVerdict,
  policy: SsrfPolicy,
  lookup: LookupAllFn,
  origin?: string,
): Promise<{ address: string; family: 4 | 6 }[]> {
  if (verdict.family !== 0) return [{ address: verdict.name, family: verdict.family }];
  let answers: { address: string; family: 4 | 6 }[];
  try {
    answers = await lookup(verdict.name);
  } catch (error) {
    throw new ConnectionError(`Could not resolve ${origin ?? verdict.name}.`, { cause: error, hint: "Check the hostname and your DNS." });
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new ConnectionError(`DNS returned no address for ${origin ?? verdict.name}.`, { hint: "Check the hostname and your DNS." });
  }
  // Every answer is checked, not just the first: the socket layer may try any of them.
  for (const answer of answers) {
    const range = typeof answer?.address === "string" ? classifyIp(answer.address) : "invalid";
    if (!permits(range, verdict, policy)) {
      throw new SsrfBlockedError({ host: verdict.name, range, origin, address: String(answer?.address) });
    }
  }
  return answers
    .map((a) => ({ address: a.address, family: ipFamily(a.address) === 6 ? (6 as const) : (4 as const) }))
    .sort((a, b) => a.family - b.family);
}

/**
 * Parse and check a URL, resolve it once and check every address. The returned addresses are
 * the only ones a guarded connection may use (pinning closes the DNS-rebinding window).
 * `schemes` narrows the accepted protocols (checked before any DNS query).
 */
export async function resolveTarget(
  url: string | URL,
  options: SsrfGuardOptions = {},
  schemes: ReadonlySet<string> = ALLOWED_SCHEMES,
): Promise<ResolvedTarget> {
  const policy = options.policy ?? {};
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new SsrfBlockedError({ host: "", range: "invalidUrl" });
  }
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (!schemes.has(parsed.protocol)) {
    const at = parsed.host === "" ? parsed.protocol : `${parsed.protocol}//${parsed.host}`;
    throw new SsrfBlockedError({ host: normalizeHost(parsed.hostname), range: "scheme", origin: at });
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new SsrfBlockedError({ host: normalizeHost(parsed.hostname), range: "credentials", origin });
  }
  const verdict = checkHost(parsed.hostname, policy, origin);
  const addresses = await resolveChecked(verdict, policy, options.lookup ?? defaultLookupAll, origin);
  const hostname = parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return { url: parsed, hostname, addresses };
}

/**
 * Throws {@link SsrfBlockedError} unless `url` uses http/https/ws/wss, carries no
 * credentials, and its host and every resolved address are allowed by `policy`.
 * DNS failures are a `ConnectionError`. Use it to validate a base URL at config time; use
 * {@link createGuardedFetch} / {@link guardedLookup} for the connection itself.
 */
export async function assertUrlAllowed(url: string | URL, options: SsrfGuardOptions = {}): Promise<void> {
  await resolveTarget(url, options);
}

type LookupCallback = (...args: any[]) => void;

/**
 * A `net`-style `lookup` for `ws` / `http.request` / `tls.connect` that applies the guard at
 * connect time: it resolves once, checks every address and hands exactly those to the socket.
 * Node does not call `lookup` for IP-literal hosts, so call {@link assertUrlAllowed} on the
 * URL first (it checks literals). Errors reach the callback as {@link SsrfBlockedError}.
 */
export function guardedLookup(options: SsrfGuardOptions = {}): (hostname: string, opts: object, cb: LookupCallback) => void {
  const policy = options.policy ?? {};
  const lookup = options.lookup ?? defaultLookupAll;
  return (hostname, opts, cb) => {
    const callback = typeof opts === "function" ? (opts as LookupCallback) : cb;
    const o = (typeof opts === "object" && opts !== null ? opts : {}) as { all?: boolean; family?: number | string };
    const run = async (): Promise<{ address: string; family: 4 | 6 }[]> => {
      const verdict = checkHost(hostname, policy);
      const addresses = await resolveChecked(verdict, policy, lookup);
      const family = o.family === "IPv4" ? 4 : o.family === "IPv6" ? 6 : o.family;
      const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
      if (wanted.length === 0) {
        throw Object.assign(new Error(`No IPv${family} address for ${verdict.name}`), { code: "ENOTFOUND", hostname });
      }
      return wanted;
    };
    run().then(
      (addresses) => (o.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (error: unknown) => callback(error),
    );
  };
}

/** A lookup that always answers with already-checked addresses (no second DNS query). */
export function pinnedLookup(addresses: readonly { address: string; family: 4 | 6 }[]): (hostname: string, opts: object, cb: LookupCallback) => void {
  return (_hostname, opts, cb) => {
    const callback = typeof opts === "function" ? (opts as LookupCallback) : cb;
    const o = (typeof opts === "object" && opts !== null ? opts : {}) as { all?: boolean; family?: number };
    const wanted = o.family === 4 || o.family === 6 ? addresses.filter((a) => a.family === o.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    queueMicrotask(() => (o.all ? callback(null, list.map((a) => ({ ...a }))) : callback(null, list[0]!.address, list[0]!.family)));
  };
}
