import { LoopflowError, ShapeError, Tensor, allocate, fmtShape, getKernels, isGradEnabled, record } from '@loopflow/tensor';
import { Reduction, checkReduction } from './reduction';
import { MaskLike, resolveMask } from './mask';
import { ClassTargets, readClassTargets } from './class-targets';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /**
   * `'mean'` (default): the mean over the positions taking part (not ignored, weighted by
   * mask and class weights, as PyTorch); `'sum'`; `'none'`: one loss per position, shape
   * `[...]` (0 where ignored).
   */
  reduction?: Reduction;
  /** A target equal to this is ignored: no loss, no gradient, not counted by 'mean' (default -100, as PyTorch). */
  ignoreIndex?: number;
  /**
   * Weights per position (`[...]`, the targets' shape, or a leading part of it such as `[B]`
   * for per-sequence weights); 0 ignores a position. 'mean' divides by the sum of the weights
   * of the positions taking part. Not a PyTorch option: it generalises `ignoreIndex` to
   * padding masks.
   */
  mask?: MaskLike;
  /**
   * Label smoothing in [0, 1], as PyTorch's `label_smoothing`: the target becomes
   * `(1 - s) onehot + s / C`.
   */
  labelSmoothing?: number;
  /** A weight per class, `[C]` (PyTorch's `weight`); 'mean' then divides by the summed weights of the targets. */
  classWeights?: Tensor | ArrayLike<number>;
}

function readClassWeights(op: string, w: CrossEntropyOptions['classWeights'], classes: number): Float64Array | null {
  if (w === undefined) return null;
  const values: ArrayLike<number> = w instanceof Tensor ? w.data : w;
  if ((w instanceof Tensor && w.ndim !== 1) || values.length !== classes) {
    const got = w instanceof Tensor ? `shape ${fmtShape(w.shape)}` : `${values.length} values`;
    throw new ShapeError(`${op}: classWeights has ${got}; expected one weight per class, [${classes}]`);
  }
  const out = Float64Array.from(values as ArrayLike<number>);
  for (let c = 0; c < classes; c++) {
    if (!Number.isFinite(out[c]) || out[c] < 0) {
      throw new LoopflowError('INVALID_ARGUMENT', `${op}: classWeights[${c}] = ${out[c]}; expected a finite weight >= 0`);
    }
  }
  return out;
}

/**
 * Cross-entropy on logits with class-index targets, as `torch.nn.functional.cross_entropy`
 * (log-softmax and negative log-likelihood fused into one op, stable for logits of any size:
 * +-1000 gives finite values). The gradient is `softmax(logits) - onehot(target)`, scaled by the
 * reduction (and smoothed with `labelSmoothing`).
 *
 * Shapes: logits `[..., C]` with the classes LAST (`[N, C]`, or `[B, T, V]` for a sequence
 * model; note PyTorch puts the classes at dim 1 for more than two dimensions), targets `[...]`
 * (a Tensor of that shape, or a flat array of that many indices). The result is a scalar `[]`,
 * or `[...]` with `reduction: 'none'`.
 *
 * 'mean' over zero positions (every target ignored or masked) gives NaN, as in PyTorch.
 *
 * @example
 * const loss = crossEntropy(logits, tokenIds);                 // [B, T, V], [B, T] -> []
 * const padded = crossEntropy(logits, tokenIds, { mask });     // mask [B, T] of 1 / 0
 * const smooth = crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 */
export function crossEntropy(logits: Tensor, targets: ClassTargets, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  if (!(logits instanceof Tensor)) throw new LoopflowError('INVALID_ARGUMENT', `${op}: logits must be a Tensor`);
  if (logits.ndim < 1 || logits.shape[logits.ndim - 1] < 1) {
    throw new ShapeError(`${op}: logits of shape ${fmtShape(logits.shape)}; expected [..., C] with at least one class in the last dimension`);
  }
  const reduction = checkReduction(op, options.reduction);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: ignoreIndex ${ignoreIndex} is not an integer`);
  }
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== 'number' || !(smoothing >= 0 && smoothing <= 1)) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: labelSmoothing ${smoothing} is invalid; expected a number in [0, 1]`);
  }
  const C = logits.shape[logits.ndim - 1];
  const positions = logits.shape.slice(0, -1); // [...]
  const N = logits.size / C;
  const target = readClassTargets(op, targets, positions, C, ignoreIndex);
  const weights = readClassWeights(op, options.classWeights, C);
  const mask = options.mask === undefined ? null : resolveMask(op, options.mask, positions);

  const x = logits.data;
  const needGrad = isGradEnabled() && logits.requiresGrad;
  const rowLoss = new Float64Array(N); // weighted loss of each position
  const rowWeight = new Float64Array(N); // mask weight of each position taking part (0 = not)
  const onTarget = 1 - smoothing;
  const perClass = smoothing / C;
  let weightSum = C;
  if (weights) {
    weightSum = 0;
    for (let c = 0; c < C; c++) weightSum += weights[c];
  }
  // Pass 1: the row maxima, and the shifted logits x - max of the rows taking part.
  const rowMax = new Float64Array(N);
  const exps = allocate(logits.dtype, N * C); // x - max, then e^(x - max); kept as the softmax for backward
  for (let r = 0; r < N; r++) {
    const t = target[r];
    if (t === ignoreIndex) continue;
    const m = mask ? mask.weights[Math.floor(r / mask.block)] : 1;
    if (m === 0) continue;
    rowWeight[r] = m;
    const base = r * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (x[base + c] > max) max = x[base + c];
    if (max === -Infinity) max = 0; // a row of -Infinity: avoid -inf - -inf
    rowMax[r] = max;
    for (let c = 0; c < C; c++) exps[base + c] = x[base + c] - max;
  }
  // Pass 2: every exponential in one kernel call (WebAssembly SIMD for float32; rows left
  // out hold zeros, harmless).
  getKernels(logits.dtype).unary('exp', exps, exps);
  // Pass 3: log-sum-exp, the loss, and the softmax (when backward needs it).
  let divisor = 0;
  for (let r = 0; r < N; r++) {
    const m = rowWeight[r];
    if (m === 0) continue;
    const t = target[r];
    const base = r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += exps[base + c];
    if (needGrad) {
      const inv = 1 / s;
      for (let c = 0; c < C; c++) exps[base + c] *= inv;
    }
    const lse = rowMax[r] + Math.log(s);
    const wt = weights ? weights[t] : 1;
    let loss = onTarget * wt * (lse - x[base + t]);
    if (smoothing > 0) {
      let smooth = 0;
      for (let c = 0; c < C; c++) smooth += (weights ? weights[c] : 1) * (lse - x[base + c]);
      loss += perClass * smooth;
    }
    rowLoss[r] = m * loss;
    divisor += m * wt;
  }
  const probs = needGrad ? exps : null; // softmax rows of the positions taking part

  let out: Tensor;
  if (reduction === 'none') {
    const data = allocate(logits.dtype, N);
    for (let r = 0; r < N; r++) data[r] = rowLoss[r];
    out = new Tensor(data, positions);
  } else {
    let total = 0;
    for (let r = 0; r < N; r++) total += rowLoss[r];
    const data = allocate(logits.dtype, 1);
    data[0] = reduction === 'mean' ? total / divisor : total;
    out = new Tensor(data, []);
  }
  if (!probs) return out;

  return record(op, [logits], out, (g) => {
    const gx = allocate(logits.dtype, N * C);
    const scale = reduction === 'mean' ? g.data[0] / divisor : g.data[0];
    for (let r = 0; r < N; r++) {
      const m = rowWeight[r];
      if (m === 0) continue;
      const coef = (reduction === 'none' ? g.data[r] : scale) * m;
      const t = target[r];
      const base = r * C;
      // d/dx_c = onTarget w_t (p_c - [c = t]) + (s / C) (sum(w) p_c - w_c)
      const a = coef * onTarget * (weights ? weights[t] : 1);
      const b = coef * perClass;
      if (b === 0) {
        for (let c = 0; c < C; c++) gx[base + c] = a * probs[base + c];
      } else {
        for (let c = 0; c < C; c++) {
          const p = probs[base + c];
          gx[base + c] = a * p + b * (weightSum * p - (weights ? weights[c] : 1));
        }
      }
      gx[base + t] -= a;
    }
    return [new Tensor(gx, logits.shape)];
  });
}
