import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonlSessionStore } from "./jsonl-session-store.js";
import { fitHistory } from "./context-budget.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "genesis-sessions-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("JsonlSessionStore", () => {
  it("creates under $GENESIS_HOME/sessions, records runtime and folds overrides", async () => {
    const store = new JsonlSessionStore({ env: { GENESIS_HOME: dir }, now: () => 1_700_000_000_000 });
    const rec = await store.create({ runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" });
    expect(store.dir).toBe(join(dir, "sessions"));
    expect(rec).toMatchObject({ runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4", createdAt: 1_700_000_000_000, overrides: {} });
    expect((await stat(join(dir, "sessions", `${rec.id}.jsonl`))).mode & 0o777).toBe(0o600);
    expect((await store.setOverride(rec.id, "fastMode", true)).overrides).toEqual({ fastMode: true });
    expect((await store.clearOverride(rec.id, "fastMode")).overrides).toEqual({});
    expect((await store.setCodexThreadId(rec.id, "thr_9")).codexThreadId).toBe("thr_9");
    await store.appendEntries(rec.id, [{ type: "item", at: 1, item: { type: "message", role: "user", content: "hi" } }, { type: "turn", at: 2 }]);
    expect(await store.readEntries(rec.id)).toHaveLength(2);
    expect((await store.list()).map((s) => s.id)).toEqual([rec.id]);
    await store.close();
  });

  it("ignores a torn final line but reports other corruption with a typed error", async () => {
    const store = new JsonlSessionStore({ dir });
    const rec = await store.create({ id: "s1", runtime: "codex", harnessId: "codex-app-server", modelRef: "openai/gpt-5.5" });
    await appendFile(join(dir, "s1.jsonl"), '{"kind":"entries","entr');
    expect((await store.get("s1"))?.runtime).toBe("codex");
    const text = await readFile(join(dir, "s1.jsonl"), "utf8");
    await appendFile(join(dir, "s1.jsonl"), '\n{"kind":"override","key":"x","value":1}\n');
    expect(text.length).toBeGreaterThan(0);
    await expect(store.get(rec.id)).rejects.toMatchObject({ code: "session_corrupt", line: 2 });
  });

  it("two stores (processes) appending to one session both see every entry", async () => {
    const a = new JsonlSessionStore({ dir });
    const b = new JsonlSessionStore({ dir });
    const rec = await a.create({ id: "shared", runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" });
    await a.appendEntries(rec.id, [{ type: "x", at: 1 }]);
    await b.appendEntries(rec.id, [{ type: "y", at: 2 }]);
    await a.appendEntries(rec.id, [{ type: "z", at: 3 }]);
    await b.setOverride(rec.id, "fastMode", true);
    expect((await a.readEntries(rec.id)).map((e) => e.type)).toEqual(["x", "y", "z"]);
    expect((await a.get(rec.id))?.overrides).toEqual({ fastMode: true });
    expect((await b.readEntries(rec.id)).map((e) => e.type)).toEqual(["x", "y", "z"]);
    await a.close();
    await b.close();
  });

  it("rejects bad ids, duplicates and unknown sessions with typed errors", async () => {
    const store = new JsonlSessionStore({ dir });
    await expect(store.create({ id: "../evil", runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" })).rejects.toMatchObject({ code: "invalid_argument" });
    await store.create({ id: "dup", runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" });
    await expect(store.create({ id: "dup", runtime: "pi", harnessId: "pi", modelRef: "openai/gpt-5.4" })).rejects.toMatchObject({ code: "session_exists" });
    await expect(store.readEntries("missing")).rejects.toMatchObject({ code: "session_not_found" });
    expect(await store.get("missing")).toBeUndefined();
  });
});

describe("fitHistory", () => {
  const user = (t: string) => ({ type: "message", role: "user", content: t }) as const;
  it("starts at the latest compaction item and keeps it", () => {
    const items = [user("old"), { type: "compaction", id: "cmp_1", encrypted_content: "x" }, user("new")];
    const fitted = fitHistory(items, 1_000_000);
    expect(fitted.items.map((i) => i.type)).toEqual(["compaction", "message"]);
  });
  it("drops whole turns oldest first, never splitting a call from its output", () => {
    const items = [user("a".repeat(400)), { type: "function_call", call_id: "c", name: "t", arguments: "{}" }, { type: "function_call_output", call_id: "c", output: "o" }, user("b")];
    const fitted = fitHistory(items, 50);
    expect(fitted.droppedTurns).toBe(1);
    expect(fitted.items.map((i) => (i as { type: string }).type)).toEqual(["message", "message"]);
    expect(fitted.items[1]).toEqual(user("b"));
  });
});
