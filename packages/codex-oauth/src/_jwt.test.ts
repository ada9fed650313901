import { describe, expect, it } from "vitest";
import { decodeJwtPayload, readTokenClaims } from "./_jwt.js";
import { fakeJwt } from "./__fixtures__/oauth-peer.js";

describe("JWT claims", () => {
  it("reads account id, plan, email and exp (ms)", () => {
    const token = fakeJwt({ accountId: "acct_1", plan: "pro", exp: 2_000_000_000, email: "a@b.c" });
    expect(readTokenClaims(token)).toEqual({ accountId: "acct_1", planType: "pro", expiresAt: 2_000_000_000_000, email: "a@b.c" });
  });

  it("decodes base64url payloads that plain atob would mangle (- and _)", () => {
    // "??>" encodes to "Pz8-" in base64url ("Pz8+" in base64): pick a payload that produces - and _.
    const payload = { s: "??>>??~~~", "https://api.openai.com/auth": { chatgpt_account_id: "ä-ö_ü" } };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    expect(body).toMatch(/[-_]/);
    expect(readTokenClaims(`x.${body}.y`)?.accountId).toBe("ä-ö_ü");
  });

  it("rejects malformed tokens", () => {
    const good = Buffer.from("{}").toString("base64url");
    expect(decodeJwtPayload("abc")).toBeUndefined();
    expect(decodeJwtPayload("a.b")).toBeUndefined();
    expect(decodeJwtPayload("a.!!!.c")).toBeUndefined();
    expect(decodeJwtPayload(`a.${Buffer.from("[1]").toString("base64url")}.c`)).toBeUndefined();
    expect(decodeJwtPayload(`a.${Buffer.from("not json").toString("base64url")}.c`)).toBeUndefined();
    expect(decodeJwtPayload(`a.${Buffer.from('{"a":1}').toString("base64")}.c`)).toBeDefined();
    expect(decodeJwtPayload(`a.${good}.c`)).toEqual({});
    expect(readTokenClaims(`a.${good}.c`)).toEqual({ accountId: undefined, planType: undefined, expiresAt: undefined, email: undefined });
  });
});
