/** A 1-based line and column in a text. */
export interface TextPosition {
  line: number;
  column: number;
}

/** Where a value sits in the file: the value itself and, for a property, its key. */
export interface ValueLocation {
  value: TextPosition;
  /** The position of the property name, for values inside an object. */
  key?: TextPosition;
}

/** A parsed JSON text with the location of every value, by JSON pointer (`''` is the root). */
export interface ParsedJson {
  value: unknown;
  locations: Map<string, ValueLocation>;
}

/**
 * A JSON syntax error with its place in the text. `pointer` is set when the text is valid JSON
 * syntax but holds a value the reader refuses (nested deeper than {@link MAX_JSON_DEPTH}, or a
 * number too large to be finite): the JSON pointer of that value.
 */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: TextPosition,
    readonly found: string,
    readonly pointer?: string,
  ) {
    super(`${position.line}:${position.column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/** The deepest nesting of arrays and objects the reader accepts (a definition needs fewer than 10 levels). */
export const MAX_JSON_DEPTH = 256;

/** Escapes one JSON-pointer segment (`~` -> `~0`, `/` -> `~1`). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Parses strict JSON (RFC 8259) and records the line and column of every value and key, so
 * a problem found later (by the schema, say) can point into the file. Throws
 * {@link JsonSyntaxError} naming the place of the first syntax error, of a value nested deeper
 * than {@link MAX_JSON_DEPTH} levels (so hostile input cannot exhaust the stack) or of a number
 * that is not finite (`1e999`). A `"__proto__"` key is an ordinary own property of its object,
 * never the object's prototype.
 *
 * @example
 * const { value, locations } = parseJsonWithPositions('{\n  "a": [1, 2]\n}');
 * locations.get('/a/1') // { value: { line: 2, column: 13 } }
 */
export function parseJsonWithPositions(text: string): ParsedJson {
  const locations = new Map<string, ValueLocation>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): TextPosition => ({ line, column: i - lineStart + 1 });
  const describe = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const fail = (reason: string): never => {
    throw new JsonSyntaxError(reason, here(), describe());
  };

  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        i++;
        line++;
        lineStart = i;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail('comments are not allowed in JSON; remove them (use a "description" field instead)');
      else break;
    }
  };

  const parseString = (): string => {
    if (text[i] !== '"') fail(`expected a string in double quotes, found ${describe()}`);
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string; expected a closing "');
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\n') fail('a string may not span lines; close it with " or write \\n');
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          i++;
          fail(`invalid escape \\${e ?? ''} in a string`);
        }
      } else {
        if (c < ' ') fail('a control character inside a string; escape it');
        out += c;
        i++;
      }
    }
  };

  const parseNumber = (pointer: string): number => {
    const start = here();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(`expected a value (object, array, string, number, true, false or null), found ${describe()}`);
    const match = (m as RegExpExecArray)[0];
    i += match.length;
    const n = Number(match);
    if (!Number.isFinite(n)) throw new JsonSyntaxError(`${match} is not a finite number (beyond ±1.8e308); write a smaller number`, start, match, pointer);
    return n;
  };

  const parseValue = (pointer: string, depth: number, key?: TextPosition): unknown => {
    skipSpace();
    const start = here();
    locations.set(pointer, key ? { value: start, key } : { value: start });
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) {
      throw new JsonSyntaxError(`nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects); a definition needs only a few levels`, start, `${c}...`, pointer);
    }
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skipSpace();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipSpace();
        const keyAt = here();
        if (text[i] !== '"') fail(text[i] === '}' ? 'a trailing comma before }; remove it' : `expected a property name in double quotes, found ${describe()}`);
        const name = parseString();
        if (Object.prototype.hasOwnProperty.call(obj, name)) {
          throw new JsonSyntaxError(`the key "${name}" appears twice in this object; keep one`, keyAt, JSON.stringify(name));
        }
        skipSpace();
        if (text[i] !== ':') fail(`expected ':' after "${name}", found ${describe()}`);
        i++;
        const member = parseValue(`${pointer}/${escapePointerSegment(name)}`, depth + 1, keyAt);
        // An own data property even for "__proto__" (plain assignment would set the prototype).
        Object.defineProperty(obj, name, { value: member, writable: true, enumerable: true, configurable: true });
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}' after a property, found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(`${pointer}/${arr.length}`, depth + 1));
        skipSpace();
        if (text[i] === ',') {
          i++;
          skipSpace();
          if (text[i] === ']') fail('a trailing comma before ]; remove it');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']' after an array element, found ${describe()}`);
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === "'") fail("strings need double quotes in JSON, not single quotes");
    return parseNumber(pointer);
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark
  const value = parseValue('', 0);
  skipSpace();
  if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
  return { value, locations };
}
