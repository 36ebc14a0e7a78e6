/**
 * Batch-1 streaming inference: one call runs one time step through every layer of a
 * unidirectional stack, with the state kept in linear memory between calls. The weights are
 * stored transposed (`W_ih^T` `[K, G*H]`, `W_hh^T` `[H, G*H]`) so a one-hot input is a row read
 * and each product `[1, K] @ [K, G*H]` reads the weights in place (no packing at one row).
 *
 * The caller describes each layer with STREAM_WORDS int32 words at `table + layer * 4 * STREAM_WORDS`:
 *   0 inputWidth K, 1 W_ih^T, 2 W_hh^T (IndRNN: w_hh [H]), 3 input bias [G*H] (b_ih + b_hh, or
 *   b_ih alone for GRU), 4 recurrent bias [G*H] (GRU's b_hh; zeros otherwise), 5 h [H],
 *   6 c [H] (LSTM; else any [H] buffer), 7 gate buffer [G*H], 8 recurrent buffer [G*H] (GRU),
 *   9 a spare [H] buffer (receives values nobody reads).
 */
import { matmul, FLAG_ACCUMULATE } from '../../tensor/assembly/matmul';
import { f4 } from './common';
import { gruCells, lstmCells, rnnCells } from './cells';

/** int32 words per layer in the table. */
export const STREAM_WORDS: i32 = 10;

/** Cell codes of {@link streamStep}. */
export const KIND_LSTM: i32 = 0;
export const KIND_GRU: i32 = 1;
export const KIND_RNN: i32 = 2;

// @ts-ignore: decorator
@inline
function word(table: usize, layer: i32, i: i32): usize {
  return <usize>load<i32>(table + (<usize>(layer * STREAM_WORDS + i) << 2));
}

/**
 * One step of every layer. `token` >= 0 reads row `token` of layer 0's W_ih^T (one-hot input);
 * otherwise `x` `[K]` is multiplied. `kind` is KIND_*, `mode` the cells.ts mode bits. Layer l
 * reads layer l-1's new h. The last layer's new h is also written to `y` `[H]`.
 */
export function streamStep(kind: i32, mode: i32, layers: i32, hidden: i32, table: usize, token: i32, x: usize, y: usize): void {
  const gates = kind == KIND_LSTM ? 4 : kind == KIND_GRU ? 3 : 1;
  const width = gates * hidden;
  for (let l = 0; l < layers; l++) {
    const inputWidth = <i32>word(table, l, 0);
    const wihT = word(table, l, 1);
    const whh = word(table, l, 2);
    const bias = word(table, l, 3);
    const biasRec = word(table, l, 4);
    const h = word(table, l, 5);
    const c = word(table, l, 6);
    const part = word(table, l, 7);
    const rec = word(table, l, 8);
    const spare = word(table, l, 9);
    const out = l == layers - 1 ? y : h;
    memory.copy(part, bias, f4(width));
    if (l == 0 && token >= 0) {
      const row = wihT + <usize>token * f4(width);
      for (let j = 0; j + 4 <= width; j += 4) {
        v128.store(part + f4(j), f32x4.add(v128.load(part + f4(j)), v128.load(row + f4(j))));
      }
      for (let j = width & ~3; j < width; j++) {
        store<f32>(part + f4(j), load<f32>(part + f4(j)) + load<f32>(row + f4(j)));
      }
    } else {
      const input = l == 0 ? x : word(table, l - 1, 5);
      matmul(input, wihT, part, 1, inputWidth, width, FLAG_ACCUMULATE, 0);
    }
    if (kind == KIND_LSTM) {
      matmul(h, whh, part, 1, hidden, width, FLAG_ACCUMULATE, 0);
      lstmCells(part, biasRec, c, c, h, out, spare, hidden, hidden);
    } else if (kind == KIND_GRU) {
      matmul(h, whh, rec, 1, hidden, width, 0, 0);
      gruCells(part, rec, biasRec, h, h, out, spare, hidden, hidden);
    } else {
      if ((mode & 2) == 0) matmul(h, whh, part, 1, hidden, width, FLAG_ACCUMULATE, 0);
      rnnCells(part, biasRec, whh, h, h, out, hidden, mode);
    }
  }
}
