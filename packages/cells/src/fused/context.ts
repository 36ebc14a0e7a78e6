/**
 * The layer runner's kernels instance (created on first use): its heap, job runner and live
 * tapes, and what tests and measurements may ask of it.
 */
import { envVar, helperThreadsAvailable } from '@loopflow/tensor';
import { TapePool } from './tape';
import { WasmHeap } from './heap';
import { FORCE_SHARED, FusedTeam, configuredThreads } from './team';
import { FusedExports, FusedVariant, createFusedInstance } from './wasm-module';

export { FORCE_SHARED };

/** The kernels instance the layer runner uses, its heap, job runner and live tapes. */
export interface FusedContext {
  readonly ex: FusedExports;
  readonly heap: WasmHeap;
  readonly team: FusedTeam;
  readonly pool: TapePool;
  readonly variant: FusedVariant;
}

let context: FusedContext | null | undefined;

/** Default cap on the bytes of tapes kept alive for pending backward passes (`LOOPFLOW_FUSED_TAPE_MB`). */
const DEFAULT_TAPE_MB = 512;

/** The layer runner's kernels instance, created on first use; null when the kernels are unavailable. */
export function fusedContext(): FusedContext | null {
  if (context !== undefined) return context;
  // The shared-memory build only where a helper can run beside the caller (not on a page's main thread).
  const instance = (configuredThreads() > 1 && helperThreadsAvailable() ? createFusedInstance(true) : null) ?? createFusedInstance(false);
  if (!instance) return (context = null);
  const { ex } = instance;
  const heap = new WasmHeap(instance.memory, ex.heapBase() >>> 0);
  const mb = Number(envVar('LOOPFLOW_FUSED_TAPE_MB') ?? DEFAULT_TAPE_MB);
  const pool = new TapePool(heap, (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_TAPE_MB) * 2 ** 20);
  context = { ex, heap, team: new FusedTeam(instance, heap), pool, variant: instance.build.variant };
  return context;
}

/** Whether the fused kernels loaded in this process (built, and the engine runs WebAssembly SIMD). */
export function fusedKernelsAvailable(): boolean {
  return fusedContext() !== null;
}

/**
 * What the fused path runs on: the build (`relaxed` or `simd`), the threads a large call may
 * use, and how many work items the helper thread has computed; null when the kernels are
 * unavailable.
 */
export function fusedKernelsInfo(): { variant: FusedVariant; threads: number; helperItems: number } | null {
  const ctx = fusedContext();
  return ctx ? { variant: ctx.variant, threads: ctx.team.threads, helperItems: ctx.team.helperItems } : null;
}

/**
 * Starts the fused kernels' helper thread (if threads are allowed) and waits up to `timeoutMs`
 * until it runs; returns whether it does. Large calls use it from then on; without this call
 * they start using it as soon as it is up (it starts on the first large call).
 */
export function fusedWaitForThreads(timeoutMs = 5000): boolean {
  return fusedContext()?.team.waitForHelper(timeoutMs) ?? false;
}

/**
 * Starts the fused kernels' helper thread (if threads are allowed) and resolves once it runs
 * (true), or after `timeoutMs` (false; also when one thread is all there is). The way to wait
 * in a browser's Web Worker, whose helpers start only while it yields: `fusedWaitForThreads`
 * cannot block there.
 *
 * @example
 * // in a dedicated Worker of a cross-origin isolated page
 * if (await fusedThreadsReady()) console.log('LSTM kernels on', fusedKernelsInfo()?.threads, 'threads');
 */
export async function fusedThreadsReady(timeoutMs = 5000): Promise<boolean> {
  const team = fusedContext()?.team;
  return team ? team.whenHelperReady(timeoutMs) : false;
}

/**
 * Limits the threads of later calls (1: the caller alone; `FORCE_SHARED`: always share large
 * calls, skipping the timing that normally decides); for measurements and tests.
 */
export function fusedThreadLimit(threads: number): void {
  const ctx = fusedContext();
  if (ctx) ctx.team.limit = threads;
}

/** Number of tapes kept for pending backward passes (diagnostics and tests). */
export function fusedLiveTapes(): number {
  return fusedContext()?.pool.liveCount ?? 0;
}
