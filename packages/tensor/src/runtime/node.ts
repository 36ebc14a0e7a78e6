/**
 * The one door to Node.js from the packages that run in a page (tensor, layers, cells,
 * attention, losses, optimizers, data's operators, training): Node's built-in modules, the
 * environment and stderr, reached inside the functions that need them, never at a module's
 * top level, and absent (undefined) where there is no Node (a browser), so that callers fall
 * back: one thread, no V8 flags, no environment settings, no file reading.
 *
 * A static `import * as fs from 'fs'` would make every bundle for a browser need a Node
 * polyfill (or fail to build); this module has no such import, and a bundler sees no module
 * name it would have to resolve.
 */

/** The built-in modules the packages use, by name. */
export interface NodeBuiltins {
  fs: typeof import('fs');
  path: typeof import('path');
  os: typeof import('os');
  v8: typeof import('v8');
  worker_threads: typeof import('worker_threads');
  crypto: typeof import('crypto');
  stream: typeof import('stream');
}

/** A name of {@link NodeBuiltins}. */
export type NodeBuiltinName = keyof NodeBuiltins;

/** What this module reads of Node's `process` (nothing of it exists in a browser). */
interface NodeProcess {
  readonly versions?: { readonly node?: string };
  readonly version?: string;
  readonly env?: Record<string, string | undefined>;
  readonly stderr?: { write(text: string): unknown };
  getBuiltinModule?(id: string): unknown;
}

/** `globalThis.process`, if there is one (Node, or a bundler's stand-in). */
function processObject(): NodeProcess | undefined {
  const found = (globalThis as { process?: unknown }).process;
  return typeof found === 'object' && found !== null ? (found as NodeProcess) : undefined;
}

/** Whether this is Node.js (not a browser, even one whose bundler defines a `process`). */
export function isNode(): boolean {
  return typeof processObject()?.versions?.node === 'string';
}

/**
 * Node's built-in module `name`, or undefined where there is none (a browser, or a Node ESM
 * program on Node < 20.16, which has neither `process.getBuiltinModule` nor `require`).
 * Call it inside the function that needs the module, never at a module's top level.
 *
 * @example
 * const fs = nodeModule('fs');
 * if (!fs) throw new Error('reading files needs Node.js');
 */
export function nodeModule<K extends NodeBuiltinName>(name: K): NodeBuiltins[K] | undefined {
  const proc = processObject();
  if (typeof proc?.versions?.node !== 'string') return undefined;
  // Node >= 20.16 / 22.3: works in CommonJS and ESM alike, bundled or not.
  if (typeof proc.getBuiltinModule === 'function') return proc.getBuiltinModule(name) as NodeBuiltins[K] | undefined;
  try {
    // Older Node, CommonJS only. The name is not a literal, so bundlers leave it alone.
    return typeof require === 'function' ? (require(name) as NodeBuiltins[K]) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment variable `name`, or undefined where it is unset or there is no environment (a browser). */
export function envVar(name: string): string | undefined {
  const env = processObject()?.env;
  if (typeof env !== 'object' || env === null) return undefined;
  const value = env[name];
  return typeof value === 'string' ? value : undefined;
}

/** The engine, for messages: `Node v20.20.2`, or `this JavaScript engine` outside Node. */
export function engineName(): string {
  const proc = processObject();
  return typeof proc?.versions?.node === 'string' ? `Node ${proc.version ?? `v${proc.versions.node}`}` : 'this JavaScript engine';
}

/** Writes a line of diagnostics to stderr (Node) or `console.warn` (elsewhere). */
export function writeDiagnostic(line: string): void {
  const stderr = processObject()?.stderr;
  if (stderr && typeof stderr.write === 'function') stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  else if (typeof console !== 'undefined') console.warn(line.replace(/\n$/, ''));
}
