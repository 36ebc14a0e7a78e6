/**
 * Entry point of the fused recurrent kernels of @loopflow/cells. Built by
 * tools/build-wasm.js into packages/cells/wasm/{simd,relaxed}{,-mt}.wasm and driven from
 * packages/cells/src/fused/. The matrix-product micro-kernels and the vector exp / sigmoid /
 * tanh come from the tensor package's AssemblyScript sources (imported at compile time).
 * Every pointer is a byte offset into linear memory; JavaScript owns the layout above
 * `heapBase()`.
 */
import { cellScratchBytes, runCellJob } from './kinds';
import { P_SEQ, P_THREADS, P_WORDS, isCurrent, param } from './team';
import { serveJobs } from '../../tensor/assembly/team';


export { heapBase, relaxedSimd, threaded } from '../../tensor/assembly/build';

/** Bytes of the team block plus the per-thread copies of the parameters for `threads` threads. */
export function teamBytes(threads: i32): usize {
  return 256 + <usize>threads * <usize>(P_WORDS * 4);
}

/**
 * Runs the job whose parameters are at `params` (team.ts) as thread `tid` of the team at
 * `team`. Thread 0 (the caller) returns when the job is done; a helper returns when it finds
 * nothing left, or at once when job `seq` is no longer current (it arrived too late).
 */
export function runJob(params: usize, team: usize, tid: i32, seq: i32): void {
  const local = team + 256 + <usize>tid * <usize>(P_WORDS * 4);
  memory.copy(local, params, <usize>(P_WORDS * 4));
  if (tid != 0 && (!isCurrent(team, seq) || param(local, P_SEQ) != seq || param(local, P_THREADS) <= tid)) return;
  runCellJob(local, team, tid);
}

/**
 * A helper thread's serving loop: spins on the team's SEQ word (up to `spin` loads) for a job
 * newer than `seen`, runs it as thread 1, and goes on waiting. Returns the last job number it
 * saw once `spin` loads pass with no new job (the caller then sleeps in Atomics.wait), or -1
 * when SEQ turns negative (stop). Spinning here rather than in JavaScript saves the helper a
 * call into WebAssembly per job, which matters for jobs of a few microseconds (streaming).
 */
export function serve(params: usize, team: usize, seen: i32, spin: i32): i32 {
  return serveJobs(params, team, seen, spin, runJob);
}

/**
 * Scratch bytes of a kernel (K_* code) for `threads` threads, with a dense input of `input`
 * features projected in the call (0: none; kinds.ts: from each cell kind's description).
 */
export function scratchBytes(kernel: i32, steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32, input: i32): usize {
  return cellScratchBytes(kernel, steps, batch, hidden, mode, threads, input);
}
