import { describe, expect, it } from "vitest";
import { maskSecret, redactSecrets } from "./redact.js";

describe("redactSecrets", () => {
  it("removes exact secrets and secret-shaped strings", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const text = `key sk-proj-abcdef123456 token ${jwt} custom=hunter2-canary Authorization: Bearer abc.def-ghi`;
    const out = redactSecrets(text, ["hunter2-canary"]);
    expect(out).not.toContain("sk-proj-abcdef123456");
    expect(out).not.toContain(jwt);
    expect(out).not.toContain("hunter2-canary");
    expect(out).not.toContain("abc.def-ghi");
    expect(out).toContain("Bearer [redacted]");
  });

  it("redacts secret query parameters and URL userinfo but keeps the rest", () => {
    const out = redactSecrets("http://u:p4ss@host/cb?code=abc123&state=xyz789&mode=ok");
    expect(out).toBe("http://[redacted]@host/cb?code=[redacted]&state=[redacted]&mode=ok");
  });
});

describe("maskSecret", () => {
  it("shows only the last four characters", () => {
    expect(maskSecret("sk-test-1234567890abcd")).toBe("sk-…abcd");
    expect(maskSecret("short")).toBe("…");
    expect(maskSecret(undefined)).toBe("(none)");
  });
});
