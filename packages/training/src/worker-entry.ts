import { LoopflowError, nodeModule } from '@loopflow/tensor';

/**
 * How to start a worker (a thread or a child process) whose entry file sits beside the module
 * that starts it: the one rule for pipeline's search trials and benchmark's comparison jobs.
 *
 * - The caller runs from the TypeScript sources (its file ends in `.ts`: ts-node, jest, the
 *   repository's `loopflow` bin): the worker is `<name>.ts` beside it, started with ts-node
 *   preloaded (transpile only) and the repository's tsconfig, whose `paths` map the
 *   `@loopflow/*` names to the sources. Only a checkout has sources, so this needs no build.
 * - The caller runs from a build (`dist/index.cjs` or `dist/index.mjs`, as installed from a
 *   tarball): the worker is the compiled `<name>.cjs` beside it (an extra entry of the
 *   package's build), started with no loader at all.
 *
 * The caller's own file decides, so a worker always runs the same code as its parent: sources
 * never start a stale build, and a build never needs ts-node.
 */
export interface WorkerEntry {
  /** The file to start: `<name>.ts` (sources) or `<name>.cjs` (build). */
  readonly file: string;
  /** Node options the worker needs (`-r <ts-node register>` from sources; none from a build). */
  readonly execArgv: readonly string[];
  /** Variables to add to the worker's environment (ts-node's settings from sources; none from a build). */
  readonly env: Readonly<Record<string, string>>;
  /** True when the worker runs the TypeScript sources. */
  readonly fromSources: boolean;
}

type Fs = typeof import('fs');
type Path = typeof import('path');

/** Walks up from `dir` to the folder holding `name` (null at the file-system root). */
function findUp(fs: Fs, path: Path, dir: string, name: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return null;
  }
}

/**
 * The worker `name` (no extension) beside `callerFile` (pass `__filename`), and how to start it.
 *
 * @throws LoopflowError `WORKER_ENTRY_MISSING` when the entry file is not there (a build
 *   without its worker entry), `WORKER_NO_TSCONFIG` when a caller running from sources has
 *   no tsconfig.base.json above it, or `WORKER_NEEDS_NODE` outside Node.js (workers are
 *   processes or worker_threads; in a page, run the work in the page's own worker instead).
 *
 * @example
 * const { file, execArgv, env } = workerEntry(__filename, 'child');
 * fork(file, [], { execArgv: [...execArgv], env: { ...process.env, ...env } });
 */
export function workerEntry(callerFile: string, name: string): WorkerEntry {
  // Node's modules are reached here, not at import: training also runs in a page (nodeModule).
  const fs = nodeModule('fs');
  const path = nodeModule('path');
  if (!fs || !path) {
    throw new LoopflowError('WORKER_NEEDS_NODE', `cannot start the worker '${name}': starting workers needs Node.js (fs, path), which this engine does not offer`);
  }
  const dir = path.dirname(callerFile);
  const fromSources = callerFile.endsWith('.ts');
  const file = path.join(dir, `${name}${fromSources ? '.ts' : '.cjs'}`);
  if (!fs.existsSync(file)) {
    throw new LoopflowError(
      'WORKER_ENTRY_MISSING',
      `worker entry ${file} does not exist: ${fromSources ? 'the sources are incomplete' : `the build in ${dir} lacks its worker entry; rebuild the package (npm run build)`}`,
    );
  }
  if (!fromSources) return { file, execArgv: [], env: {}, fromSources };
  const base = findUp(fs, path, dir, 'tsconfig.base.json');
  if (!base) {
    throw new LoopflowError('WORKER_NO_TSCONFIG', `${callerFile} runs from TypeScript sources but no tsconfig.base.json lies above it: start workers from a build instead`);
  }
  return {
    file,
    // ts-node's register reads the root tsconfig.json (TS_NODE_PROJECT): swc, and its `require`
    // of tsconfig-paths/register maps @loopflow/* to the sources.
    execArgv: ['-r', require.resolve('ts-node/register')],
    env: { TS_NODE_PROJECT: path.join(path.dirname(base), 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
    fromSources,
  };
}
