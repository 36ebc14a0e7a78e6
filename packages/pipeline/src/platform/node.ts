/**
 * Node.js on use, for the modules that a web page bundles (everything src/browser.ts reaches):
 * none of them imports a Node built-in or a Node-only package at its top, so that a bundler
 * (esbuild with default options, platform browser) builds the page without plugins, aliases or
 * shims. They reach Node here, inside the function that reads or writes a file:
 *
 * - {@link nodeBuiltin}: a built-in module through tensor's one door (`nodeModule`), or a
 *   `NODE_ONLY` error naming the feature when there is no Node (a page);
 * - {@link nodePackage}: a package that only runs in Node (@loopflow/datasets reads the
 *   installed data packages' files), required by a name that is not a literal, so that no
 *   bundler follows it, resolved from this package (its dependencies);
 * - {@link filePaths}: Node's `path`, or in a page the POSIX functions that validation and
 *   the stages call on names (a definition's `baseDir`, a CSV stage's path), which then only
 *   name files (nothing reads them).
 */
import { isNode, LoopflowError, nodeModule } from '@loopflow/tensor';
import type { NodeBuiltinName, NodeBuiltins } from '@loopflow/tensor';

/** A feature that reads or writes files (or loads a Node-only package) was used where there is no Node.js. */
export class NodeOnlyError extends LoopflowError {
  constructor(feature: string) {
    super(
      'NODE_ONLY',
      `${feature} needs Node.js (it reads or writes files), and this is not Node (a web page?); in a page pass runDir: null to the stages, ` +
        `checkFiles: false and a baseDir to checkDefinition, and replace the dataset stages by ones that read the page's data (same name and schema: { ...registry.get('co2'), create })`,
    );
    this.name = 'NodeOnlyError';
  }
}

/** Node's built-in module `name`, or a {@link NodeOnlyError} naming `feature` where there is none. */
export function nodeBuiltin<K extends NodeBuiltinName>(name: K, feature: string): NodeBuiltins[K] {
  const found = nodeModule(name);
  if (!found) throw new NodeOnlyError(feature);
  return found;
}

/**
 * The package `id` (a dependency of @loopflow/pipeline that only runs in Node), loaded on use;
 * a {@link NodeOnlyError} naming `feature` where there is no Node.
 */
export function nodePackage<T>(id: string, feature: string): T {
  // `require` of the calling bundle (CommonJS; the ESM build gets it from its banner, see
  // tools/build-package.mjs); `id` is not a literal, so a bundler leaves the call alone.
  const load = isNode() && typeof require === 'function' ? require : undefined;
  if (!load) throw new NodeOnlyError(feature);
  return load(id) as T;
}

/** The functions of `path` that the page's modules call on file names. */
export interface FilePaths {
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  dirname(p: string): string;
}

/** Node's `path`, or outside Node the POSIX functions over '/'-separated names (rooted at '/'). */
export function filePaths(): FilePaths {
  return nodeModule('path') ?? POSIX;
}

function normalize(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  return (absolute ? '/' : '') + (body || (absolute ? '' : '.'));
}

const POSIX: FilePaths = {
  join: (...parts) => normalize(parts.filter((p) => p !== '').join('/') || '.'),
  resolve: (...parts) => {
    let joined = '';
    for (let i = parts.length - 1; i >= 0 && !joined.startsWith('/'); i--) joined = parts[i] + (joined ? `/${joined}` : '');
    return normalize(joined.startsWith('/') ? joined : `/${joined}`);
  },
  dirname: (p) => {
    const n = normalize(p);
    const i = n.lastIndexOf('/');
    return i < 0 ? '.' : i === 0 ? '/' : n.slice(0, i);
  },
};

/** The POSIX fallback itself (for tests: it must agree with Node's path.posix). */
export const posixFilePaths: FilePaths = POSIX;
