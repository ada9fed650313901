import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readModelTiers } from "./_model-tiers.js";
import { AppServerProcess } from "./app-server-process.js";
import { CodexAppServerClient } from "./client.js";

// The catalog answers come from a scripted JSON-RPC peer: the real binary's answer is covered
// end to end by codex-service-tier.test.ts; here the shapes it must survive.
const peer = join(import.meta.dirname, "__fixtures__", "catalog-peer.mjs");
const scratch = mkdtempSync(join(tmpdir(), "genesis-codex-tiers-"));
const started: AppServerProcess[] = [];

function startPeer(catalog: string, seen: { method: string; params: unknown }[] = []): AppServerProcess {
  const proc = AppServerProcess.start({
    bin: process.execPath,
    command: [peer],
    codexHome: join(scratch, "home"),
    env: { ...process.env, PEER_CATALOG: catalog },
    requestTimeoutMs: 2_000,
    onNotification: (method, params) => {
      if (method === "seen") seen.push(params as { method: string; params: unknown });
    },
  });
  started.push(proc);
  return proc;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close(200)));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("readModelTiers", () => {
  it("pages through model/list (hidden models included) and keys tiers by id and model", async () => {
    const seen: { method: string; params: unknown }[] = [];
    const tiers = await readModelTiers(startPeer("paged", seen));
    expect(seen.map((s) => s.params)).toEqual([{ includeHidden: true }, { includeHidden: true, cursor: "page-2" }]);
    expect(tiers?.get("gpt-5.5")).toEqual(["priority"]);
    expect(tiers?.get("gpt-5.4")).toEqual([]);
    expect(tiers?.get("gpt-x")).toEqual([]);
    expect(tiers?.get("x-alias")).toEqual([]);
    expect(tiers?.has("gpt-4.1")).toBe(false);
  });

  it("reports unknown (not 'none offered') for an error, a malformed answer or endless paging", async () => {
    expect(await readModelTiers(startPeer("error"))).toBeUndefined();
    expect(await readModelTiers(startPeer("malformed"))).toBeUndefined();
    const seen: { method: string; params: unknown }[] = [];
    expect(await readModelTiers(startPeer("endless", seen))).toBeUndefined();
    expect(seen.length).toBe(20);
  });
});

describe("CodexAppServerClient.modelServiceTiers", () => {
  // The peer stands in for the codex binary; PEER_LOG records every request it answered.
  function client(catalog: string, name: string): { client: CodexAppServerClient; lists: () => number } {
    const log = join(scratch, `${name}.log`);
    const c = new CodexAppServerClient({ codexBin: peer, codexHome: join(scratch, name), env: { ...process.env, PEER_CATALOG: catalog, PEER_LOG: log }, requestTimeoutMs: 2_000 });
    const lists = () => readFileSync(log, "utf8").split("\n").filter((m) => m === "model/list").length;
    return { client: c, lists };
  }

  it("reads the catalog again on a later call after a failed model/list (not unknown for the process's life)", async () => {
    const { client: c, lists } = client("fail-once", "fail-once");
    try {
      expect(await c.modelServiceTiers("gpt-5.5")).toBeUndefined();
      expect(await c.modelServiceTiers("gpt-5.5")).toEqual(["priority"]);
      expect(await c.modelServiceTiers("gpt-5.4")).toEqual([]);
      // first read failed (1 request), the second paged through (2); the third call reused it
      expect(lists()).toBe(3);
      expect(c.starts).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("gives up after 3 failed reads per process", async () => {
    const { client: c, lists } = client("error", "always-error");
    try {
      for (let i = 0; i < 5; i++) expect(await c.modelServiceTiers("gpt-5.5")).toBeUndefined();
      expect(lists()).toBe(3);
    } finally {
      await c.close();
    }
  });
});
