import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";

/** One SSE message: the `event:` name (if any) and the joined `data:` lines. */
export type SseMessage = Pick<EventSourceMessage, "event" | "data">;

/**
 * Bytes in, SSE messages out. Chunks may split anywhere (inside a UTF-8 sequence, between the
 * CR and LF of a CRLF); `end()` flushes a final message that lacks its trailing blank line,
 * which eventsource-parser alone would drop (openai-node#2725).
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly parser: EventSourceParser;

  constructor(onMessage: (message: SseMessage) => void) {
    // The parser's own message object is passed through: no extra allocation per event.
    this.parser = createParser({ onEvent: onMessage });
  }

  /** Feed one chunk of bytes. */
  push(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    if (text.length !== 0) this.parser.feed(text);
  }

  /**
   * End of input. Flushes the UTF-8 decoder, then terminates any open message with a blank line
   * so it is delivered instead of dropped; the caller then checks for a terminal event.
   */
  end(): void {
    const rest = this.decoder.decode();
    if (rest) this.parser.feed(rest);
    // A trailing CR may be the first half of CRLF; "\n\n" closes the line and the message either way.
    this.parser.feed("\n\n");
  }
}
