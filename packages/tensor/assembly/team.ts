/**
 * Work sharing between the threads that run one kernel call (a "job") on a shared memory: the
 * protocol of the runtime's thread team (packages/tensor/src/runtime/team.ts), shared by the
 * fused kernels of @loopflow/cells and @loopflow/attention (imported at compile time).
 *
 * A job is a fixed sequence of phases (the same for every thread, never dependent on data);
 * each phase is a number of items (e.g. blocks of batch rows that run every time step, or
 * blocks of rows of the weight gradient). Items carry
 * absolute numbers that grow across jobs, so a phase is the range [begin, begin + count).
 * Every thread claims items with a compare-exchange on NEXT, computes them, and counts them in
 * DONE; a thread that finds no item left waits until DONE reaches the end of the phase. So a
 * thread that is not scheduled never holds up the others except for the one item it claimed,
 * and a thread that arrives late skips the phases already done. With one thread (or in the
 * builds without the threads feature) claiming is a plain increment.
 *
 * The team block (int32 words at `team`): NEXT (i64), DONE (i64), SEQ (job number, odd while
 * the main thread writes the parameters), READY (helpers started), PARAMS (pointer), HELPED
 * (items helpers computed: statistics), SLEEP (1 while the helper sleeps in Atomics.wait: the
 * main thread calls Atomics.notify, which costs ~0.7 us here, only then).
 */

export const TEAM_NEXT: usize = 0;
export const TEAM_DONE: usize = 8;
export const TEAM_SEQ: usize = 16;
export const TEAM_READY: usize = 20;
export const TEAM_PARAMS: usize = 24;
export const TEAM_HELPED: usize = 28;
export const TEAM_SLEEP: usize = 32;
/** Bytes of the team block (a cache line each for the counters). */
export const TEAM_BYTES: usize = 192;

/** Claims the next item below `end`; returns its number, or -1 when the phase has none left. */
// @ts-ignore: decorator
@inline
export function claim(team: usize, end: i64): i64 {
  if (ASC_FEATURE_THREADS) {
    for (;;) {
      const q = atomic.load<i64>(team + TEAM_NEXT);
      if (q >= end) return -1;
      if (atomic.cmpxchg<i64>(team + TEAM_NEXT, q, q + 1) == q) return q;
    }
  } else {
    const q = load<i64>(team + TEAM_NEXT);
    if (q >= end) return -1;
    store<i64>(team + TEAM_NEXT, q + 1);
    return q;
  }
  return -1;
}

/** Counts one finished item (and, for a helper, `tid` != 0, one helped item: statistics). */
// @ts-ignore: decorator
@inline
export function finish(team: usize, tid: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (tid != 0) atomic.add<i32>(team + TEAM_HELPED, 1);
    atomic.add<i64>(team + TEAM_DONE, 1);
  } else {
    store<i64>(team + TEAM_DONE, load<i64>(team + TEAM_DONE) + 1);
  }
}

/** Waits until every item below `end` is finished. */
// @ts-ignore: decorator
@inline
export function barrier(team: usize, end: i64): void {
  if (ASC_FEATURE_THREADS) {
    while (atomic.load<i64>(team + TEAM_DONE) < end) {
      // spin: phases last microseconds
    }
  }
}

/** Whether job `seq` is still the current one (a late helper must not start a newer job's stale copy). */
// @ts-ignore: decorator
@inline
export function isCurrent(team: usize, seq: i32): bool {
  if (ASC_FEATURE_THREADS) return atomic.load<i32>(team + TEAM_SEQ) == seq;
  return true;
}

/** Word `i` of the parameters. */
// @ts-ignore: decorator
@inline
export function param(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

/** A pointer parameter. */
// @ts-ignore: decorator
@inline
export function pointer(params: usize, i: i32): usize {
  return <usize>load<u32>(params + (<usize>i << 2));
}

/** The job's first item number, from its two parameter words (low, high). */
// @ts-ignore: decorator
@inline
export function jobBaseAt(params: usize, lo: i32, hi: i32): i64 {
  return (<i64>load<u32>(params + (<usize>hi << 2)) << 32) | <i64>load<u32>(params + (<usize>lo << 2));
}

/**
 * A helper thread's serving loop: spins on SEQ (up to `spin` loads) for a job newer than
 * `seen` and runs it as thread 1 through `run`; returns the last job number it saw once `spin`
 * loads pass with no new job (it then sleeps in Atomics.wait), or -1 on stop.
 */
// @ts-ignore: decorator
@inline
export function serveJobs(params: usize, team: usize, seen: i32, spin: i32, run: (params: usize, team: usize, tid: i32, seq: i32) => void): i32 {
  if (!ASC_FEATURE_THREADS) return seen;
  for (;;) {
    let seq = atomic.load<i32>(team + TEAM_SEQ);
    for (let i = 0; seq >= 0 && (seq == seen || (seq & 1) == 1) && i < spin; i++) seq = atomic.load<i32>(team + TEAM_SEQ);
    if (seq < 0) return -1;
    if (seq == seen || (seq & 1) == 1) return seen;
    seen = seq;
    run(params, team, 1, seq);
  }
  return seen;
}
