import { Observable } from 'rxjs';
import { parseJsonLines, ParseJsonLinesOptions } from './parse-json-lines';
import { readLines, ReadTextOptions } from './text-file';

/**
 * A JSON-lines file as a stream of parsed values, read line by line (never whole).
 *
 * @example
 * readJsonLines<{ x: number }>('points.jsonl', { onBadRow: 'skip', onSummary: (s) => console.log(s.skipped) })
 */
export function readJsonLines<T = unknown>(path: string, options: ParseJsonLinesOptions & ReadTextOptions = {}): Observable<T> {
  return readLines(path, options).pipe(parseJsonLines<T>(options));
}
