import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { mkdir, open, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  ConfigError,
  ValidationError,
  resolveGenesisHome,
  type CreateSessionInput,
  type SessionEntry,
  type SessionRecord,
  type SessionStore,
} from "@genesis/core";

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const entrySchema = z.object({ type: z.string(), at: z.number() }).passthrough();
const lineSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("session"), v: z.literal(1), id: z.string(), createdAt: z.number(),
    runtime: z.enum(["pi", "codex"]), harnessId: z.string(), modelRef: z.string(), overrides: z.record(z.string(), z.unknown()),
  }),
  z.object({ kind: z.literal("entries"), entries: z.array(entrySchema) }),
  z.object({ kind: z.literal("override"), key: z.string(), value: z.unknown().optional(), cleared: z.boolean().optional() }),
  z.object({ kind: z.literal("codex_thread"), threadId: z.string() }),
]);
type Line = z.infer<typeof lineSchema>;

interface Folded {
  record: SessionRecord;
  entries: SessionEntry[];
}

function clone(f: Folded): Folded {
  return { record: { ...f.record, overrides: { ...f.record.overrides } }, entries: f.entries.slice() };
}

async function readRange(file: string, from: number, to: number): Promise<string> {
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(to - from);
    await handle.read(buf, 0, buf.length, from);
    return buf.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Fold one parsed line into the session state. */
function applyLine(line: Line, into: Folded): void {
  if (line.kind === "session") {
    const { kind: _k, v: _v, ...record } = line;
    into.record = { ...record, overrides: { ...record.overrides } };
    into.entries = [];
  } else if (!into.record) {
    return;
  } else if (line.kind === "entries") {
    for (const entry of line.entries) into.entries.push(entry as SessionEntry);
  } else if (line.kind === "override") {
    if (line.cleared) delete into.record.overrides[line.key];
    else into.record.overrides[line.key] = line.value;
  } else if (line.kind === "codex_thread") {
    into.record.codexThreadId = line.threadId;
  }
}

/**
 * Fold JSONL lines into `into`. `firstLine` is the 0-based number of the first line (for
 * errors). A torn final line (no newline after it) is ignored; any other bad line throws
 * `session_corrupt`. Returns false when no session header has been seen.
 */
function applyLines(file: string, lines: readonly string[], into: Folded, firstLine: number): boolean {
  const lastIndex = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    let line: Line;
    try {
      line = lineSchema.parse(JSON.parse(raw));
    } catch (cause) {
      if (i === lastIndex) break; // torn final line from a crash mid-append
      throw new ConfigError("session_corrupt", `session file ${file} has a bad line ${firstLine + i + 1}`, {
        file, line: firstLine + i + 1, cause, hint: "Move the file aside and start a fresh session (/new).",
      });
    }
    applyLine(line, into);
  }
  return into.record !== undefined;
}

/**
 * The default {@link SessionStore}: one append-only JSONL file per session,
 * `<dir>/<id>.jsonl` with `dir` defaulting to `$GENESIS_HOME/sessions`.
 *
 * The first line records id, creation time, runtime, harness and model; later lines append
 * entry batches, override changes and the Codex thread id. Each call appends exactly one line
 * with one `write`, so a batch of entries lands whole or not at all; a torn final line (crash
 * mid-write) is ignored on read, any other bad line is a `session_corrupt` error.
 */
export class JsonlSessionStore implements SessionStore {
  readonly dir: string;
  readonly #now: () => number;
  /** Parsed state per session and the byte size it covers; `ours` = our appends since the last stat. */
  readonly #cache = new Map<string, { size: number; folded: Folded; lines: number; ours?: boolean }>();
  readonly #handles = new Map<string, number>();

  constructor(options: { dir?: string; env?: NodeJS.ProcessEnv; now?: () => number } = {}) {
    this.dir = options.dir ?? join(resolveGenesisHome(options.env ?? process.env), "sessions");
    this.#now = options.now ?? Date.now;
  }

  #file(id: string): string {
    if (typeof id !== "string" || !ID.test(id)) {
      throw new ValidationError(`session id '${String(id).slice(0, 40)}' is not valid`, {
        path: "sessionId",
        hint: "Session ids are 1-128 letters, digits, '.', '_' or '-'.",
      });
    }
    return join(this.dir, `${id}.jsonl`);
  }

  /**
   * Append one line through a kept-open `O_APPEND` handle (one write per call, so concurrent
   * appenders never interleave inside a line). Our own line is folded into the cache at once;
   * the next read confirms with a `stat` that nobody else wrote in between.
   */
  async #append(id: string, line: Line): Promise<void> {
    if (!this.#cache.has(id)) await this.#require(id);
    const text = `${JSON.stringify(line)}\n`;
    let fd = this.#handles.get(id);
    if (fd === undefined) {
      fd = openSync(this.#file(id), "a");
      this.#handles.set(id, fd);
    }
    // A synchronous append of one short line costs microseconds; an async one costs a
    // thread-pool round trip, which dominated per-turn latency under load (bench/turn-overhead).
    writeSync(fd, text);
    const hit = this.#cache.get(id);
    if (hit) {
      applyLine(line, hit.folded); // our own line: already valid, no need to re-parse it
      hit.size += Buffer.byteLength(text);
      hit.lines += 1;
      hit.ours = true;
    }
  }

  /**
   * The session folded from its file. Parsed state is cached with the byte size it covers: an
   * unchanged file costs one `stat`, a grown one only the appended bytes (so a long session
   * does not re-parse its whole transcript every turn).
   */
  async #fold(id: string): Promise<Folded | undefined> {
    const file = this.#file(id);
    let size: number;
    try {
      size = statSync(file).size; // same reasoning as the append: one cheap syscall, no thread-pool hop
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        this.#cache.delete(id);
        return undefined;
      }
      throw error;
    }
    const hit = this.#cache.get(id);
    if (hit && hit.size === size) {
      hit.ours = false;
      return clone(hit.folded);
    }
    // Shrunk (replaced) or, after our own appends, a size we did not predict (another writer
    // interleaved): the cached offsets cannot be trusted, so re-read the whole file.
    if (hit && (size < hit.size || hit.ours)) this.#cache.delete(id);
    if (hit && size > hit.size && this.#cache.has(id)) {
      const tail = await readRange(file, hit.size, size);
      if (tail.endsWith("\n")) {
        applyLines(file, tail.split("\n"), hit.folded, hit.lines);
        hit.size = size;
        hit.lines += tail.split("\n").length - 1;
        return clone(hit.folded);
      }
    }
    const text = await readFile(file, "utf8");
    const folded: Folded = { record: undefined as unknown as SessionRecord, entries: [] };
    const lines = text.split("\n");
    if (!applyLines(file, lines, folded, 0)) return undefined;
    if (text.endsWith("\n")) this.#cache.set(id, { size: Buffer.byteLength(text), folded, lines: lines.length - 1 });
    else this.#cache.delete(id);
    return clone(folded);
  }

  async #require(id: string): Promise<Folded> {
    const folded = await this.#fold(id);
    if (!folded) {
      throw new ValidationError(`no session '${id}'`, {
        code: "session_not_found", path: "sessionId", hint: "Check the id, or omit it to start a new session.",
      });
    }
    return folded;
  }

  async create(input: CreateSessionInput): Promise<SessionRecord> {
    const id = input.id ?? `s-${new Date(this.#now()).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const file = this.#file(id);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const line: Line = {
      kind: "session", v: 1, id, createdAt: this.#now(), runtime: input.runtime, harnessId: input.harnessId,
      modelRef: input.modelRef, overrides: { ...(input.overrides ?? {}) },
    };
    try {
      await writeFile(file, `${JSON.stringify(line)}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new ValidationError(`session '${id}' already exists`, { code: "session_exists", path: "sessionId" });
      }
      throw error;
    }
    return (await this.#require(id)).record;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return (await this.#fold(id))?.record;
  }

  async appendEntries(id: string, entries: readonly SessionEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#append(id, { kind: "entries", entries: entries as SessionEntry[] });
  }

  async readEntries(id: string): Promise<SessionEntry[]> {
    return (await this.#require(id)).entries;
  }

  async setOverride(id: string, key: string, value: unknown): Promise<SessionRecord> {
    if (value === undefined) return this.clearOverride(id, key);
    await this.#append(id, { kind: "override", key, value });
    return (await this.#require(id)).record;
  }

  async clearOverride(id: string, key: string): Promise<SessionRecord> {
    await this.#append(id, { kind: "override", key, cleared: true });
    return (await this.#require(id)).record;
  }

  async setCodexThreadId(id: string, threadId: string): Promise<SessionRecord> {
    await this.#append(id, { kind: "codex_thread", threadId });
    return (await this.#require(id)).record;
  }

  async list(): Promise<SessionRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: SessionRecord[] = [];
    for (const name of names) {
      if (!name.endsWith(".jsonl")) continue;
      const record = await this.get(name.slice(0, -6)).catch(() => undefined);
      if (record) out.push(record);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Close the append handles this store keeps open. The store stays usable (handles reopen). */
  async close(): Promise<void> {
    for (const fd of this.#handles.values()) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.#handles.clear();
  }
}
