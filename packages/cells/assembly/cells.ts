/**
 * The gate arithmetic of each cell on a segment of one batch row: `count` hidden units, gate
 * blocks `stride` floats apart. Forward functions take the pre-activations without b_hh and
 * write the activations over them; backward functions turn the activations into the gradient
 * of the pre-activation in place. When `count` is not a multiple of 4 the last vector reads a
 * few floats past the segment (never stored).
 */
import { gateSigmoid as vsigmoid, gateTanh as vtanh } from './activations';
import { madd, storeLanes, tailLanes } from '../../tensor/assembly/simd';
import { f4 } from './common';

/** rnn mode bits. */
export const MODE_RELU: i32 = 1;
export const MODE_DIAGONAL: i32 = 2;

/**
 * Gradients below this magnitude are flushed to zero in backward. A gradient that decays
 * through many steps (a loss on the last step only, as in the adding problem) otherwise turns
 * subnormal, and subnormal arithmetic is tens of times slower on x86 (WebAssembly cannot turn
 * on flush-to-zero): backward at T=256 cost ~35x more than at T=128. The bound sits well above
 * the smallest normal float32 (2^-126 ~ 1.2e-38) so that the products these values feed (dh =
 * dG @ W_hh, dW_hh = dG^T @ Hprev) stay normal too; values this small change no sum of
 * normal-sized gradients.
 */
const TINY: f32 = 1e-30;

/** `v` with its lanes of magnitude below TINY set to 0 (NaN and infinities pass unchanged). */
// @ts-ignore: decorator
@inline
function flush(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(TINY)));
}

/**
 * LSTM: `pre` (i, f, g, o blocks) -> activations; `c' = f * cIn + i * g` to `cOut`, `tanh(c')`
 * to `tanhc`, `h' = o * tanh(c')` to `hOut` and `out`. With `keep` false (a forward pass no
 * backward follows) the activations and `tanhc` are not stored: only the state and the output.
 */
// @ts-ignore: decorator
@inline
export function lstmCells(pre: usize, bias: usize, cIn: usize, cOut: usize, hOut: usize, out: usize, tanhc: usize, count: i32, stride: i32, keep: bool): void {
  const gate = f4(stride);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    const pi = pre + o4;
    const bi = bias + o4;
    const i = vsigmoid(f32x4.add(v128.load(pi), v128.load(bi)));
    const f = vsigmoid(f32x4.add(v128.load(pi + gate), v128.load(bi + gate)));
    const g = vtanh(f32x4.add(v128.load(pi + 2 * gate), v128.load(bi + 2 * gate)));
    const o = vsigmoid(f32x4.add(v128.load(pi + 3 * gate), v128.load(bi + 3 * gate)));
    const c = madd(f, v128.load(cIn + o4), f32x4.mul(i, g));
    const tc = vtanh(c);
    const h = f32x4.mul(o, tc);
    if (keep) {
      storeLanes(pi, i, valid);
      storeLanes(pi + gate, f, valid);
      storeLanes(pi + 2 * gate, g, valid);
      storeLanes(pi + 3 * gate, o, valid);
      storeLanes(tanhc + o4, tc, valid);
    }
    storeLanes(cOut + o4, c, valid);
    storeLanes(hOut + o4, h, valid);
    storeLanes(out + o4, h, valid);
  }
}

/**
 * LSTM backward: `acts` (i, f, g, o) -> gradient of the pre-activations; `dh` (+ `dout`) and
 * `dc` are the gradients of h' and c'; `dc` receives the gradient of the previous c and `dh` 0
 * (the recurrent product adds the rest).
 */
// @ts-ignore: decorator
@inline
export function lstmCellsBackward(acts: usize, cPrev: usize, tanhc: usize, dout: usize, dh: usize, dc: usize, count: i32, stride: i32): void {
  const gate = f4(stride);
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    const pi = acts + o4;
    const i = v128.load(pi);
    const f = v128.load(pi + gate);
    const g = v128.load(pi + 2 * gate);
    const o = v128.load(pi + 3 * gate);
    const tc = v128.load(tanhc + o4);
    const dhv = f32x4.add(v128.load(dh + o4), v128.load(dout + o4));
    const dct = flush(madd(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc)), v128.load(dc + o4)));
    const dO = f32x4.mul(flush(dhv), tc);
    const dI = f32x4.mul(dct, g);
    const dG = f32x4.mul(dct, i);
    const dF = f32x4.mul(dct, v128.load(cPrev + o4));
    storeLanes(pi, f32x4.mul(dI, f32x4.mul(i, f32x4.sub(one, i))), valid);
    storeLanes(pi + gate, f32x4.mul(dF, f32x4.mul(f, f32x4.sub(one, f))), valid);
    storeLanes(pi + 2 * gate, f32x4.mul(dG, f32x4.sub(one, f32x4.mul(g, g))), valid);
    storeLanes(pi + 3 * gate, f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o))), valid);
    storeLanes(dc + o4, flush(f32x4.mul(dct, f)), valid);
    storeLanes(dh + o4, zero, valid);
  }
}

/**
 * GRU: `x` (projected r, z, n blocks) -> r, z, n; `rec` the recurrent product without bias;
 * `hn` receives `rec_n + b_hn`; `h' = n + z * (hIn - n)` to `hOut` and `out`. With `keep` false
 * (no backward follows) r, z, n and `hn` are not stored: only the state and the output.
 */
// @ts-ignore: decorator
@inline
export function gruCells(x: usize, rec: usize, bias: usize, hIn: usize, hOut: usize, out: usize, hn: usize, count: i32, stride: i32, keep: bool): void {
  const gate = f4(stride);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    const px = x + o4;
    const pr = rec + o4;
    const pb = bias + o4;
    const r = vsigmoid(f32x4.add(v128.load(px), f32x4.add(v128.load(pr), v128.load(pb))));
    const z = vsigmoid(f32x4.add(v128.load(px + gate), f32x4.add(v128.load(pr + gate), v128.load(pb + gate))));
    const hnv = f32x4.add(v128.load(pr + 2 * gate), v128.load(pb + 2 * gate));
    const n = vtanh(madd(r, hnv, v128.load(px + 2 * gate)));
    const h = madd(z, f32x4.sub(v128.load(hIn + o4), n), n);
    if (keep) {
      storeLanes(px, r, valid);
      storeLanes(px + gate, z, valid);
      storeLanes(px + 2 * gate, n, valid);
      storeLanes(hn + o4, hnv, valid);
    }
    storeLanes(hOut + o4, h, valid);
    storeLanes(out + o4, h, valid);
  }
}

/**
 * GRU backward: `acts` (r, z, n) -> gradient of the projected input; `drec` receives the
 * gradient of the recurrent product (the n block times r); `dh` (+ `dout`) is the gradient of h'
 * and receives the direct part `dh' * z` of the previous h's gradient.
 */
// @ts-ignore: decorator
@inline
export function gruCellsBackward(acts: usize, drec: usize, hn: usize, hPrev: usize, dout: usize, dh: usize, count: i32, stride: i32): void {
  const gate = f4(stride);
  const one = f32x4.splat(1);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    const pa = acts + o4;
    const pd = drec + o4;
    const r = v128.load(pa);
    const z = v128.load(pa + gate);
    const n = v128.load(pa + 2 * gate);
    const dhv = flush(f32x4.add(v128.load(dh + o4), v128.load(dout + o4)));
    const dn = f32x4.mul(dhv, f32x4.sub(one, z));
    const dz = f32x4.mul(dhv, f32x4.sub(v128.load(hPrev + o4), n));
    const dnPre = f32x4.mul(dn, f32x4.sub(one, f32x4.mul(n, n)));
    const drPre = f32x4.mul(f32x4.mul(dnPre, v128.load(hn + o4)), f32x4.mul(r, f32x4.sub(one, r)));
    const dzPre = f32x4.mul(dz, f32x4.mul(z, f32x4.sub(one, z)));
    storeLanes(pa, drPre, valid);
    storeLanes(pa + gate, dzPre, valid);
    storeLanes(pa + 2 * gate, dnPre, valid);
    storeLanes(pd, drPre, valid);
    storeLanes(pd + gate, dzPre, valid);
    storeLanes(pd + 2 * gate, f32x4.mul(dnPre, r), valid);
    storeLanes(dh + o4, flush(f32x4.mul(dhv, z)), valid);
  }
}

/**
 * RNN / IndRNN: `pre` -> h' = act(pre + b_hh (+ w * hIn when diagonal)) to `pre`, `hOut`, `out`
 * (with `keep` false, no backward follows: not to `pre`).
 */
// @ts-ignore: decorator
@inline
export function rnnCells(pre: usize, bias: usize, w: usize, hIn: usize, hOut: usize, out: usize, count: i32, mode: i32, keep: bool): void {
  const relu = (mode & MODE_RELU) != 0;
  const diagonal = (mode & MODE_DIAGONAL) != 0;
  const zero = f32x4.splat(0);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    let p = f32x4.add(v128.load(pre + o4), v128.load(bias + o4));
    if (diagonal) p = madd(v128.load(w + o4), v128.load(hIn + o4), p);
    const y = relu ? f32x4.pmax(zero, p) : vtanh(p);
    if (keep) storeLanes(pre + o4, y, valid);
    storeLanes(hOut + o4, y, valid);
    storeLanes(out + o4, y, valid);
  }
}

/**
 * RNN / IndRNN backward: `acts` (h') -> gradient of the pre-activation; `dh` (+ `dout`) is the
 * gradient of h' and receives `dPre * w` (diagonal) or 0 (the recurrent product adds the rest).
 */
// @ts-ignore: decorator
@inline
export function rnnCellsBackward(acts: usize, w: usize, dout: usize, dh: usize, count: i32, mode: i32): void {
  const relu = (mode & MODE_RELU) != 0;
  const diagonal = (mode & MODE_DIAGONAL) != 0;
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  for (let j = 0; j < count; j += 4) {
    const valid = tailLanes(count, j);
    const o4 = f4(j);
    const y = v128.load(acts + o4);
    const dy = flush(f32x4.add(v128.load(dh + o4), v128.load(dout + o4)));
    const dPre = relu ? v128.and(dy, f32x4.gt(y, zero)) : f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
    storeLanes(acts + o4, dPre, valid);
    storeLanes(dh + o4, diagonal ? flush(f32x4.mul(dPre, v128.load(w + o4))) : zero, valid);
  }
}
