/**
 * Entry point of the fused recurrent kernels of @loopflow/cells. Built by
 * tools/build-wasm.js into packages/cells/wasm/{simd,relaxed}{,-mt}.wasm and driven from
 * packages/cells/src/fused/. The matrix-product micro-kernels and the vector exp / sigmoid /
 * tanh come from the tensor package's AssemblyScript sources (imported at compile time).
 * Every pointer is a byte offset into linear memory; JavaScript owns the layout above
 * `heapBase()`.
 */
import { MODE_DIAGONAL } from './cells';
import { packedPlainBytes, packedTransposedBytes, align64, f4 } from './common';
import { gruBackward, gruForward, gruRecBytes } from './gru';
import { lstmBackward, lstmForward } from './lstm';
import { rnnBackward, rnnForward } from './rnn';
import {
  K_GRU_BACKWARD, K_GRU_FORWARD, K_LSTM_BACKWARD, K_LSTM_FORWARD, K_RNN_BACKWARD, K_RNN_FORWARD, P_KERNEL, P_SEQ, P_THREADS, P_WORDS,
  isCurrent, param,
} from './team';
import { weightScratchBytes } from './weights';

export { streamStep } from './stream';

/** First byte of linear memory that is free for the JavaScript side to use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

/** 1 when this build uses relaxed-SIMD FMA, else 0. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** 1 when this build shares its memory between threads (claims are atomic), else 0. */
export function threaded(): i32 {
  return ASC_FEATURE_THREADS ? 1 : 0;
}

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
  switch (param(local, P_KERNEL)) {
    case K_LSTM_FORWARD: lstmForward(local, team, tid); break;
    case K_LSTM_BACKWARD: lstmBackward(local, team, tid); break;
    case K_GRU_FORWARD: gruForward(local, team, tid); break;
    case K_GRU_BACKWARD: gruBackward(local, team, tid); break;
    case K_RNN_FORWARD: rnnForward(local, team, tid); break;
    case K_RNN_BACKWARD: rnnBackward(local, team, tid); break;
    default: break;
  }
}

/** Scratch bytes of a kernel (K_* code) for `threads` threads. */
export function scratchBytes(kernel: i32, steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32): usize {
  const diagonal = (mode & MODE_DIAGONAL) != 0;
  const rows = steps * batch;
  switch (kernel) {
    case K_LSTM_FORWARD: return packedTransposedBytes(batch, hidden, 4 * hidden);
    case K_GRU_FORWARD: return packedTransposedBytes(batch, hidden, 3 * hidden) + align64(<usize>batch * f4(3 * hidden) + 64);
    case K_RNN_FORWARD: return diagonal ? 64 : packedTransposedBytes(batch, hidden, hidden);
    case K_LSTM_BACKWARD: return max(packedPlainBytes(batch, 4 * hidden, hidden), weightScratchBytes(rows, 4 * hidden, hidden, threads));
    case K_GRU_BACKWARD: return gruRecBytes(steps, batch, hidden) + max(packedPlainBytes(batch, 3 * hidden, hidden), weightScratchBytes(rows, 3 * hidden, hidden, threads));
    case K_RNN_BACKWARD: return diagonal ? 64 : max(packedPlainBytes(batch, hidden, hidden), weightScratchBytes(rows, hidden, hidden, threads));
    default: return 64;
  }
}
