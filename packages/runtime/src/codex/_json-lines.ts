/**
 * Splits a stream of text chunks into lines without re-scanning earlier text: only the
 * unfinished tail is kept between chunks. Empty lines are skipped.
 */
export class JsonLineSplitter {
  private tail = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let nl = chunk.indexOf("\n");
    if (nl === -1) {
      this.tail += chunk;
      return;
    }
    let line = this.tail + chunk.slice(0, nl);
    let start = 0;
    for (;;) {
      if (line.length > 0) this.onLine(line);
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
      if (nl === -1) break;
      line = chunk.slice(start, nl);
    }
    this.tail = chunk.slice(start);
  }
}
