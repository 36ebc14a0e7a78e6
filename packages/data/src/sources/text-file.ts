import { Observable } from 'rxjs';
import { nodeModule } from '@loopflow/tensor';
import { DataError } from '../errors';
import { fromReadable } from './from-readable';
import { splitLines, TextLine } from './split-lines';

/** Options of {@link readText} and {@link readLines}. */
export interface ReadTextOptions {
  /** Bytes read per chunk (default 64 KiB). */
  readonly chunkSize?: number;
  /** Longest line accepted by {@link readLines} (default 16 Mi characters). */
  readonly maxLineLength?: number;
}

/**
 * A UTF-8 text file as a stream of string chunks (multi-byte characters are never split).
 * Memory in use is one chunk, not the file.
 *
 * @example
 * readText('corpus.txt').pipe(map((chunk) => chunk.length))
 */
export function readText(path: string, options: ReadTextOptions = {}): Observable<string> {
  return fromReadable<string>(() => nodeFs().createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkSize ?? 64 * 1024 }), path);
}

/**
 * A UTF-8 text file line by line (`\n` or `\r\n`), each line with its 1-based number.
 *
 * @example
 * readLines('names.txt').pipe(map((l) => l.text))
 */
export function readLines(path: string, options: ReadTextOptions = {}): Observable<TextLine> {
  return readText(path, options).pipe(splitLines({ file: path, maxLineLength: options.maxLineLength }));
}

/** Node's fs, on use (reading a file needs Node; the rest of the package does not). */
function nodeFs(): typeof import('fs') {
  const fs = nodeModule('fs');
  if (!fs) throw new DataError('DATA_FILE', 'reading a text file needs Node.js (its fs module); use fromReadable or splitLines on text you have');
  return fs;
}
