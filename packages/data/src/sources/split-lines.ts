import { Observable, OperatorFunction } from 'rxjs';
import { DataError, formatLocation } from '../errors';

/** One line of a text file: its 1-based number and its text without the line ending. */
export interface TextLine {
  readonly file?: string;
  readonly line: number;
  readonly text: string;
}

/** Options of {@link splitLines}. */
export interface SplitLinesOptions {
  /** The file name shown in errors and carried on each line. */
  readonly file?: string;
  /** Longest line accepted, in characters (default 16 Mi); a longer one is a `DATA_BAD_ROW` error. */
  readonly maxLineLength?: number;
}

/**
 * Splits string chunks (as read from a file) into lines. `\n` and `\r\n` end a line, also
 * when a chunk boundary falls between them; a last line without a line ending is emitted at
 * completion. Only the unfinished tail of the input is held, so memory stays bounded by the
 * longest line.
 *
 * @example
 * of('ab\ncd', '\r\nef').pipe(splitLines()) // {line:1,text:'ab'}, {line:2,text:'cd'}, {line:3,text:'ef'}
 */
export function splitLines(options: SplitLinesOptions = {}): OperatorFunction<string, TextLine> {
  const maxLineLength = options.maxLineLength ?? 16 * 1024 * 1024;
  const file = options.file;
  return (source) =>
    new Observable<TextLine>((subscriber) => {
      let rest = '';
      let line = 0;
      const emit = (text: string): void => {
        line += 1;
        subscriber.next({ file, line, text: text.endsWith('\r') ? text.slice(0, -1) : text });
      };
      return source.subscribe({
        next(chunk) {
          let start = 0;
          let end = chunk.indexOf('\n');
          if (end >= 0 && rest.length > 0) {
            emit(rest + chunk.slice(0, end));
            rest = '';
            start = end + 1;
            end = chunk.indexOf('\n', start);
          }
          while (end >= 0) {
            emit(chunk.slice(start, end));
            start = end + 1;
            end = chunk.indexOf('\n', start);
          }
          rest += chunk.slice(start);
          if (rest.length > maxLineLength) {
            subscriber.error(
              new DataError('DATA_BAD_ROW', `splitLines: ${formatLocation({ file, line: line + 1 })} is longer than ${maxLineLength} characters; is this a text file with line endings? Raise maxLineLength if the line is meant to be this long`, {
                file,
                line: line + 1,
                expected: `at most ${maxLineLength} characters per line`,
                received: `${rest.length} characters`,
              }),
            );
          }
        },
        error: (err) => subscriber.error(err),
        complete() {
          if (rest.length > 0) emit(rest);
          subscriber.complete();
        },
      });
    });
}
