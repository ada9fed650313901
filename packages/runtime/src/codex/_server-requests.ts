import { redactSecrets } from "@genesis/core";
import { RpcReplyError } from "./app-server-process.js";
import type { ApprovalDecision, ApprovalHandler, ApprovalRequest } from "./approval-policy.js";
import type { ThreadItem } from "../../protocol/v2/ThreadItem.js";

/** Tokens handed to the app-server for `chatgptAuthTokens` login and refreshes. */
export interface CodexAuthTokens {
  accessToken: string;
  /** The ChatGPT account (workspace) id, from the access token's JWT claim. */
  accountId: string;
  planType?: string;
}

/** What the request dispatcher needs from the client. */
export interface ServerRequestContext {
  approvalHandler: ApprovalHandler;
  /** The working directory recorded for a thread. */
  workingDirectory(threadId: string): string | undefined;
  /** An item announced earlier in the thread's running turn. */
  item(threadId: string, itemId: string): ThreadItem | undefined;
  /** Fresh tokens for `account/chatgptAuthTokens/refresh`; undefined when Genesis holds none. */
  refreshTokens?(previousAccountId: string | undefined): Promise<CodexAuthTokens>;
  /** Requests the harness does not handle itself. */
  onOtherRequest?(method: string, params: unknown): Promise<unknown>;
}

const LEGACY_DECISIONS: Record<ApprovalDecision, unknown> = {
  accept: "approved",
  acceptForSession: "approved_for_session",
  decline: { denied: { rejection: "Declined by the Genesis approval policy." } },
  cancel: "abort",
};

async function decide(ctx: ServerRequestContext, request: ApprovalRequest): Promise<ApprovalDecision> {
  // A thread this client never started or resumed has no recorded working directory to judge
  // against (the host's own cwd would be a guess): refuse without asking.
  if (request.workingDirectory === "") return "decline";
  const decision = await ctx.approvalHandler(request);
  if (decision === "accept" || decision === "acceptForSession" || decision === "decline" || decision === "cancel") return decision;
  // A handler returning garbage must not approve anything.
  return "decline";
}

/**
 * Answer one server→client request. Approvals go through the approval handler, token refreshes
 * through Genesis's auth store; anything else goes to `onOtherRequest` or is refused with a
 * JSON-RPC "method not found" error (never left unanswered).
 */
export async function answerServerRequest(ctx: ServerRequestContext, method: string, params: any): Promise<unknown> {
  const threadId: string = params?.threadId ?? params?.conversationId ?? "";
  const wd = ctx.workingDirectory(threadId) ?? "";
  switch (method) {
    case "item/commandExecution/requestApproval": {
      const actions: string[] = Array.isArray(params.commandActions) ? params.commandActions.map((a: { type: string }) => a.type) : [];
      const decision = await decide(ctx, {
        kind: "command",
        threadId,
        turnId: params.turnId,
        itemId: params.itemId,
        command: String(params.command ?? (ctx.item(threadId, params.itemId) as { command?: string } | undefined)?.command ?? ""),
        cwd: params.cwd ?? undefined,
        actions,
        reason: params.reason ?? undefined,
        workingDirectory: wd,
      });
      return { decision };
    }
    case "item/fileChange/requestApproval": {
      const item = ctx.item(threadId, params.itemId);
      const paths = item?.type === "fileChange" ? item.changes.map((c) => c.path) : [];
      const decision = await decide(ctx, {
        kind: "fileChange",
        threadId,
        turnId: params.turnId,
        itemId: params.itemId,
        paths,
        grantRoot: params.grantRoot ?? undefined,
        reason: params.reason ?? undefined,
        workingDirectory: wd,
      });
      return { decision };
    }
    case "item/permissions/requestApproval": {
      const decision = await decide(ctx, {
        kind: "permissions",
        threadId,
        turnId: params.turnId,
        itemId: params.itemId,
        permissions: params.permissions,
        reason: params.reason ?? undefined,
        workingDirectory: wd,
      });
      const granted = decision === "accept" || decision === "acceptForSession";
      return { permissions: granted ? params.permissions : {}, scope: decision === "acceptForSession" ? "session" : "turn" };
    }
    case "execCommandApproval": {
      const actions: string[] = Array.isArray(params.parsedCmd) ? params.parsedCmd.map((a: { type: string }) => a.type) : [];
      const decision = await decide(ctx, {
        kind: "command",
        threadId,
        itemId: params.callId,
        command: Array.isArray(params.command) ? params.command.join(" ") : String(params.command ?? ""),
        cwd: params.cwd,
        actions,
        reason: params.reason ?? undefined,
        workingDirectory: wd,
      });
      return { decision: LEGACY_DECISIONS[decision] };
    }
    case "applyPatchApproval": {
      const decision = await decide(ctx, {
        kind: "fileChange",
        threadId,
        itemId: params.callId,
        paths: Object.keys(params.fileChanges ?? {}),
        grantRoot: params.grantRoot ?? undefined,
        reason: params.reason ?? undefined,
        workingDirectory: wd,
      });
      return { decision: LEGACY_DECISIONS[decision] };
    }
    case "account/chatgptAuthTokens/refresh": {
      if (!ctx.refreshTokens) throw new RpcReplyError(-32000, "Genesis holds no Codex sign-in to refresh.");
      let tokens: CodexAuthTokens;
      try {
        tokens = await ctx.refreshTokens(params?.previousAccountId ?? undefined);
      } catch (error) {
        const detail = error instanceof Error ? redactSecrets(error.message) : "refresh failed";
        throw new RpcReplyError(-32000, `Genesis could not refresh the Codex sign-in: ${detail}`);
      }
      return { accessToken: tokens.accessToken, chatgptAccountId: tokens.accountId, chatgptPlanType: tokens.planType ?? null };
    }
    default:
      if (ctx.onOtherRequest) return ctx.onOtherRequest(method, params);
      throw new RpcReplyError(-32601, `Genesis does not handle the server request ${method}.`);
  }
}
