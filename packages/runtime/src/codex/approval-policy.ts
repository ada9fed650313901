import { isAbsolute, relative, resolve } from "node:path";

/** What Codex asks permission for, normalized across its v2 and legacy request shapes. */
export type ApprovalRequest =
  | {
      kind: "command";
      threadId: string;
      turnId?: string;
      itemId: string;
      /** The shell command as one string. */
      command: string;
      /** Where it would run (absolute), when Codex said. */
      cwd?: string;
      /** Codex's parse of the command: `read`, `listFiles`, `search` or `unknown` per part. */
      actions: readonly string[];
      reason?: string;
      /** The session's working directory. */
      workingDirectory: string;
    }
  | {
      kind: "fileChange";
      threadId: string;
      turnId?: string;
      itemId: string;
      /** Absolute paths the patch touches (empty when Codex did not announce them). */
      paths: readonly string[];
      /** A root Codex wants write access to for the rest of the session. */
      grantRoot?: string;
      reason?: string;
      workingDirectory: string;
    }
  | {
      kind: "permissions";
      threadId: string;
      turnId?: string;
      itemId: string;
      /** The extra sandbox permissions Codex asks for, verbatim. */
      permissions: unknown;
      reason?: string;
      workingDirectory: string;
    };

/** The answer to an {@link ApprovalRequest}. `cancel` also interrupts the turn. */
export type ApprovalDecision = "accept" | "acceptForSession" | "decline" | "cancel";

/** Decides approvals. An embedding app supplies its own to prompt a person. */
export type ApprovalHandler = (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;

/** True when `path` is `root` or inside it (lexically; both are resolved first). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(root, path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

const READ_ONLY_ACTIONS = new Set(["read", "listFiles", "search"]);

/**
 * The default policy: nothing may write outside the working directory.
 * - file changes: accepted when every touched path (and any requested grant root) is inside it;
 * - commands: accepted only when Codex parsed every part as read-only (read / list / search)
 *   and it runs inside the working directory — anything else could write anywhere;
 * - extra sandbox permissions: declined.
 */
export const defaultApprovalPolicy: ApprovalHandler = (request) => {
  const root = request.workingDirectory;
  switch (request.kind) {
    case "fileChange": {
      if (request.paths.length === 0) return "decline";
      if (request.grantRoot && !isInside(root, request.grantRoot)) return "decline";
      return request.paths.every((p) => isInside(root, p)) ? "accept" : "decline";
    }
    case "command": {
      if (request.cwd && !isInside(root, request.cwd)) return "decline";
      const readOnly = request.actions.length > 0 && request.actions.every((a) => READ_ONLY_ACTIONS.has(a));
      return readOnly ? "accept" : "decline";
    }
    default:
      return "decline";
  }
};
