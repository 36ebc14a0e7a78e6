import { Observable, OperatorFunction } from 'rxjs';
import { DataError, excerpt, formatLocation } from '../errors';
import { BadRowOptions, RowTally } from './bad-rows';
import type { TextLine } from './split-lines';

/** Options of {@link parseJsonLines}. */
export interface ParseJsonLinesOptions extends BadRowOptions {
  /**
   * Checks a parsed value; returns `null` when it is fine, or what was expected (e.g.
   * `'an object with a numeric "x"'`), which makes the line a bad row.
   */
  readonly validate?: (value: unknown) => string | null;
}

/**
 * Parses JSON-lines text lines (one JSON value per line; blank lines are ignored). A line that
 * is not valid JSON, or fails `validate`, is a `DATA_BAD_JSON` error naming the file, line
 * and column; with `onBadRow: 'skip'` it is skipped and counted in the summary.
 *
 * @example
 * readLines('events.jsonl').pipe(parseJsonLines<{ t: number }>())
 */
export function parseJsonLines<T = unknown>(options: ParseJsonLinesOptions = {}): OperatorFunction<TextLine, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let tally: RowTally | undefined;
      let file: string | undefined;
      const subscription = source.subscribe({
        next(line) {
          file = line.file;
          tally ??= new RowTally(options, file);
          if (line.text.trim() === '') return;
          let value: unknown;
          try {
            try {
              value = JSON.parse(line.text);
            } catch (err) {
              const position = /position (\d+)/.exec((err as Error).message);
              const column = position ? Number(position[1]) + 1 : undefined;
              const where = formatLocation({ file: line.file, line: line.line, column });
              tally.bad(
                new DataError('DATA_BAD_JSON', `parseJsonLines: ${where}: expected one JSON value per line, received ${excerpt(line.text)} (${(err as Error).message}); fix the line or pass onBadRow: 'skip'`, {
                  file: line.file,
                  line: line.line,
                  column,
                  expected: 'a JSON value',
                  received: line.text,
                }),
              );
              return;
            }
            const problem = options.validate?.(value) ?? null;
            if (problem !== null) {
              tally.bad(
                new DataError('DATA_BAD_JSON', `parseJsonLines: ${formatLocation({ file: line.file, line: line.line })}: expected ${problem}, received ${excerpt(line.text)}; fix the line or pass onBadRow: 'skip'`, {
                  file: line.file,
                  line: line.line,
                  expected: problem,
                  received: line.text,
                }),
              );
              return;
            }
          } catch (err) {
            tally.fail();
            subscriber.error(err);
            return;
          }
          tally.row();
          subscriber.next(value as T);
        },
        error: (err) => {
          tally?.fail();
          subscriber.error(err);
        },
        complete() {
          (tally ?? new RowTally(options)).finish(file);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        tally?.finish(file); // the consumer stopped early (take): the counts so far
      };
    });
}
