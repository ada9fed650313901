import { describe, expect, it } from "vitest";
import { base64url, base64urlDecode, decodeJwt, signJwt, verifyJwt } from "./_jwt.js";

describe("jwt helpers", () => {
  it("encodes base64url without padding and decodes it back", () => {
    expect(base64url(Buffer.from([0xfb, 0xff]))).toBe("-_8");
    expect([...base64urlDecode("-_8")]).toEqual([0xfb, 0xff]);
  });

  it("signs HS256, verifies, and detects tampering", () => {
    const t = signJwt({ sub: "u1", n: 1 }, { secret: "s3cret" });
    expect(decodeJwt(t)).toMatchObject({ header: { alg: "HS256", typ: "JWT" }, payload: { sub: "u1", n: 1 } });
    expect(verifyJwt(t, "s3cret")?.payload["sub"]).toBe("u1");
    expect(verifyJwt(t, "other")).toBeUndefined();
    const [h, , s] = t.split(".");
    expect(verifyJwt(`${h}.${base64url(JSON.stringify({ sub: "admin", n: 1 }))}.${s}`, "s3cret")).toBeUndefined();
  });

  it("makes unsigned tokens and refuses malformed input", () => {
    const t = signJwt({ a: 1 });
    expect(t.endsWith(".")).toBe(true);
    expect(decodeJwt(t)?.header["alg"]).toBe("none");
    expect(verifyJwt(t, "k")).toBeUndefined();
    expect(decodeJwt("a.b")).toBeUndefined();
    expect(decodeJwt("!!.??.x")).toBeUndefined();
  });
});
