/**
 * IP literal parsing and range classification for the SSRF guard. Parsing is strict on
 * purpose: only canonical dotted-decimal IPv4 and RFC 4291 IPv6 text are accepted, so any
 * form a resolver or URL parser could read differently fails closed as "invalid".
 */

/** The class name for addresses that may be contacted. */
export const UNICAST = "unicast";

/** Parse canonical dotted-decimal IPv4 (`a.b.c.d`, no leading zeros) to a 32-bit number. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Parse IPv6 text (brackets optional, `::`, trailing dotted IPv4) to eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  // Zone ids (`fe80::1%lo0`) pick an interface: never a public target, so fail closed.
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return undefined;
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    // A trailing dotted quad is two groups written differently; rewrite it as hex.
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  if (s.includes(".")) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":");
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  if (head === undefined) return undefined;
  if (halves.length === 1) {
    return head.length === 8 ? head : undefined;
  }
  const rest = parseGroups(halves[1]!);
  if (rest === undefined) return undefined;
  const known = head.length + rest.length;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}


/** IPv4 ranges that must not be contacted, most specific first. */
const V4_RANGES: readonly [string, number, string][] = [
  ["169.254.169.254", 32, "metadata"],
  ["100.100.100.200", 32, "metadata"], // Alibaba Cloud metadata (also inside CGNAT)
  ["168.63.129.16", 32, "metadata"], // Azure WireServer: a public address only VMs reach
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrierGradeNat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "linkLocal"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

const V4_TABLE = V4_RANGES.map(([base, bits, name]) => {
  const size = 2 ** (32 - bits);
  return { block: Math.floor(parseIPv4(base)! / size), size, name };
});

/** Classify a 32-bit IPv4 value. */
export function classifyIPv4(ip: number): string {
  for (const { block, size, name } of V4_TABLE) if (Math.floor(ip / size) === block) return name;
  return UNICAST;
}

const v4Of = (hi: number, lo: number): number => hi * 65536 + lo;

/**
 * IPv4 addresses carried inside an IPv6 address by a transition mechanism, each of which a
 * relay or translator may turn into a connection to that IPv4 host.
 */
export function embeddedIPv4(g: readonly number[]): { via: string; v4: number[] } | undefined {
  const zero = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  // ISATAP interface id `[00|01|02|03]00:5efe:a.b.c.d` (u/g bits either way) can sit under any
  // prefix, including the 6to4/Teredo/NAT64 ones below, so it is always an extra candidate.
  const isatap = (g[4]! & 0xfcff) === 0 && g[5] === 0x5efe ? [v4Of(g[6]!, g[7]!)] : [];
  if (zero(0, 5) && g[5] === 0xffff) return { via: "ipv4Mapped", v4: [v4Of(g[6]!, g[7]!)] };
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return { via: "rfc6145", v4: [v4Of(g[6]!, g[7]!)] };
  if (zero(0, 6)) return { via: "ipv4Compatible", v4: [v4Of(g[6]!, g[7]!)] };
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return { via: "nat64", v4: [v4Of(g[6]!, g[7]!)] };
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) {
    // RFC 8215 local-use prefix: the operator picks any RFC 6052 prefix length inside it
    // (/96, or /48, /56, /64 skipping the reserved bits 64-71), so every reading must be safe.
    // A non-/96 reading that lands in 0.0.0.0/8 is dropped: a translator cannot route a packet
    // there, and keeping it would refuse every public /96 address (`64:ff9b:1::808:808`).
    const lo = (x: number): number => x & 0xff;
    const others = [
      v4Of(g[3]!, (lo(g[4]!) << 8) | (g[5]! >> 8)),
      v4Of((lo(g[3]!) << 8) | lo(g[4]!), g[5]!),
      v4Of((lo(g[4]!) << 8) | (g[5]! >> 8), (lo(g[5]!) << 8) | (g[6]! >> 8)),
    ].filter((v4) => v4 >= 2 ** 24);
    return { via: "nat64", v4: [...others, v4Of(g[6]!, g[7]!), ...isatap] };
  }
  if (g[0] === 0x2002) return { via: "6to4", v4: [v4Of(g[1]!, g[2]!), ...isatap] };
  if (g[0] === 0x2001 && g[1] === 0) {
    // Teredo: server in bits 32-63, client address XOR-obfuscated in the last 32 bits.
    return { via: "teredo", v4: [v4Of(g[2]!, g[3]!), v4Of(g[6]! ^ 0xffff, g[7]! ^ 0xffff), ...isatap] };
  }
  if (isatap.length > 0) return { via: "isatap", v4: isatap };
  return undefined;
}

const hasPrefix = (g: readonly number[], prefix: readonly number[], bits: number): boolean => {
  for (let i = 0, left = bits; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((g[i]! & mask) !== (prefix[i]! & mask)) return false;
  }
  return true;
};

/** IPv6 ranges that must not be contacted (checked after the embedded-IPv4 forms). */
const V6_RANGES: readonly [number[], number, string][] = [
  [[0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254], 128, "metadata"], // AWS IMDS over IPv6
  [[0xfe80], 10, "linkLocal"],
  [[0xfec0], 10, "siteLocal"],
  [[0xfc00], 7, "uniqueLocal"],
  [[0xff00], 8, "multicast"],
  [[0x0100, 0, 0, 0], 64, "discard"],
  [[0x2001, 0x0002, 0], 48, "benchmarking"],
  [[0x2001, 0x0010], 28, "orchid"],
  [[0x2001, 0x0020], 28, "orchid2"],
  [[0x2001, 0x0db8], 32, "reserved"],
  [[0x3fff], 20, "reserved"], // RFC 9637 documentation
];

/** Classify eight IPv6 groups. */
export function classifyIPv6(g: readonly number[]): string {
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  const embedded = embeddedIPv4(g);
  if (embedded) {
    for (const v4 of embedded.v4) {
      const inner = classifyIPv4(v4);
      if (inner !== UNICAST) return inner;
    }
    // ISATAP rides under an arbitrary prefix (fe80::, fc00::, ...) that must be judged too;
    // the other forms have fixed prefixes that are public by themselves.
    if (embedded.via !== "isatap") return UNICAST;
  }
  for (const [prefix, bits, name] of V6_RANGES) if (hasPrefix(g, prefix, bits)) return name;
  // Only 2000::/3 is global unicast; everything else is unassigned or special: fail closed.
  if ((g[0]! & 0xe000) !== 0x2000) return "reserved";
  return UNICAST;
}

/**
 * Classify an IP literal (IPv4 dotted decimal, or IPv6 with or without brackets).
 * Returns {@link UNICAST} or a blocked range name; anything unparsable is "invalid".
 */
export function classifyIp(ip: string): string {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(ip);
  if (v6 !== undefined) return classifyIPv6(v6);
  return "invalid";
}

/** 4 or 6 when `text` is a canonical IP literal, otherwise 0. */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (parseIPv4(text) !== undefined) return 4;
  if (parseIPv6(text) !== undefined) return 6;
  return 0;
}
