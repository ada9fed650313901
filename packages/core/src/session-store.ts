/**
 * The session store contract. `@genesis/runtime` implements it on JSONL files under
 * `$GENESIS_HOME/sessions/`; tests and embedding apps may supply their own.
 *
 * A session pins the harness it was created with (`runtime` + `harnessId`): changing
 * `agents.defaults.embeddedHarness` later does not move an existing session, which is why
 * `/status` keeps showing the recorded runtime until `/new` or `/reset`. A `SessionRecord`
 * can be passed as the `session` input of `resolveRoute` directly.
 */

import type { RuntimeId } from "./route.js";

/** Metadata of one session. */
export interface SessionRecord {
  /** Stable id; also used as the Codex `prompt_cache_key` and identity headers. */
  id: string;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  /** The runtime recorded at creation. */
  runtime: RuntimeId;
  /** Which harness implementation ran it (e.g. `pi`, `codex-app-server`). */
  harnessId: string;
  /** The model ref the session was started with. */
  modelRef: string;
  /**
   * Session-level overrides that win over config for this session only: route params
   * (`fastMode`, `serviceTier`, `transport`, ...) and `personality`. Clearing one returns
   * the session to the configured default.
   */
  overrides: Record<string, unknown>;
  /** The Codex app-server thread this session resumes, once one exists. */
  codexThreadId?: string;
}

/**
 * One transcript entry, in append order. `type` says what it is (`user`, `assistant`,
 * `output_item`, `usage`, `error`, ...); the rest is the runtime's own payload, kept
 * verbatim so output items can be replayed as input.
 */
export type SessionEntry = { type: string; at: number } & Record<string, unknown>;

/** What `create` needs; `id` and `createdAt` are filled in when absent. */
export interface CreateSessionInput {
  id?: string;
  runtime: RuntimeId;
  harnessId: string;
  modelRef: string;
  overrides?: Record<string, unknown>;
}

/**
 * Persistent sessions. All methods are async and reject with a `GenesisError`
 * (`session_not_found` for an unknown id) rather than returning partial data.
 */
export interface SessionStore {
  /** Create and persist a new session. */
  create(input: CreateSessionInput): Promise<SessionRecord>;
  /** The session, or `undefined` when no session has that id. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Append transcript entries atomically (all or none), in order. */
  appendEntries(id: string, entries: readonly SessionEntry[]): Promise<void>;
  /** Every transcript entry, oldest first. */
  readEntries(id: string): Promise<SessionEntry[]>;
  /** Set one override (e.g. `fastMode: true`); returns the updated record. */
  setOverride(id: string, key: string, value: unknown): Promise<SessionRecord>;
  /** Remove one override so the configured default applies again; returns the updated record. */
  clearOverride(id: string, key: string): Promise<SessionRecord>;
  /** Record the Codex app-server thread id for later `thread/resume`. */
  setCodexThreadId(id: string, threadId: string): Promise<SessionRecord>;
  /** Every session, newest first. */
  list(): Promise<SessionRecord[]>;
}
