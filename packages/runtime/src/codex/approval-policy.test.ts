import { describe, expect, it } from "vitest";
import { answerServerRequest, type ServerRequestContext } from "./_server-requests.js";
import { defaultApprovalPolicy, isInside, type ApprovalRequest } from "./approval-policy.js";
import { RpcReplyError } from "./app-server-process.js";

const wd = "/work/project";
const base = { threadId: "t", itemId: "i", workingDirectory: wd };

describe("defaultApprovalPolicy", () => {
  it("accepts file changes that stay inside the working directory", () => {
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: ["/work/project/a.ts", "/work/project/sub/b.ts"] })).toBe("accept");
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: ["src/c.ts"] })).toBe("accept");
  });

  it("declines file changes outside it, unknown paths, or a grant root outside it", () => {
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: ["/work/project/a.ts", "/etc/passwd"] })).toBe("decline");
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: ["../sibling/x"] })).toBe("decline");
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: [] })).toBe("decline");
    expect(defaultApprovalPolicy({ ...base, kind: "fileChange", paths: ["/work/project/a"], grantRoot: "/" })).toBe("decline");
  });

  it("accepts only read-only commands inside the working directory", () => {
    const cmd = (actions: string[], cwd = wd): ApprovalRequest => ({ ...base, kind: "command", command: "x", cwd, actions });
    expect(defaultApprovalPolicy(cmd(["read", "search"]))).toBe("accept");
    expect(defaultApprovalPolicy(cmd(["read", "unknown"]))).toBe("decline");
    expect(defaultApprovalPolicy(cmd([]))).toBe("decline");
    expect(defaultApprovalPolicy(cmd(["read"], "/tmp"))).toBe("decline");
  });

  it("declines extra sandbox permissions", () => {
    expect(defaultApprovalPolicy({ ...base, kind: "permissions", permissions: { network: {} } })).toBe("decline");
  });

  it("isInside is lexical and rejects prefix look-alikes", () => {
    expect(isInside("/a/b", "/a/b")).toBe(true);
    expect(isInside("/a/b", "/a/bc")).toBe(false);
    expect(isInside("/a/b", "/a/b/../c")).toBe(false);
  });
});

describe("answerServerRequest", () => {
  const ctx = (over: Partial<ServerRequestContext> = {}): ServerRequestContext => ({
    approvalHandler: defaultApprovalPolicy,
    workingDirectory: () => wd,
    item: (_t, id) =>
      id === "patch-1"
        ? ({ type: "fileChange", id, status: "inProgress", changes: [{ path: "/work/project/x.ts", kind: { type: "add" }, diff: "" }] } as any)
        : undefined,
    ...over,
  });

  it("gives the policy the paths announced by the file-change item", async () => {
    const seen: ApprovalRequest[] = [];
    const res = await answerServerRequest(
      ctx({ approvalHandler: (r) => (seen.push(r), defaultApprovalPolicy(r)) }),
      "item/fileChange/requestApproval",
      { threadId: "t", turnId: "u", itemId: "patch-1", startedAtMs: 0 },
    );
    expect(res).toEqual({ decision: "accept" });
    expect(seen[0]).toMatchObject({ kind: "fileChange", paths: ["/work/project/x.ts"], workingDirectory: wd });
  });

  it("declines, without asking the handler, for a thread with no recorded working directory", async () => {
    let asked = 0;
    const res = await answerServerRequest(
      ctx({ workingDirectory: () => undefined, approvalHandler: () => (asked++, "accept") }),
      "item/commandExecution/requestApproval",
      { threadId: "stranger", turnId: "u", itemId: "i", command: "ls", commandActions: [{ type: "listFiles", command: "ls", path: null }] },
    );
    expect(res).toEqual({ decision: "decline" });
    expect(asked).toBe(0);
  });

  it("maps decisions onto the legacy review vocabulary", async () => {
    const res = await answerServerRequest(ctx(), "execCommandApproval", {
      conversationId: "t", callId: "c", approvalId: null, command: ["rm", "-rf", "/"], cwd: wd, reason: null, parsedCmd: [{ type: "unknown", cmd: "rm" }],
    });
    expect(res).toEqual({ decision: { denied: { rejection: "Declined by the Genesis approval policy." } } });
    const ok = await answerServerRequest(ctx({ approvalHandler: () => "acceptForSession" }), "applyPatchApproval", {
      conversationId: "t", callId: "c", fileChanges: {}, reason: null, grantRoot: null,
    });
    expect(ok).toEqual({ decision: "approved_for_session" });
  });

  it("never approves when a handler returns something unexpected", async () => {
    const res = await answerServerRequest(ctx({ approvalHandler: () => "yes please" as any }), "item/commandExecution/requestApproval", {
      threadId: "t", turnId: "u", itemId: "i", command: "ls", commandActions: [{ type: "listFiles", command: "ls", path: null }],
    });
    expect(res).toEqual({ decision: "decline" });
  });

  it("answers token refreshes from Genesis's store, and refuses when it has none", async () => {
    const res = await answerServerRequest(
      ctx({ refreshTokens: async (prev) => ({ accessToken: `fresh-for-${prev}`, accountId: "acct_1" }) }),
      "account/chatgptAuthTokens/refresh",
      { reason: "unauthorized", previousAccountId: "acct_1" },
    );
    expect(res).toEqual({ accessToken: "fresh-for-acct_1", chatgptAccountId: "acct_1", chatgptPlanType: null });
    await expect(answerServerRequest(ctx(), "account/chatgptAuthTokens/refresh", { reason: "unauthorized" })).rejects.toBeInstanceOf(RpcReplyError);
    const failing = ctx({
      refreshTokens: async () => {
        throw new Error("refresh failed for token sk-abcdefghijklmnopqrstuvwxyz123456");
      },
    });
    const err = await answerServerRequest(failing, "account/chatgptAuthTokens/refresh", { reason: "unauthorized" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcReplyError);
    expect((err as Error).message).not.toContain("abcdefghijklmnop");
  });

  it("refuses unknown requests with method-not-found, or passes them to the embedder", async () => {
    const err = await answerServerRequest(ctx(), "mcpServer/elicitation/request", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ rpcCode: -32601 });
    const res = await answerServerRequest(ctx({ onOtherRequest: async (m) => ({ handled: m }) }), "item/tool/requestUserInput", {});
    expect(res).toEqual({ handled: "item/tool/requestUserInput" });
  });
});
