/**
 * `path` in a page: the POSIX functions that modules bundled into the page call (validation
 * resolves a definition's `baseDir`), over '/'-separated names. The page passes `baseDir: '/'`.
 */
export const sep = '/';
export const delimiter = ':';

function normalizeParts(parts: string[], absolute: boolean): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  return out;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function normalize(p: string): string {
  const absolute = isAbsolute(p);
  const body = normalizeParts(p.split('/'), absolute).join('/');
  return (absolute ? '/' : '') + (body || (absolute ? '' : '.'));
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/') || '.');
}

export function resolve(...parts: string[]): string {
  let joined = '';
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(joined); i--) joined = parts[i] + (joined ? '/' + joined : '');
  return normalize(isAbsolute(joined) ? joined : '/' + joined);
}

export function dirname(p: string): string {
  const n = normalize(p);
  const i = n.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : n.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const base = normalize(p).split('/').pop() ?? '';
  return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
}

export function extname(p: string): string {
  const base = basename(p);
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i);
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export const posix = { sep, delimiter, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };
export default posix;
