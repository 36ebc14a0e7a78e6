import { escapePointerSegment } from './json-positions';

/** The segments of a JSON pointer (`/stages/0/a~1b` -> ['stages', '0', 'a/b']). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A JSON pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapePointerSegment(String(s))}`).join('');
}

/** The value at a pointer, or undefined. */
export function getAt(root: unknown, pointer: string): unknown {
  let value: unknown = root;
  for (const segment of pointerSegments(pointer)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A deep copy of `root` with the value at `pointer` replaced (containers on the way must exist, except the last key). */
export function setAt<T>(root: T, pointer: string, value: unknown): T {
  const segments = pointerSegments(pointer);
  if (segments.length === 0) return value as T;
  const copy = JSON.parse(JSON.stringify(root)) as T;
  let node: unknown = copy;
  for (let i = 0; i < segments.length - 1; i++) node = (node as Record<string, unknown>)[segments[i]];
  (node as Record<string, unknown>)[segments[segments.length - 1]] = value;
  return copy;
}

/** Whether `pointer` is `ancestor` or lies under it. */
export function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}
