import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { redactHeaderValue } from "./_recorder.js";
import { startEmulator, type Emulator } from "./index.js";

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe("request recording", () => {
  it("records method, path, query, headers and JSON body with every secret header redacted", async () => {
    await fetch(`${emu.apiBase}/responses?trace=1&x=y`, {
      method: "POST",
      headers: { authorization: "Bearer sk-live-secret-123", "api-key": "azure-secret", cookie: "session=abc", "x-api-key": "other-secret", "content-type": "application/json", "x-custom": "kept" },
      body: JSON.stringify({ model: "gpt-5.4", input: "x" }),
    });
    const [rec] = emu.requests;
    expect(rec).toMatchObject({ id: 0, method: "POST", path: "/v1/responses", query: { trace: "1", x: "y" }, transport: "http", body: { model: "gpt-5.4", input: "x" } });
    expect(rec!.headers).toMatchObject({ authorization: "Bearer [redacted]", "api-key": "[redacted]", cookie: "[redacted]", "x-api-key": "[redacted]", "x-custom": "kept" });
    const dump = JSON.stringify(emu.requests) + inspect(emu.requests, { depth: 9 }) + inspect(emu);
    for (const secret of ["sk-live-secret-123", "azure-secret", "session=abc", "other-secret"]) expect(dump).not.toContain(secret);
    expect(emu.authHeaderOf(0)).toBe("Bearer sk-live-secret-123");
  });

  it("records multipart bodies as fields plus file metadata", async () => {
    const form = new FormData();
    form.append("model", "gpt-image-2");
    form.append("prompt", "a cat");
    form.append("image[]", new Blob([new Uint8Array(10)], { type: "image/png" }), "a.png");
    await fetch(`${emu.apiBase}/images/edits`, { method: "POST", headers: { authorization: "Bearer sk-x" }, body: form });
    expect(emu.requests[0]!.body).toEqual({ fields: { model: "gpt-image-2", prompt: "a cat" }, files: [{ field: "image[]", filename: "a.png", contentType: "image/png", size: 10 }] });
  });

  it("records requests that faults or 404s answer, and reset() forgets them", async () => {
    emu.fault({ kind: "http-status", status: 500 });
    await fetch(`${emu.url}/nowhere`);
    await fetch(`${emu.url}/nowhere`);
    expect(emu.requests.map((r) => r.path)).toEqual(["/nowhere", "/nowhere"]);
    emu.reset();
    expect(emu.requests).toHaveLength(0);
  });

  it("keeps the scheme word of redacted values", () => {
    expect(redactHeaderValue("Basic dXNlcjpwYXNz")).toBe("Basic [redacted]");
    expect(redactHeaderValue("sk-bare")).toBe("[redacted]");
  });
});
