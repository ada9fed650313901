import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyIp, classifyIPv4, parseIPv4, parseIPv6 } from "./_ip-ranges.js";

describe("parseIPv4 / parseIPv6", () => {
  it.each([
    ["127.0.0.1", 0x7f000001],
    ["0.0.0.0", 0],
    ["255.255.255.255", 0xffffffff],
  ])("parses %s", (text, value) => expect(parseIPv4(text)).toBe(value));

  it.each(["0x7f.1", "127.1", "0177.0.0.1", "2130706433", "127.0.0.01", "256.0.0.1", "1.2.3.4.", " 1.2.3.4", "1.2.3.-4", ""])(
    "rejects the non-canonical IPv4 %j",
    (text) => expect(parseIPv4(text)).toBeUndefined(),
  );

  it.each([
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["[::]", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["::ffff:127.0.0.1", [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ["::127.0.0.1", [0, 0, 0, 0, 0, 0, 0x7f00, 1]],
    ["1:2:3:4:5:6:7:8", [1, 2, 3, 4, 5, 6, 7, 8]],
    ["1::8", [1, 0, 0, 0, 0, 0, 0, 8]],
    ["1:2:3:4:5:6:1.2.3.4", [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
    ["FE80::ABCD", [0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd]],
  ])("parses %s", (text, groups) => expect(parseIPv6(text)).toEqual(groups));

  it.each(["fe80::1%lo0", "fe80::1%25lo0", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "::ffff:127.1", "1:2:3:4:5:6:7", ":1:2", "g::1", "::1.2.3.4:5", "[::1", ""])(
    "rejects the malformed IPv6 %j",
    (text) => expect(parseIPv6(text)).toBeUndefined(),
  );
});

describe("classifyIp", () => {
  it.each([
    // IPv4 boundaries
    ["127.0.0.1", "loopback"], ["127.0.0.2", "loopback"], ["127.255.255.255", "loopback"],
    ["0.0.0.0", "unspecified"], ["0.1.2.3", "unspecified"],
    ["10.0.0.0", "private"], ["10.255.255.255", "private"], ["11.0.0.1", "unicast"], ["9.255.255.255", "unicast"],
    ["172.16.0.0", "private"], ["172.31.255.255", "private"], ["172.15.255.255", "unicast"], ["172.32.0.1", "unicast"],
    ["192.168.0.1", "private"], ["192.168.255.255", "private"], ["192.169.0.1", "unicast"],
    ["169.254.169.254", "metadata"], ["169.254.0.1", "linkLocal"], ["100.100.100.200", "metadata"],
    ["100.64.0.1", "carrierGradeNat"], ["100.127.255.255", "carrierGradeNat"], ["100.128.0.1", "unicast"], ["100.63.255.255", "unicast"],
    ["198.18.0.1", "benchmarking"], ["198.19.255.255", "benchmarking"], ["198.20.0.1", "unicast"],
    ["224.0.0.1", "multicast"], ["239.255.255.255", "multicast"], ["240.0.0.1", "reserved"], ["255.255.255.255", "broadcast"],
    ["192.0.2.1", "reserved"], ["192.0.0.170", "reserved"],
    ["8.8.8.8", "unicast"], ["1.1.1.1", "unicast"], ["93.184.215.14", "unicast"],
    // IPv6 special ranges
    ["::1", "loopback"], ["::", "unspecified"], ["0:0:0:0:0:0:0:1", "loopback"], ["[::1]", "loopback"],
    ["fe80::1", "linkLocal"], ["febf::1", "linkLocal"], ["fc00::1", "uniqueLocal"], ["fd12::1", "uniqueLocal"],
    ["fec0::1", "siteLocal"], ["fd00:ec2::254", "metadata"], ["ff02::1", "multicast"], ["100::1", "discard"],
    ["2001:db8::1", "reserved"], ["2001:2::1", "benchmarking"], ["2001:20::1", "orchid2"], ["4000::1", "reserved"], ["::2:3:4:5:6", "reserved"],
    ["2606:4700:4700::1111", "unicast"], ["2001:4860:4860::8888", "unicast"],
    // IPv4 embedded in IPv6: the IPv4 decides
    ["::ffff:127.0.0.1", "loopback"], ["::ffff:7f00:1", "loopback"], ["::ffff:a9fe:a9fe", "metadata"], ["::ffff:808:808", "unicast"],
    ["::ffff:0:7f00:1", "loopback"], ["::127.0.0.1", "loopback"], ["::7f00:1", "loopback"], ["::a00:5", "private"], ["::808:808", "unicast"],
    ["64:ff9b::7f00:1", "loopback"], ["64:ff9b::a00:1", "private"], ["64:ff9b::808:808", "unicast"],
    ["64:ff9b:1::a9fe:a9fe", "metadata"], ["64:ff9b:1:7f00:1::808:808", "loopback"], ["64:ff9b:1:808:8:800:808:808", "unicast"],
    ["2002:7f00:1::", "loopback"], ["2002:a9fe:a9fe::1", "metadata"], ["2002:808:808::1", "unicast"],
    // Teredo: server 65.54.227.120 (4136:e378), client XOR ffff:ffff
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], ["2001:0:4136:e378:8000:63bf:f5ff:fffa", "private"],
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", "unicast"], ["2001:0:a00:1:8000:63bf:f7f7:f7f7", "private"],
    // ISATAP with any prefix, u/l bit clear or set
    ["2607:f8b0::5efe:7f00:1", "loopback"], ["fe80::200:5efe:a9fe:a9fe", "metadata"], ["2607:f8b0::5efe:808:808", "unicast"],
    ["2607:f8b0::100:5efe:a00:1", "private"], ["2607:f8b0::300:5efe:a00:1", "private"],
    // ISATAP with a public IPv4 still judged by its prefix
    ["fe80::200:5efe:808:808", "linkLocal"], ["fe80::5efe:808:808", "linkLocal"], ["fc00::5efe:808:808", "uniqueLocal"],
    ["ff02::5efe:808:808", "multicast"], ["2001:db8::5efe:808:808", "reserved"], ["4000::5efe:808:808", "reserved"],
    // ISATAP inside 6to4/Teredo/NAT64 prefixes
    ["2002:808:808::5efe:7f00:1", "loopback"], ["2001:0:4136:e378:0:5efe:7f00:1", "loopback"], ["64:ff9b:1::5efe:a00:1", "private"],
    // RFC 8215 local-use NAT64: every RFC 6052 layout (/48, /56, /64, /96)
    ["64:ff9b:1::808:808", "unicast"], ["64:ff9b:1:7f00:0:100::", "loopback"], ["64:ff9b:1:7f:0:1::", "loopback"],
    ["64:ff9b:1:0:7f:0:100:0", "loopback"], ["64:ff9b:1::5", "unspecified"], ["64:ff9b:1:a9:fe:a9fe::", "metadata"],
    ["168.63.129.16", "metadata"],
    // fail closed
    ["fe80::1%eth0", "invalid"], ["0x7f.1", "invalid"], ["127.1", "invalid"], ["localhost", "invalid"], ["", "invalid"], ["1.2.3.4:80", "invalid"],
  ])("%s is %s", (ip, range) => expect(classifyIp(ip)).toBe(range));

  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const hex = (a: number, b: number): string => ((a << 8) | b).toString(16);

  it("classifies every IPv4 embedded via mapped/compat/rfc6145/NAT64/6to4/Teredo/ISATAP the same as the IPv4 itself", () => {
    fc.assert(
      fc.property(v4, ([a, b, c, d]) => {
        const plain = classifyIPv4(((a * 256 + b) * 256 + c) * 256 + d);
        const forms = [
          `::ffff:${a}.${b}.${c}.${d}`,
          `64:ff9b::${hex(a, b)}:${hex(c, d)}`,
          `64:ff9b:1::${hex(a, b)}:${hex(c, d)}`,
          `::ffff:0:${hex(a, b)}:${hex(c, d)}`,
          `2001:0:4136:e378:8000:63bf:${hex(a ^ 0xff, b ^ 0xff)}:${hex(c ^ 0xff, d ^ 0xff)}`,
          `2002:${hex(a, b)}:${hex(c, d)}::1`,
          `2a00:1450::5efe:${a}.${b}.${c}.${d}`,
        ];
        for (const form of forms) expect(classifyIp(form)).toBe(plain);
        // ::/96 compat: except :: and ::1 themselves, which are IPv6 unspecified/loopback.
        if (a + b + c > 0 || d > 1) expect(classifyIp(`::${a}.${b}.${c}.${d}`)).toBe(plain);
      }),
      { numRuns: 2000 },
    );
  });

  it("never classifies arbitrary text as unicast unless it is a canonical IP", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const range = classifyIp(text);
        if (range === "unicast") expect(parseIPv4(text) !== undefined || parseIPv6(text) !== undefined).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
