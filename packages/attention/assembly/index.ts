/**
 * Entry point of the fused attention kernels of @loopflow/attention (flash.ts), built by
 * tools/build-wasm.js into packages/attention/wasm/{simd,relaxed}{,-mt}.wasm and driven from
 * packages/attention/src/fused/. Every pointer is a byte offset into linear memory; JavaScript
 * owns the layout above `heapBase()`.
 *
 * A job is one pass (forward or backward) over B * heads items, one (batch, head) pair each.
 * Threads (the caller and, in the `-mt` builds, a helper on the same shared memory) claim
 * items with a compare-exchange on the team block's NEXT counter and count them in DONE;
 * item numbers grow across jobs (the job's first one is in its parameters), so a helper that
 * arrives late finds nothing left and a descheduled helper holds up the job by at most the item
 * it claimed. The caller returns once DONE reaches the job's end.
 *
 * Team block (bytes at `team`): NEXT i64 at 0, DONE i64 at 8, SEQ i32 at 16 (job number, odd
 * while the caller writes parameters, -1 = stop), READY at 20, HELPED at 28 (items helpers
 * computed), SLEEP at 32; then one copy of the parameters per thread.
 */
import { Problem, backwardItem, forwardItem, scratchBytesFor } from './flash';
import { TEAM_DONE, TEAM_SEQ, claim, finish, jobBaseAt, param, pointer, serveJobs } from '../../tensor/assembly/team';

/** Bytes of the team block before the per-thread parameter copies. */
const TEAM_HEAD: usize = 256;
/** Bytes per thread after the head: its copy of the parameter words, then its `Problem`. */
const THREAD_BYTES: usize = 2 * 48 * 4;

/** Parameter words (mirrored in src/fused/kernels.ts `P`). */
const P_KERNEL: i32 = 0;
const P_ITEMS: i32 = 1;
const P_HEADS: i32 = 2;
const P_TQ: i32 = 3;
const P_TK: i32 = 4;
const P_DK: i32 = 5;
const P_DV: i32 = 6;
const P_CAUSAL: i32 = 7;
const P_Q: i32 = 8;
const P_K: i32 = 9;
const P_V: i32 = 10;
const P_O: i32 = 11;
const P_LSE: i32 = 12;
const P_DOUT: i32 = 13;
const P_DQ: i32 = 14;
const P_DK_: i32 = 15;
const P_DV_: i32 = 16;
const P_KEY_MASK: i32 = 17;
const P_MASK: i32 = 18;
const P_MASK_B: i32 = 19;
const P_MASK_H: i32 = 20;
const P_SCALE: i32 = 21;
const P_SCRATCH: i32 = 22;
const P_SCRATCH_BYTES: i32 = 23;
const P_THREADS: i32 = 24;
const P_BASE_LO: i32 = 25;
const P_BASE_HI: i32 = 26;
const P_SEQ: i32 = 27;
const P_STRIDES: i32 = 28; // 12 words: q, k, v, o x (batch, head, position)
const P_QUERY_OFFSET: i32 = 40;
const P_WORDS: i32 = 48;

const K_FORWARD: i32 = 1;
const K_BACKWARD: i32 = 2;

export { heapBase, relaxedSimd, threaded } from '../../tensor/assembly/build';

/** Bytes of the team block for `threads` threads. */
export function teamBytes(threads: i32): usize {
  return TEAM_HEAD + <usize>threads * THREAD_BYTES;
}

/** Bytes of one thread's scratch for a forward (`backward` 0) or backward job. */
export function scratchBytes(tq: i32, tk: i32, dk: i32, dv: i32, backward: i32): usize {
  return scratchBytesFor(tq, tk, dk, dv, backward);
}

/** The job's problem, read from the parameter words. */
function problemOf(params: usize): Problem {
  const p = changetype<Problem>(params + <usize>(P_WORDS * 4));
  p.heads = param(params, P_HEADS);
  p.tq = param(params, P_TQ);
  p.tk = param(params, P_TK);
  p.dk = param(params, P_DK);
  p.dv = param(params, P_DV);
  p.causal = param(params, P_CAUSAL);
  p.qoff = param(params, P_QUERY_OFFSET);
  p.scale = load<f32>(params + (<usize>P_SCALE << 2));
  p.q = pointer(params, P_Q);
  p.k = pointer(params, P_K);
  p.v = pointer(params, P_V);
  p.o = pointer(params, P_O);
  p.lse = pointer(params, P_LSE);
  p.dout = pointer(params, P_DOUT);
  p.dq = pointer(params, P_DQ);
  p.dk_ = pointer(params, P_DK_);
  p.dv_ = pointer(params, P_DV_);
  p.keyMask = pointer(params, P_KEY_MASK);
  p.mask = pointer(params, P_MASK);
  p.maskB = param(params, P_MASK_B);
  p.maskH = param(params, P_MASK_H);
  p.qb = param(params, P_STRIDES); p.qh = param(params, P_STRIDES + 1); p.qt = param(params, P_STRIDES + 2);
  p.kb = param(params, P_STRIDES + 3); p.kh = param(params, P_STRIDES + 4); p.kt = param(params, P_STRIDES + 5);
  p.vb = param(params, P_STRIDES + 6); p.vh = param(params, P_STRIDES + 7); p.vt = param(params, P_STRIDES + 8);
  p.ob = param(params, P_STRIDES + 9); p.oh = param(params, P_STRIDES + 10); p.ot = param(params, P_STRIDES + 11);
  return p;
}

/**
 * Runs the job whose parameters are at `params` as thread `tid` of the team at `team`.
 * Thread 0 (the caller) returns when every item is done; a helper returns when it finds
 * nothing left, or at once when job `seq` is no longer current.
 */
export function runJob(params: usize, team: usize, tid: i32, seq: i32): void {
  // Each thread reads its own copy of the words (the caller may write the next job's meanwhile),
  // followed by room for its Problem.
  const local = team + TEAM_HEAD + <usize>tid * THREAD_BYTES;
  memory.copy(local, params, <usize>(P_WORDS * 4));
  if (tid != 0) {
    if (ASC_FEATURE_THREADS) {
      if (atomic.load<i32>(team + TEAM_SEQ) != seq) return;
    }
    if (param(local, P_SEQ) != seq || param(local, P_THREADS) <= tid) return;
  }
  const p = problemOf(local);
  const kernel = param(local, P_KERNEL);
  const items = param(local, P_ITEMS);
  const base = jobBaseAt(local, P_BASE_LO, P_BASE_HI);
  const end = base + <i64>items;
  const scratch = pointer(local, P_SCRATCH) + <usize>tid * pointer(local, P_SCRATCH_BYTES);
  for (;;) {
    const item = claim(team, end);
    if (item < 0) break;
    const index = <i32>(item - base);
    const b = index / p.heads;
    const h = index - b * p.heads;
    if (kernel == K_FORWARD) forwardItem(p, b, h, scratch);
    else if (kernel == K_BACKWARD) backwardItem(p, b, h, scratch);
    finish(team, tid);
  }
  if (ASC_FEATURE_THREADS) {
    if (tid == 0) {
      while (atomic.load<i64>(team + TEAM_DONE) < end) {
        // spin: the helper is finishing the item it claimed
      }
    }
  }
}

/**
 * A helper thread's serving loop: spins on SEQ (up to `spin` loads) for a job newer than
 * `seen`, runs it as thread 1, and goes on waiting. Returns the last job number it saw once
 * `spin` loads pass with no new job (it then sleeps in Atomics.wait), or -1 on stop.
 */
export function serve(params: usize, team: usize, seen: i32, spin: i32): i32 {
  return serveJobs(params, team, seen, spin, runJob);
}
