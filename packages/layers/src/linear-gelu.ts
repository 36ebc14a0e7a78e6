import { FloatArray, Kernels, Tensor, allocate, getKernels, record } from '@loopflow/tensor';
import { checkLinear, LinearModule } from './linear';

/**
 * `gelu(linear(m, x))` as one autograd node: the product and the bias as in `linear`, then
 * GELU (tanh approximation, PyTorch's `gelu(x, approximate='tanh')`) in one pass of the
 * backend's `gelu` kernel. It keeps only the pre-activation `z = x W^T + b` for the backward
 * pass, which forms `dz = g * gelu'(z)` in one pass of the `geluGrad` kernel and then the
 * three products of `linear`. The composed `gelu(linear(m, x))` (seven elementwise nodes
 * after the product) is the reference it is tested against.
 *
 * Shapes: x `[..., inFeatures]` -> `[..., outFeatures]`.
 *
 * @example
 * const fc1 = createLinear(rng, 64, 256);
 * const hidden = linearGelu(fc1, x); // [B, T, 64] -> [B, T, 256]
 */
export function linearGelu(m: LinearModule, x: Tensor): Tensor {
  const { inFeatures, outFeatures } = m.config;
  checkLinear('linearGelu', m, x);
  const { weight, bias } = m;
  const dtype = x.dtype;
  const rows = x.size / inFeatures;
  const kernels = getKernels(dtype);
  const z = allocate(dtype, rows * outFeatures); // [rows, out], kept for the backward pass
  if (bias) for (let r = 0; r < rows; r++) z.set(bias.data, r * outFeatures);
  kernels.matmul(x.data, weight.data, z, rows, inFeatures, outFeatures, { transB: true, accumulate: true });
  const out = allocate(dtype, rows * outFeatures);
  kernels.unary('gelu', z, out);
  const y = new Tensor(out, [...x.shape.slice(0, -1), outFeatures]);

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('linearGelu', inputs, y, (g) => {
    const k = getKernels(dtype);
    const dz = allocate(dtype, z.length); // [rows, out] = g * gelu'(z)
    k.binary('geluGrad', z, g.data, dz);
    return linearGrads(k, x, m, dz, rows);
  });
}

/** The gradients of `linear(m, x)` given the gradient `dz [rows, out]` of its output (null where none is needed). */
function linearGrads(k: Kernels, x: Tensor, m: LinearModule, dz: FloatArray, rows: number): (Tensor | null)[] {
  const { inFeatures, outFeatures } = m.config;
  const { weight, bias } = m;
  let gx: Tensor | null = null;
  let gw: Tensor | null = null;
  let gb: Tensor | null = null;
  if (x.requiresGrad) {
    const d = allocate(x.dtype, x.size); // [rows, in] = dz[rows, out] @ W[out, in]
    k.matmul(dz, weight.data, d, rows, outFeatures, inFeatures);
    gx = new Tensor(d, x.shape);
  }
  if (weight.requiresGrad) {
    const d = allocate(x.dtype, weight.size); // [out, in] = dz^T[out, rows] @ x[rows, in]
    k.matmul(dz, x.data, d, outFeatures, rows, inFeatures, { transA: true });
    gw = new Tensor(d, weight.shape);
  }
  if (bias && bias.requiresGrad) {
    const d = allocate(x.dtype, outFeatures); // sum of dz over rows
    for (let r = 0; r < rows; r++) {
      const base = r * outFeatures;
      for (let j = 0; j < outFeatures; j++) d[j] += dz[base + j];
    }
    gb = new Tensor(d, bias.shape);
  }
  return bias ? [gx, gw, gb] : [gx, gw];
}
