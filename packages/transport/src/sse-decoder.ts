/** One SSE message: the `event:` name (if any) and the joined `data:` lines. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/**
 * Bytes in, SSE messages out (the WHATWG event-stream rules: LF, CR or CRLF line ends, `:`
 * comments, a leading BOM, multi-line `data`; `id`/`retry` are ignored). Lines are cut on the
 * Buffer and only `data`/`event` values are decoded, so a chunk is never turned into one big
 * string first; CR/LF are ASCII, so a UTF-8 sequence split across chunks is always inside a
 * carried line and decoded whole. `end()` delivers a final message that lacks its trailing
 * blank line instead of dropping it (openai-node#2725).
 *
 * The message object handed to `onMessage` is reused: read it inside the callback.
 */
export class SseDecoder {
  private carry: Buffer[] = [];
  private skipLf = false;
  private started = false;
  private nextCr = -1;
  private event: string | undefined = undefined;
  private data: string | undefined = undefined;
  private readonly message: SseMessage = { event: undefined, data: "" };
  private lastEventBytes: Buffer | undefined;
  private lastEvent = "";

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  /** Feed one chunk of bytes (any split). The chunk is kept until its line ends: do not reuse its memory. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    let pos = 0;
    if (this.skipLf && len > 0) {
      // The previous chunk ended in CR: an LF here is the second half of that CRLF.
      this.skipLf = false;
      if (buf[0] === LF) pos = 1;
    }
    // Position of the next CR, found once per chunk scan (not per line): -1 when none is left.
    this.nextCr = buf.indexOf(CR, pos);
    while (pos < len) {
      let end = buf.indexOf(LF, pos);
      const cr = this.crFrom(buf, pos);
      if (cr !== -1 && (end === -1 || cr < end)) end = cr;
      if (end === -1) {
        this.carry.push(pos === 0 ? buf : buf.subarray(pos));
        return;
      }
      if (this.carry.length > 0) {
        this.carry.push(buf.subarray(pos, end));
        const line = Buffer.concat(this.carry);
        this.carry = [];
        this.line(line, 0, line.length);
      } else this.line(buf, pos, end);
      pos = end + 1;
      if (buf[end] === CR) {
        if (pos < len) {
          if (buf[pos] === LF) pos++;
        } else this.skipLf = true;
      }
    }
  }

  /** End of input: a last line without a line end is processed and an open message delivered. */
  end(): void {
    if (this.carry.length > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(line, 0, line.length);
    }
    this.skipLf = false;
    this.dispatch();
  }

  private crFrom(buf: Buffer, pos: number): number {
    if (this.nextCr !== -1 && this.nextCr < pos) this.nextCr = buf.indexOf(CR, pos);
    return this.nextCr;
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (!this.started) {
      this.started = true;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (start === end) {
      this.dispatch();
      return;
    }
    const first = buf[start];
    if (first === COLON) return; // comment (keep-alive)
    // `data:` is by far the most common line: compare its bytes directly.
    if (first === 0x64 && end - start >= 4 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) {
      if (end - start === 4 || buf[start + 4] === COLON) {
        const value = valueOf(buf, start + 4, end);
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
        return;
      }
    }
    let colon = buf.indexOf(COLON, start);
    if (colon === -1 || colon > end) colon = end;
    if (colon - start === 5 && first === 0x65 && buf[start + 1] === 0x76 && buf[start + 2] === 0x65 && buf[start + 3] === 0x6e && buf[start + 4] === 0x74) {
      this.event = this.eventName(buf, colon, end);
    }
    // `id`, `retry` and unknown fields carry nothing the Responses API uses.
  }

  /**
   * The `event:` value, reusing the previous string when the bytes match: a token stream repeats
   * one name thousands of times in a row, so this saves a string per event.
   */
  private eventName(buf: Buffer, colon: number, end: number): string {
    let from = colon + 1;
    if (from < end && buf[from] === SPACE) from++;
    const last = this.lastEventBytes;
    if (last !== undefined && last.length === end - from) {
      let i = 0;
      while (i < last.length && last[i] === buf[from + i]) i++;
      if (i === last.length) return this.lastEvent;
    }
    this.lastEventBytes = Buffer.from(buf.subarray(from, end));
    this.lastEvent = valueOf(buf, colon, end);
    return this.lastEvent;
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = undefined;
    this.event = undefined;
    // A message without any data line is not dispatched (event-stream rules).
    if (data === undefined) return;
    this.message.event = event;
    this.message.data = data;
    this.onMessage(this.message);
  }
}

/** The field value after the colon at `colon` (one leading space dropped); "" without a colon. */
function valueOf(buf: Buffer, colon: number, end: number): string {
  if (colon >= end) return "";
  let from = colon + 1;
  if (from < end && buf[from] === SPACE) from++;
  return from === end ? "" : (buf as unknown as FastSlice).utf8Slice(from, end);
}

/**
 * `Buffer#utf8Slice` (public on every Node Buffer, missing from the typings): the same decoding
 * as `toString("utf8", a, b)` without its argument checks, which cost more than the decode
 * itself for the ~200-byte lines of a token stream.
 */
interface FastSlice {
  utf8Slice(start: number, end: number): string;
}
