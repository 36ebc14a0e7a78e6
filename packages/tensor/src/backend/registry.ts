import { BackendError } from './backend-error';
import { Kernels } from './kernels';
import { referenceKernels } from './reference';
import { createWasmBackend } from './wasm-backend';
import { BUILD_HINT } from '../runtime/builds';
import { envVar, writeDiagnostic } from '../runtime/node';
import { loadWasmModule } from './wasm-loader';
import { PartialKernels, withFallback } from './with-fallback';

/**
 * Chooses the kernels the ops run on.
 *
 * - float64 always runs on the reference kernels.
 * - float32 runs on the active backend; a backend that lacks a kernel gets it from the
 *   reference (see `withFallback`), and the wasm kernels themselves hand Float64Array
 *   operands and calls below their size thresholds to the reference.
 * - The active backend is chosen on first use from the environment variable
 *   `LOOPFLOW_BACKEND` (any {@link BackendName}), else 'auto'; `setBackend` changes it.
 * - 'auto' takes the fastest available: wasm-relaxed > wasm-simd > reference. If the .wasm
 *   files were not built it warns once on stderr and uses the reference kernels; asking for a
 *   wasm backend by name (setBackend or the environment) throws instead.
 * - The wasm backends run products of at least 2^20 multiply-adds on two threads where the
 *   machine has two cores (`LOOPFLOW_THREADS` overrides; see wasm-backend.ts and runtime/threads.ts).
 */

/** Backends that can be active. */
export type ConcreteBackendName = 'reference' | 'wasm-simd' | 'wasm-relaxed';
/** What `setBackend` accepts: a concrete backend, 'wasm' (best wasm) or 'auto' (best overall). */
export type BackendName = 'auto' | 'wasm' | ConcreteBackendName;

/** Every name `setBackend` accepts. */
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'reference', 'wasm', 'wasm-simd', 'wasm-relaxed'];

/** The environment variable read on first use. */
export const BACKEND_ENV = 'LOOPFLOW_BACKEND';

/** A backend as made by its factory: its kernels and how many threads its matmul uses. */
interface Made {
  readonly kernels: PartialKernels;
  readonly threads: number;
}

/** How to make a concrete backend (wasm ones may throw a BackendError). */
const FACTORIES: Record<ConcreteBackendName, () => Made> = {
  reference: () => ({ kernels: referenceKernels, threads: 1 }),
  'wasm-simd': () => createWasmBackend('simd'),
  'wasm-relaxed': () => createWasmBackend('relaxed'),
};

/** Fastest first. */
const PREFERENCE: readonly ConcreteBackendName[] = ['wasm-relaxed', 'wasm-simd', 'reference'];

/** Loaded backends, and the reason each one that failed could not load. */
const loaded = new Map<ConcreteBackendName, Kernels>();
const threadCounts = new Map<ConcreteBackendName, number>();
const failures = new Map<ConcreteBackendName, BackendError>();

let active: Kernels | undefined;
let activeName: ConcreteBackendName | undefined;
let warned = false;

function load(name: ConcreteBackendName): Kernels | BackendError {
  const done = loaded.get(name) ?? failures.get(name);
  if (done) return done;
  try {
    const made = FACTORIES[name]();
    const kernels = withFallback(made.kernels, referenceKernels);
    loaded.set(name, kernels);
    threadCounts.set(name, made.threads);
    return kernels;
  } catch (err) {
    // A malformed setting is the caller's to fix, not a reason to fall back.
    if (err instanceof BackendError && err.code === 'BACKEND_CONFIG') throw err;
    const error = err instanceof BackendError ? err : new BackendError('WASM_LOAD_FAILED', `backend '${name}' failed to load: ${String(err)}`, { cause: err });
    failures.set(name, error);
    return error;
  }
}

/** Whether a backend can load, without creating it (no instance, no helper thread). */
function canLoad(name: ConcreteBackendName): boolean {
  if (loaded.has(name)) return true;
  if (failures.has(name)) return false;
  if (name === 'reference') return true;
  try {
    loadWasmModule(name === 'wasm-simd' ? 'simd' : 'relaxed'); // compiled once, cached
    return true;
  } catch {
    return false;
  }
}

/** The concrete backends that can run in this process, slowest first (always includes 'reference'). */
export function availableBackends(): ConcreteBackendName[] {
  return PREFERENCE.filter(canLoad).reverse();
}

function unavailable(requested: BackendName, reasons: BackendError[], source: string): BackendError {
  // The loader's messages end with the build hint; say it once, at the end.
  const why = [...new Set(reasons.map((r) => r.message.replace(`; ${BUILD_HINT}`, '')))].join('; ');
  return new BackendError(
    'BACKEND_UNAVAILABLE',
    `backend '${requested}'${source} is not available: ${why}. ` +
      `Available: ${availableBackends().join(', ')}. To build the WebAssembly kernels, ${BUILD_HINT}.`,
  );
}

function activate(name: ConcreteBackendName, kernels: Kernels): void {
  active = kernels;
  activeName = name;
}

function select(name: string, source: string): void {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(
      'BACKEND_UNKNOWN',
      `unknown backend '${name}'${source}; expected one of: ${BACKEND_NAMES.join(', ')}`,
    );
  }
  const requested = name as BackendName;
  if (requested === 'auto' || requested === 'wasm') {
    const candidates = PREFERENCE.filter((c) => requested === 'auto' || c !== 'reference');
    const reasons: BackendError[] = [];
    for (const candidate of candidates) {
      const result = load(candidate);
      if (!(result instanceof BackendError)) {
        if (requested === 'auto' && candidate === 'reference') warnOnce(reasons);
        activate(candidate, result);
        return;
      }
      reasons.push(result);
    }
    throw unavailable(requested, reasons, source);
  }
  const result = load(requested);
  if (result instanceof BackendError) throw unavailable(requested, [result], source);
  activate(requested, result);
}

/** 'auto' fell back to the reference kernels: say why once, unless it is expected. */
function warnOnce(reasons: BackendError[]): void {
  if (warned) return;
  warned = true;
  const notBuilt = reasons.find((r) => r.code === 'WASM_NOT_BUILT');
  const detail = notBuilt ? `${notBuilt.message}` : reasons.map((r) => r.message).join('; ');
  writeDiagnostic(`loopflow: using the reference kernels (slow) — ${detail}`);
}

function ensureActive(): Kernels {
  if (active === undefined) {
    const fromEnv = envVar(BACKEND_ENV);
    if (fromEnv !== undefined && fromEnv !== '') select(fromEnv, ` (from ${BACKEND_ENV}=${fromEnv})`);
    else select('auto', '');
  }
  return active!;
}

/**
 * Selects the backend for float32 kernels: 'auto' (fastest available), 'wasm' (fastest
 * WebAssembly build), 'wasm-relaxed', 'wasm-simd' or 'reference'.
 * @throws BackendError `BACKEND_UNKNOWN` for another name, `BACKEND_UNAVAILABLE` if the
 *   backend cannot run here (the message lists what is available and how to build the wasm);
 *   the previous backend then stays active.
 */
export function setBackend(name: BackendName): void {
  select(name, '');
}

/** The concrete backend float32 kernels run on now, e.g. 'wasm-relaxed'. */
export function getBackendName(): ConcreteBackendName {
  ensureActive();
  return activeName!;
}

/**
 * How many threads the active backend's matmul uses for large products (1 for the reference;
 * for wasm see `LOOPFLOW_THREADS` in wasm-backend.ts).
 */
export function getBackendThreads(): number {
  ensureActive();
  return threadCounts.get(activeName!) ?? 1;
}

/**
 * The kernels for a dtype: always the reference for float64, the active backend for float32.
 * @throws BackendError on first use if `LOOPFLOW_BACKEND` names an unknown or unavailable backend.
 */
export function getKernels(dtype: 'float32' | 'float64'): Kernels {
  if (dtype === 'float64') return referenceKernels;
  return ensureActive();
}

/**
 * Forgets the active backend so the next call chooses again (re-reading `LOOPFLOW_BACKEND`).
 * Loaded backends stay cached. For tests.
 */
export function resetBackendForTesting(): void {
  active = undefined;
  activeName = undefined;
  warned = false;
}
