import { randomUUID } from "node:crypto";
import { ValidationError } from "@genesis/core";

/** Longest identity value we send; longer ones are cut (servers reject huge header values). */
export const MAX_IDENTITY_LENGTH = 128;

/** Names of the identity headers sent on every attempt. */
export const IDENTITY_HEADERS = {
  /** The session id; the Codex backend reads `session_id`. */
  session: "session_id",
  /** The turn id, stable across retries, reconnects and the SSE fallback of one turn. */
  turn: "x-client-request-id",
  /** 0 for the first attempt of a turn, then 1, 2, ... across retries and fallbacks. */
  attempt: "x-genesis-attempt",
} as const;

/**
 * Make an identity value safe for a header: control characters (CR, LF, NUL, ...) and
 * non-ASCII become `_`, surrounding space is trimmed, and the result is cut to 128 characters.
 */
export function sanitizeIdentity(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[^\x21-\x7e ]/g, "_").trim().slice(0, MAX_IDENTITY_LENGTH);
}

/** The identity of one turn: who asked, which turn, and a counter for its attempts. */
export class TurnIdentity {
  readonly sessionId: string;
  readonly turnId: string;
  private attempt = 0;

  /** @param turnId defaults to a random UUID. Throws a {@link ValidationError} for an empty session id. */
  constructor(sessionId: string, turnId?: string) {
    const session = typeof sessionId === "string" ? sanitizeIdentity(sessionId) : "";
    if (!session) {
      throw new ValidationError("sessionId must be a non-empty string.", {
        path: "sessionId",
        hint: "Pass the Genesis session id so retries and reconnects share one identity.",
      });
    }
    this.sessionId = session;
    this.turnId = (turnId === undefined ? "" : sanitizeIdentity(turnId)) || randomUUID();
  }

  /** Headers for the next attempt; each call advances the attempt counter. */
  nextAttemptHeaders(): Record<string, string> {
    return {
      [IDENTITY_HEADERS.session]: this.sessionId,
      [IDENTITY_HEADERS.turn]: this.turnId,
      [IDENTITY_HEADERS.attempt]: String(this.attempt++),
    };
  }

  /** Attempts started so far. */
  get attempts(): number {
    return this.attempt;
  }
}
