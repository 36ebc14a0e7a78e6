/** What {@link scanHeaderJson} found wrong, with the JSON pointer of the place. */
export interface HeaderJsonProblem {
  kind: 'depth' | 'duplicate';
  /** JSON pointer of the place: the object holding the duplicated key, or the value nested too deep. */
  path: string;
  /** The duplicated key. */
  key?: string;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Walks the text of a safetensors header once, without recursion, before `JSON.parse` sees
 * it: refuses nesting deeper than `maxDepth` (a safetensors header needs 3 levels:
 * `{ "w": { "shape": [ ] } }`; JSON.parse overflows the stack on some thousands) and a key
 * given twice in one object (JSON.parse would keep the last silently). Syntax errors are
 * left to JSON.parse: the walk only follows strings and brackets.
 *
 * @example scanHeaderJson('{"a":1,"a":2}', 8) // { kind: 'duplicate', path: '', key: 'a' }
 */
export function scanHeaderJson(text: string, maxDepth: number): HeaderJsonProblem | null {
  // per open container: its keys so far (objects) or null (arrays), and its pointer
  const keys: (Set<string> | null)[] = [];
  const paths: string[] = [];
  const index: number[] = []; // arrays: the next element's index
  let pendingKey: string | null = null; // the last key read, until its value opens
  let i = 0;
  const n = text.length;
  const here = (): string => {
    const top = keys.length - 1;
    if (top < 0) return '';
    return keys[top] === null ? `${paths[top]}/${index[top]}` : `${paths[top]}/${escapePointer(pendingKey ?? '')}`;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: find its end, skipping escapes
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) j += 2;
        else if (d === 0x22) break;
        else j += 1;
      }
      const top = keys.length - 1;
      const set = top >= 0 ? keys[top] : null;
      if (set !== null && set !== undefined && isKeyPosition(text, j + 1)) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return null; // bad escape: JSON.parse reports it
        }
        if (set.has(key)) return { kind: 'duplicate', path: paths[top], key };
        set.add(key);
        pendingKey = key;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (keys.length >= maxDepth) return { kind: 'depth', path: here() };
      const path = here();
      keys.push(c === 0x7b ? new Set() : null);
      paths.push(path);
      index.push(0);
      pendingKey = null;
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
      paths.pop();
      index.pop();
    } else if (c === 0x2c) {
      const top = keys.length - 1;
      if (top >= 0 && keys[top] === null) index[top] += 1;
    }
    i += 1;
  }
  return null;
}

/** After a string ending before `at`, is the next non-space character a colon (so the string was a key)? */
function isKeyPosition(text: string, at: number): boolean {
  let k = at;
  while (k < text.length) {
    const c = text.charCodeAt(k);
    if (c === 0x3a) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    k += 1;
  }
  return false;
}
