import { LoopflowError, nodeModule } from '@loopflow/tensor';

/** Where in a user's file a data problem is: file, 1-based line, and column (name or 1-based index). */
export interface DataLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: string | number;
}

/**
 * A problem with input data or with a data option. `code` is stable (match on it):
 * - `DATA_BAD_ROW`: a CSV record has the wrong number of fields;
 * - `DATA_BAD_VALUE`: a field does not parse as its column's type;
 * - `DATA_BAD_CSV`: the CSV itself is malformed (quotes), as reported by csv-parse;
 * - `DATA_BAD_JSON`: a JSON-lines line is not valid JSON;
 * - `DATA_FILE`: a file cannot be read;
 * - `DATA_SHAPE`: samples in one batch or window do not fit together;
 * - `DATA_INVALID_ARGUMENT`: an option is out of range;
 * - `DATA_INVALID_STATE`: a saved vocabulary or scaler does not restore;
 * - `DATA_DATASET_MISSING`: a dataset package is not installed (raised by @loopflow/datasets).
 *
 * `file`, `line`, `column`, `expected` and `received` are set when known, so callers can
 * point at the place without parsing the message.
 */
export class DataError extends LoopflowError {
  readonly file?: string;
  readonly line?: number;
  readonly column?: string | number;
  readonly expected?: string;
  readonly received?: string;

  constructor(code: string, message: string, details: DataLocation & { expected?: string; received?: string } = {}) {
    super(code, message);
    this.name = 'DataError';
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** `data.csv line 12, column "price"` — the place part of a message. */
export function formatLocation(where: DataLocation): string {
  const parts: string[] = [];
  parts.push(where.file ?? '<input>');
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  let text = parts.join(' ');
  if (where.column !== undefined) text += typeof where.column === 'number' ? `, column ${where.column}` : `, column "${where.column}"`;
  return text;
}

/** A short, printable excerpt of a received value for messages. */
export function excerpt(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}

/** Throws `DATA_INVALID_ARGUMENT` unless `value` is an integer >= `min`. */
export function requireInteger(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new DataError('DATA_INVALID_ARGUMENT', `${op}: ${name} = ${value}; expected an integer >= ${min}`, {
      expected: `integer >= ${min}`,
      received: String(value),
    });
  }
}

/** Throws `DATA_INVALID_ARGUMENT` unless `value` is a fraction in [0, 1). */
export function requireFraction(op: string, name: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new DataError('DATA_INVALID_ARGUMENT', `${op}: ${name} = ${value}; expected a fraction in [0, 1)`, {
      expected: 'fraction in [0, 1)',
      received: String(value),
    });
  }
}

/** A Node file-system error (missing file, no permission, a folder) as `DATA_FILE`; other errors unchanged. */
export function fileError(err: unknown, file?: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new DataError('DATA_FILE', `cannot read ${file ?? 'input'}: ${(err as Error).message}; check the path (relative paths resolve from ${nodeModule('path')?.resolve('.') ?? 'the working directory'})`, {
      file,
      expected: 'a readable file',
      received: code,
    });
  }
  return err;
}
