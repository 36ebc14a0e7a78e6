/**
 * The cells kernels' side of the team protocol: the job parameters and how a layer's work is cut
 * into items. The protocol itself (team block, claim / finish / barrier) is tensor's
 * (packages/tensor/assembly/team.ts), imported at compile time and re-exported here.
 */
export { TEAM_NEXT, TEAM_DONE, TEAM_SEQ, TEAM_READY, TEAM_PARAMS, TEAM_HELPED, TEAM_SLEEP, TEAM_BYTES, claim, finish, barrier, isCurrent, param, pointer } from '../../tensor/assembly/team';
import { jobBaseAt } from '../../tensor/assembly/team';

/**
 * Parameters of a job: int32 words at `params` (mirrored in src/fused/team.ts `P`).
 */
export const P_KERNEL: i32 = 0;
export const P_STEPS: i32 = 1;
export const P_BATCH: i32 = 2;
export const P_HIDDEN: i32 = 3;
export const P_REVERSE: i32 = 4;
export const P_MODE: i32 = 5;
export const P_WEIGHTS: i32 = 6;
export const P_LENGTHS: i32 = 7;
export const P_WHH: i32 = 8;
export const P_BHH: i32 = 9;
export const P_ACTS: i32 = 10;
export const P_AUX0: i32 = 11;
export const P_AUX1: i32 = 12;
export const P_AUX2: i32 = 13;
export const P_OUT: i32 = 14;
export const P_H: i32 = 15;
export const P_C: i32 = 16;
export const P_DOUT: i32 = 17;
export const P_DH: i32 = 18;
export const P_DC: i32 = 19;
export const P_DWHH: i32 = 20;
export const P_DBHH: i32 = 21;
export const P_SCRATCH: i32 = 22;
export const P_THREADS: i32 = 23;
export const P_BASE_LO: i32 = 24;
export const P_BASE_HI: i32 = 25;
export const P_SEQ: i32 = 26;
/**
 * The layer's input, when the call projects it itself (input.ts): X `[T, B, I]` (0: ACTS
 * already holds the projected input), INPUT (I), WIH `[G*H, I]`, BIH `[G*H]` (0: no bias);
 * backward: DX `[T, B, I]` (0: not wanted), DWIH `[G*H, I]` and DBIH `[G*H]` (DWIH 0: not wanted).
 */
export const P_X: i32 = 27;
export const P_INPUT: i32 = 28;
export const P_WIH: i32 = 29;
export const P_BIH: i32 = 30;
export const P_DX: i32 = 31;
export const P_DWIH: i32 = 32;
export const P_DBIH: i32 = 33;
/**
 * Forward kernels: 1 when no backward follows (a pass without gradients): the state steps read
 * lives in two `[B, H]` slots used in turn (each tape slot the kind has is then `[2, B, H]`),
 * and the activations and per-step values only backward reads are not stored; 0 (the default):
 * the full tape.
 */
export const P_NO_TAPE: i32 = 34;
/** Words of the parameter block: 48 (192 bytes, three cache lines), so each thread's copy (index.ts `runJob`) has cache lines of its own. */
export const P_WORDS: i32 = 48;

/** Kernel codes of `P_KERNEL`. */
export const K_LSTM_FORWARD: i32 = 1;
export const K_LSTM_BACKWARD: i32 = 2;
export const K_GRU_FORWARD: i32 = 3;
export const K_GRU_BACKWARD: i32 = 4;
export const K_RNN_FORWARD: i32 = 5;
export const K_RNN_BACKWARD: i32 = 6;
export const K_STREAM: i32 = 7;

/** The job's first item number. */
// @ts-ignore: decorator
@inline
export function jobBase(params: usize): i64 {
  return jobBaseAt(params, P_BASE_LO, P_BASE_HI);
}

/**
 * Hidden units per chunk: a multiple of 16 (so each gate's columns of a chunk are whole
 * 16-column strips of the packed product) giving about 8 chunks; all of H (one chunk) when H is
 * not a multiple of 16. A step works chunk by chunk: the chunk's columns of the product, then
 * the gate arithmetic of its units, while the pre-activations are still in L1.
 */
export function chunkUnits(hidden: i32): i32 {
  if ((hidden & 15) != 0) return hidden;
  let units = 16;
  while (hidden / units > 8) units += 16;
  while (hidden % units != 0) units += 16;
  return units;
}

/**
 * Batch rows per work item. The rows of a batch are independent recurrences, so an item runs
 * all T steps of its rows with no synchronisation; one item per job for one thread, else
 * about four items per thread (even sizes, at least 2 rows) so that a thread that is not
 * scheduled holds up the job by at most a small share.
 */
export function blockRows(batch: i32, threads: i32): i32 {
  if (threads <= 1) return batch;
  let rows = (batch + 4 * threads - 1) / (4 * threads);
  rows = (rows + 1) & ~1;
  return rows < 2 ? 2 : rows;
}

/** Number of batch-row items. */
export function blockCount(batch: i32, threads: i32): i32 {
  const rows = blockRows(batch, threads);
  return (batch + rows - 1) / rows;
}
