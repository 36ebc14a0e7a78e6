/** A place in a text file: 1-based line and column (in characters). */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Follows the quotes of a CSV text as it streams past, chunk by chunk, so that an unclosed
 * quote (which csv-parse reports only at the end of the file) can be reported where it
 * OPENS. It knows only what that needs: a quote at the start of a field opens a quoted field,
 * a doubled quote inside one is an escaped quote, any other quote inside one closes it.
 *
 * - `open`: the position of the quote of a quoted field still open (null when none is);
 * - `firstBadClose`: the opening quote of the first quoted field whose closing quote is
 *   followed by something other than a delimiter or a line end (`"a"b`), after which
 *   csv-parse no longer finds the end of the field either.
 *
 * @example
 * const t = new QuoteTracker(',', '"');
 * t.push('a,b\n1,"x\n2,3\n');
 * t.open // { line: 2, column: 3 }
 */
export class QuoteTracker {
  open: TextPosition | null = null;
  firstBadClose: TextPosition | null = null;
  private line = 1;
  /** Characters seen before the current chunk, and the absolute index of the current line's first character. */
  private seen = 0;
  private lineStart = 0;
  private inQuote = false;
  /** Inside a quoted field, the last chunk ended on a quote: escaped ("") or closing, decided by the next character. */
  private quoteAtEnd = false;
  private previous = '\n';
  private started = false;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly comment: number;

  constructor(delimiter = ',', quote = '"', comment?: string) {
    this.delimiter = delimiter.charCodeAt(0);
    this.quote = quote.charCodeAt(0);
    this.comment = comment ? comment.charCodeAt(0) : -1;
  }

  /** Reads the next chunk of text. */
  push(chunk: string): void {
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) {
        i = 1; // a byte order mark is not a column
        this.lineStart = 1;
      }
    }
    const n = chunk.length;
    const q = this.quote;
    if (this.quoteAtEnd && n > 0) {
      this.quoteAtEnd = false;
      if (chunk.charCodeAt(0) === q) i = Math.max(i, 1); // an escaped quote: still inside
      else this.close(chunk.charCodeAt(0));
    }
    while (i < n) {
      if (this.inQuote) {
        const end = chunk.indexOf(String.fromCharCode(q), i);
        this.countLines(chunk, i, end < 0 ? n : end);
        if (end < 0) break;
        if (end + 1 >= n) {
          this.quoteAtEnd = true;
          i = n;
          break;
        }
        const next = chunk.charCodeAt(end + 1);
        if (next === q) {
          i = end + 2; // "" inside a quoted field
          continue;
        }
        this.close(next);
        i = end + 1;
        continue;
      }
      // outside quotes: the next quote, counting line ends on the way
      const next = chunk.indexOf(String.fromCharCode(q), i);
      const stop = next < 0 ? n : next;
      this.countLines(chunk, i, stop);
      if (next < 0) {
        if (stop > i) this.previous = chunk[stop - 1];
        break;
      }
      const before = next > 0 ? chunk.charCodeAt(next - 1) : this.previous.charCodeAt(0);
      const atFieldStart = this.seen + next === this.lineStart || before === this.delimiter || before === 13;
      if (atFieldStart && !this.inComment(chunk, next)) {
        this.inQuote = true;
        this.open = { line: this.line, column: this.seen + next - this.lineStart + 1 };
      }
      this.previous = chunk[next];
      i = next + 1;
    }
    if (n > 0 && !this.inQuote) this.previous = chunk[n - 1];
    this.seen += n;
  }

  private close(next: number): void {
    this.inQuote = false;
    if (next !== this.delimiter && next !== 10 && next !== 13 && this.firstBadClose === null) this.firstBadClose = this.open;
    this.open = null;
  }

  /** A comment line (the comment character first on its line) holds no quoted field. */
  private inComment(chunk: string, at: number): boolean {
    if (this.comment < 0) return false;
    const start = this.lineStart - this.seen;
    return start >= 0 && start < chunk.length && start <= at && chunk.charCodeAt(start) === this.comment;
  }

  private countLines(chunk: string, from: number, to: number): void {
    let at = chunk.indexOf('\n', from);
    while (at >= 0 && at < to) {
      this.line += 1;
      this.lineStart = this.seen + at + 1;
      at = chunk.indexOf('\n', at + 1);
    }
  }
}
