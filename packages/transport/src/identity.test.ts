import { ValidationError } from "@genesis/core";
import { startEmulator } from "@genesis/testkit";
import { describe, expect, it } from "vitest";
import { BODY, collect, transportFor } from "./__fixtures__/harness.js";
import { MAX_IDENTITY_LENGTH, TurnIdentity, sanitizeIdentity } from "./identity.js";

describe("identity headers", () => {
  it("strips CR/LF and control characters and bounds the length", () => {
    expect(sanitizeIdentity("abc\r\nX-Injected: 1")).toBe("abc__X-Injected: 1");
    expect(sanitizeIdentity("é\u0000z")).toBe("__z");
    expect(sanitizeIdentity("x".repeat(500))).toHaveLength(MAX_IDENTITY_LENGTH);
  });

  it("rejects an empty session id and generates a turn id when none is given", () => {
    expect(() => new TurnIdentity("")).toThrow(ValidationError);
    expect(() => new TurnIdentity("   ")).toThrow(ValidationError);
    const id = new TurnIdentity("s");
    expect(id.turnId).toMatch(/^[0-9a-f-]{36}$/);
    expect([id.nextAttemptHeaders()["x-genesis-attempt"], id.nextAttemptHeaders()["x-genesis-attempt"]]).toEqual(["0", "1"]);
  });

  it("a hostile session id cannot inject a header on the wire", async () => {
    const emu = await startEmulator();
    try {
      const t = transportFor(emu, { mode: "sse" });
      const { error } = await collect(t.stream(BODY, { sessionId: "sess\r\nx-evil: 1", turnId: "t\n1" }));
      expect(error).toBeUndefined();
      const [req] = emu.requests;
      expect(req!.headers["x-evil"]).toBeUndefined();
      expect(req!.headers["session_id"]).toBe("sess__x-evil: 1");
      expect(req!.headers["x-client-request-id"]).toBe("t_1");
    } finally {
      await emu.close();
    }
  });
});
