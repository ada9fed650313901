import { describe, expect, it } from "vitest";
import { checkAuthFile } from "./_auth-file-check.js";

const apiKey = { kind: "api_key", provider: "openai", key: "sk-x", createdAt: 1 };
const oauth = { kind: "oauth", provider: "openai-codex", access: "a", refresh: "r", accountId: "acct", expiresAt: 2, updatedAt: 1 };

describe("checkAuthFile", () => {
  it("accepts both profile kinds, with and without optional fields", () => {
    const file = { version: 1, profiles: { openai: apiKey, "openai-codex": { ...oauth, idToken: "i", email: "e", planType: "plus" } } };
    expect(checkAuthFile(file)).toEqual({ ok: true, file });
    expect(checkAuthFile({ version: 1, profiles: { "openai-codex": oauth } }).ok).toBe(true);
  });

  it.each([
    [null, "the top level"],
    [[], "the top level"],
    [{ version: 2, profiles: {} }, "version"],
    [{ version: 1 }, "profiles"],
    [{ version: 1, profiles: [] }, "profiles"],
    [{ version: 1, profiles: {}, extra: 1 }, "extra"],
    [{ version: 1, profiles: { openai: "sk-x" } }, "profiles.openai"],
    [{ version: 1, profiles: { openai: { ...apiKey, kind: "password" } } }, "profiles.openai.kind"],
    [{ version: 1, profiles: { openai: { ...apiKey, key: "" } } }, "profiles.openai.key"],
    [{ version: 1, profiles: { openai: { ...apiKey, createdAt: "now" } } }, "profiles.openai.createdAt"],
    [{ version: 1, profiles: { openai: { ...apiKey, note: "x" } } }, "profiles.openai.note"],
    [{ version: 1, profiles: { x: { ...oauth, provider: "openai" } } }, "profiles.x.provider"],
    [{ version: 1, profiles: { x: { ...oauth, refresh: 5 } } }, "profiles.x.refresh"],
    [{ version: 1, profiles: { x: { ...oauth, email: 5 } } }, "profiles.x.email"],
    [{ version: 1, profiles: { x: { ...oauth, expiresAt: Number.NaN } } }, "profiles.x.expiresAt"],
  ])("rejects %j at %s", (raw, where) => {
    expect(checkAuthFile(raw)).toEqual({ ok: false, where });
  });
});
