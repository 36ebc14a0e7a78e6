import { DType, LoopflowError, ShapeError, Tensor, allocate, fmtShape, ones, record, zeros } from '@loopflow/tensor';
import { checkSize, fail } from './errors';

/** Layer normalisation over the last dimension, as `torch.nn.LayerNorm(normalizedShape)`. */
export interface LayerNormModule {
  kind: 'layerNorm';
  config: {
    /** Size of the last dimension, which is normalised. */
    normalizedShape: number;
    /** Added to the variance before the square root. */
    eps: number;
    /** Whether a learned scale (`weight`) and shift (`bias`) follow the normalisation. */
    elementwiseAffine: boolean;
  };
  /** `[normalizedShape]`, ones at creation; null without elementwise affine. */
  weight: Tensor | null;
  /** `[normalizedShape]`, zeros at creation; null without elementwise affine. */
  bias: Tensor | null;
}

/**
 * A LayerNorm with weight ones, bias zeros and eps 1e-5 (PyTorch defaults).
 *
 * @example const norm = createLayerNorm(64); // normalises [..., 64]
 */
export function createLayerNorm(normalizedShape: number, options: { eps?: number; elementwiseAffine?: boolean; dtype?: DType } = {}): LayerNormModule {
  checkSize('createLayerNorm', 'normalizedShape', normalizedShape);
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0) || !Number.isFinite(eps)) fail('INVALID_ARGUMENT', `createLayerNorm: eps = ${eps}; expected a finite number >= 0`);
  const affine = options.elementwiseAffine ?? true;
  const dtype = options.dtype ?? 'float32';
  return {
    kind: 'layerNorm',
    config: { normalizedShape, eps, elementwiseAffine: affine },
    weight: affine ? ones([normalizedShape], { dtype, requiresGrad: true }) : null,
    bias: affine ? zeros([normalizedShape], { dtype, requiresGrad: true }) : null,
  };
}

function checkParam(t: Tensor | null, name: string, size: number, dtype: DType): void {
  if (!t) return;
  if (t.ndim !== 1 || t.shape[0] !== size) {
    throw new ShapeError(`layerNorm: ${name} has shape ${fmtShape(t.shape)}; expected [${size}] (normalizedShape)`);
  }
  if (t.dtype !== dtype) {
    throw new LoopflowError('DTYPE_MISMATCH', `layerNorm: ${name} is ${t.dtype} but the input is ${dtype}; convert one with .to('${dtype}')`);
  }
}

/**
 * Normalises the last dimension of `x [..., D]` to zero mean and unit (biased) variance,
 * then scales by `weight` and shifts by `bias`:
 * `y = (x - mean) / sqrt(var + eps) * weight + bias`, as `torch.nn.LayerNorm`.
 *
 * One fused autograd node; its gradient is
 * `dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))` with `dxhat = dy * weight`.
 * Row statistics are accumulated in float64 whatever the dtype.
 *
 * @example layerNorm(createLayerNorm(16), x) // [B, T, 16] -> [B, T, 16]
 */
export function layerNorm(m: LayerNormModule, x: Tensor): Tensor {
  const { normalizedShape: d, eps } = m.config;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== d) {
    throw new ShapeError(`layerNorm: input of shape ${fmtShape(x.shape)}; expected [..., ${d}] (normalizedShape ${d})`);
  }
  const dtype = x.dtype;
  const weight = m.config.elementwiseAffine ? m.weight : null;
  const bias = m.config.elementwiseAffine ? m.bias : null;
  checkParam(weight, 'weight', d, dtype);
  checkParam(bias, 'bias', d, dtype);

  const rows = x.size / d;
  const xd = x.data;
  const xhat = allocate(dtype, x.size); // [rows, d], kept for the backward pass
  const rstd = new Float64Array(rows);
  const out = allocate(dtype, x.size);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += xd[base + j];
    const mu = sum / d;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const c = xd[base + j] - mu;
      sq += c * c;
    }
    const s = 1 / Math.sqrt(sq / d + eps);
    rstd[r] = s;
    for (let j = 0; j < d; j++) {
      const h = (xd[base + j] - mu) * s;
      xhat[base + j] = h;
      out[base + j] = weight ? h * weight.data[j] + (bias ? bias.data[j] : 0) : bias ? h + bias.data[j] : h;
    }
  }
  const y = new Tensor(out, x.shape);

  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record('layerNorm', inputs, y, (g) => {
    const gd = g.data;
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      const dx = allocate(dtype, x.size);
      for (let r = 0; r < rows; r++) {
        const base = r * d;
        let meanG = 0; // mean(dxhat)
        let meanGX = 0; // mean(dxhat * xhat)
        for (let j = 0; j < d; j++) {
          const gh = weight ? gd[base + j] * weight.data[j] : gd[base + j];
          meanG += gh;
          meanGX += gh * xhat[base + j];
        }
        meanG /= d;
        meanGX /= d;
        for (let j = 0; j < d; j++) {
          const gh = weight ? gd[base + j] * weight.data[j] : gd[base + j];
          dx[base + j] = rstd[r] * (gh - meanG - xhat[base + j] * meanGX);
        }
      }
      gx = new Tensor(dx, x.shape);
    }
    if (weight && weight.requiresGrad) {
      const dw = new Float64Array(d);
      for (let i = 0; i < x.size; i++) dw[i % d] += gd[i] * xhat[i];
      gw = new Tensor(dtype === 'float64' ? dw : Float32Array.from(dw), weight.shape);
    }
    if (bias && bias.requiresGrad) {
      const db = new Float64Array(d);
      for (let i = 0; i < x.size; i++) db[i % d] += gd[i];
      gb = new Tensor(dtype === 'float64' ? db : Float32Array.from(db), bias.shape);
    }
    const grads: (Tensor | null)[] = [gx];
    if (weight) grads.push(gw);
    if (bias) grads.push(gb);
    return grads;
  });
}
