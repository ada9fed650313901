import { describe, expect, it } from "vitest";
import { createPkcePair, createState, pkceChallenge, stateMatches } from "./pkce.js";

describe("PKCE", () => {
  it("matches the RFC 7636 appendix B vector", () => {
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes 86-char unreserved verifiers with an S256 challenge, never plain", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pair = createPkcePair();
      expect(pair.verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      expect(pair.verifier).toHaveLength(86);
      expect(pair.method).toBe("S256");
      expect(pair.challenge).toBe(pkceChallenge(pair.verifier));
      expect(pair.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(pair.verifier);
    }
    expect(seen.size).toBe(50);
  });

  it("uses the injected random source (64 bytes for the verifier, 32 for state)", () => {
    const sizes: number[] = [];
    const random = (n: number) => {
      sizes.push(n);
      return new Uint8Array(n).fill(1);
    };
    createPkcePair(random);
    createState(random);
    expect(sizes).toEqual([64, 32]);
  });

  it("states carry 256 bits, are unique and compare exactly", () => {
    const a = createState();
    const b = createState();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(stateMatches(a, a)).toBe(true);
    expect(stateMatches(a, b)).toBe(false);
    expect(stateMatches(a, a.slice(0, -1))).toBe(false);
    expect(stateMatches(a, `${a}x`)).toBe(false);
    expect(stateMatches(a, null)).toBe(false);
    expect(stateMatches(a, "")).toBe(false);
  });
});
