/**
 * Batch-1 streaming inference: one job runs one time step through every layer of a
 * unidirectional stack, with the state kept in linear memory between jobs. The weights are
 * stored transposed (`W_ih^T` `[K, G*H]`, `W_hh^T` `[H, G*H]`) so a one-hot input is a row read
 * and each product `[1, K] @ [K, G*H]` reads the weights in place (no packing at one row).
 *
 * With MODE_PANELS (H a multiple of 16, not IndRNN) W_hh^T is stored as panels instead: the 16
 * columns g*H + 16s .. g*H + 16s + 15 (gate g, strip s) as a contiguous [H, 16] block, in the
 * order (s, g), so a work item's panels (its strips of every gate) are one run that
 * `panelProduct` reads front to back. A step is bound by reading W_hh (256 KB for an LSTM of
 * 128 units) from L2; read in place, 64 bytes from each 2 KB row, the product took 7.9 us a
 * step on one thread against 6.6 with panels (whole LSTM steps, the two builds alternated).
 * Each strip's gate arithmetic runs right after its product, so the CPU overlaps it with the
 * next strip's weight loads; with a one-hot input the product starts from bias + the token's
 * row of W_ih^T (no separate pass that first copies the bias).
 *
 * Work items (team.ts), one phase per layer: all hidden units, or (BATCH = split > 0) two
 * items, units [0, split) and [split, H). An item computes its units' columns of every gate
 * (bias, input term, `h @ W_hh^T`) and then their gate arithmetic, writing the new h into the
 * layer's `hNext` buffer, so the old h that the other item still reads is never overwritten
 * inside a step. Layer l's phase reads layer l-1's `hNext`. After the last phase the caller
 * (thread 0) copies every `hNext` into `h`. With two threads, a step's product -- reading all
 * of W_hh, the cost of a step -- is split between them; `split` must be a multiple of 16.
 *
 * Each layer is described by STREAM_WORDS int32 words at `table + layer * 4 * STREAM_WORDS`:
 *   0 inputWidth K, 1 W_ih^T, 2 W_hh^T (IndRNN: w_hh [H]; MODE_PANELS: its panels), 3 input
 *   bias [G*H] (b_ih + b_hh, or b_ih alone for GRU), 4 recurrent bias [G*H] (GRU's b_hh; zeros
 *   otherwise), 5 h [H], 6 c [H] (LSTM; else any [H] buffer), 7 gate buffer [G*H],
 *   8 recurrent buffer [G*H] (GRU), 9 a spare [H] buffer (receives values nobody reads),
 *   10 hNext [H].
 *
 * Job parameters (team.ts slots, named P_STREAM_* below): STEPS layers, HIDDEN H, BATCH split
 * (0: one item), MODE (cells.ts mode bits and MODE_PANELS), WEIGHTS table, AUX0 cell kind
 * (KIND_*), AUX1 token (>= 0: row `token` of layer 0's W_ih^T, a one-hot input; < 0: multiply
 * `x`), AUX2 x `[K]`, OUT y `[H]` (the last layer's new h).
 *
 * The gate arithmetic is the cell kind's own (kinds.ts `forward`, the same call as in the
 * skeleton): `streamStep<C>` is compiled once per kind.
 */
import { matmulBlock, tile1, FLAG_ACCUMULATE } from '../../tensor/assembly/matmul';
import { f4 } from './common';
import { cellOf } from './skeleton';
import { P_AUX0, P_AUX1, P_AUX2, P_BATCH, P_HIDDEN, P_MODE, P_OUT, P_STEPS, P_WEIGHTS, barrier, claim, finish, jobBase, param, pointer } from './team';

/** Job parameters of a stream job (team.ts slots, named for this job). */
export const P_STREAM_LAYERS: i32 = P_STEPS;
export const P_STREAM_HIDDEN: i32 = P_HIDDEN;
export const P_STREAM_SPLIT: i32 = P_BATCH;
export const P_STREAM_MODE: i32 = P_MODE;
export const P_STREAM_TABLE: i32 = P_WEIGHTS;
export const P_STREAM_KIND: i32 = P_AUX0;
export const P_STREAM_TOKEN: i32 = P_AUX1;
export const P_STREAM_INPUT: i32 = P_AUX2;
export const P_STREAM_OUTPUT: i32 = P_OUT;

/** int32 words per layer in the table. */
export const STREAM_WORDS: i32 = 11;

/** Mode bit (beside cells.ts MODE_RELU and MODE_DIAGONAL): W_hh^T is stored as panels (see the file comment). */
export const MODE_PANELS: i32 = 4;

/** Cell codes (job parameter AUX0, P_STREAM_KIND); each kind's `streamKind()` (kinds.ts). */
export const KIND_LSTM: i32 = 0;
export const KIND_GRU: i32 = 1;
export const KIND_RNN: i32 = 2;

/** Words of a layer's entry in the table (see the file comment). */
const W_INPUT_WIDTH = 0;
const W_WIH_T = 1;
const W_WHH = 2;
const W_BIAS = 3;
const W_BIAS_REC = 4;
const W_H = 5;
const W_C = 6;
const W_GATES = 7;
const W_REC = 8;
const W_SPARE = 9;
const W_H_NEXT = 10;

// @ts-ignore: decorator
@inline
function word(table: usize, layer: i32, i: i32): usize {
  return <usize>load<i32>(table + (<usize>(layer * STREAM_WORDS + i) << 2));
}

/**
 * `part[cols] = bias[cols] + input term + (h @ W_hh^T)[cols]` (the recurrent product goes to
 * `rec` instead, overwriting it, when `apart`: GRU) for columns [j0, j1).
 */
// @ts-ignore: decorator
@inline
function columns(
  j0: i32, j1: i32, width: i32, hidden: i32, part: usize, bias: usize, token: i32, wihT: usize, input: usize, inputWidth: i32,
  h: usize, whh: usize, rec: usize, apart: bool, recurrent: bool,
): void {
  memory.copy(part + f4(j0), bias + f4(j0), f4(j1 - j0));
  if (token >= 0) {
    const row = wihT + <usize>token * f4(width);
    let j = j0;
    for (; j + 4 <= j1; j += 4) v128.store(part + f4(j), f32x4.add(v128.load(part + f4(j)), v128.load(row + f4(j))));
    for (; j < j1; j++) store<f32>(part + f4(j), load<f32>(part + f4(j)) + load<f32>(row + f4(j)));
  } else {
    matmulBlock(input, wihT, part, 1, inputWidth, width, FLAG_ACCUMULATE, 0, 0, 1, j0, j1);
  }
  if (recurrent) {
    if (apart) matmulBlock(h, whh, rec, 1, hidden, width, 0, 0, 0, 1, j0, j1);
    else matmulBlock(h, whh, part, 1, hidden, width, FLAG_ACCUMULATE, 0, 0, 1, j0, j1);
  }
}

/**
 * `out[g*H + 16s .. +16] (+)= h @ panel(s, g)` for the strips s in [s0, s1) of every gate: the
 * panels of those strips, one contiguous run from `panels + s0 * gates * H * 64` bytes (see the
 * file comment), each through matmul's 1 x 16 tile (four accumulators: 8 accumulators, or k
 * unrolled, measured slower -- V8 gives WebAssembly 16 vector registers). With `bias` != 0 the
 * columns start from `bias + row` instead (a one-hot input).
 */
// @ts-ignore: decorator
@inline
function panelProduct(h: usize, panels: usize, hidden: i32, gates: i32, s0: i32, s1: i32, out: usize, accumulate: bool, bias: usize, row: usize): void {
  const panelBytes = <usize>hidden << 6;
  let b = panels + <usize>(s0 * gates) * panelBytes;
  for (let s = s0; s < s1; s++) {
    for (let g = 0; g < gates; g++) {
      const j = f4(g * hidden + (s << 4));
      if (bias != 0) {
        for (let i: usize = 0; i < 64; i += 16) v128.store(out + j + i, f32x4.add(v128.load(bias + j + i), v128.load(row + j + i)));
      }
      tile1(h, b, 64, hidden, out + j, 16, accumulate || bias != 0);
      b += panelBytes;
    }
  }
}

/**
 * One streamed step of every layer for cell kind C (see the file comment); run through
 * kinds.ts `runCellJob` when the job's P_STREAM_KIND is C's `streamKind()`.
 */
export function streamStep<C>(p: usize, team: usize, tid: i32): void {
  const cell = cellOf<C>();
  const layers = param(p, P_STREAM_LAYERS);
  const hidden = param(p, P_STREAM_HIDDEN);
  const mode = param(p, P_STREAM_MODE);
  const table = pointer(p, P_STREAM_TABLE);
  const token0 = param(p, P_STREAM_TOKEN);
  const x = pointer(p, P_STREAM_INPUT);
  const y = pointer(p, P_STREAM_OUTPUT);
  const gates = cell.gates();
  const width = gates * hidden;
  // Two items per layer: units [0, split) and [split, H). The caller claims the first at once;
  // the helper, which learns of the job a little later, takes the second.
  const split = param(p, P_STREAM_SPLIT);
  const items = split > 0 && split < hidden ? 2 : 1;
  const panels = (mode & MODE_PANELS) != 0;
  const apart = cell.productApart();
  // The product in `columns` (in place of the panels; none for a diagonal recurrence).
  const recurrent = cell.hasProduct(mode) && !panels;
  let phase = jobBase(p);
  for (let l = 0; l < layers; l++) {
    const inputWidth = <i32>word(table, l, W_INPUT_WIDTH);
    const wihT = word(table, l, W_WIH_T);
    const whh = word(table, l, W_WHH);
    const bias = word(table, l, W_BIAS);
    const biasRec = word(table, l, W_BIAS_REC);
    const h = word(table, l, W_H);
    const c = word(table, l, W_C);
    const part = word(table, l, W_GATES);
    const rec = apart ? word(table, l, W_REC) : 0;
    const spare = word(table, l, W_SPARE);
    const hNext = word(table, l, W_H_NEXT);
    const token = l == 0 ? token0 : -1;
    const input = l == 0 ? x : word(table, l - 1, W_H_NEXT);
    const out = l == layers - 1 ? y : hNext;
    const end = phase + items;
    for (;;) {
      const q = claim(team, end);
      if (q < 0) break;
      const u0 = q == phase ? 0 : split;
      const units = items == 1 ? hidden : q == phase ? split : hidden - split;
      // A one-hot input with panels (and no product kept apart): the product starts from
      // bias + row `token` of W_ih^T itself.
      const direct = panels && token >= 0 && !apart;
      if (direct) {
        // nothing to prepare
      } else if (units == hidden) {
        columns(0, width, width, hidden, part, bias, token, wihT, input, inputWidth, h, whh, rec, apart, recurrent);
      } else {
        for (let g = 0; g < gates; g++) {
          const j0 = g * hidden + u0;
          columns(j0, j0 + units, width, hidden, part, bias, token, wihT, input, inputWidth, h, whh, rec, apart, recurrent);
        }
      }
      // With panels, strip by strip: the strip's product, then its gate arithmetic.
      const chunk = panels ? 16 : units;
      for (let v0 = u0; v0 < u0 + units; v0 += chunk) {
        if (panels) {
          const row = direct ? wihT + <usize>token * f4(width) : 0;
          panelProduct(h, whh, hidden, gates, v0 >> 4, (v0 >> 4) + 1, apart ? rec : part, !apart, direct ? bias : 0, row);
        }
        const o = f4(v0);
        // The state is updated in place (c) or into hNext (h); `spare` takes the tape value
        // the kind keeps for backward, which streaming does not need.
        cell.forward(part + o, rec + o, biasRec + o, whh + o, h + o, hNext + o, c + o, c + o, out + o, spare + o, chunk, hidden, mode, true);
      }
      finish(team, tid);
    }
    barrier(team, end);
    phase = end;
  }
  if (tid == 0) {
    for (let l = 0; l < layers; l++) memory.copy(word(table, l, W_H), word(table, l, W_H_NEXT), f4(hidden));
  }
}
