import { DType, Tensor, ShapeError, LoopflowError, allocate, fmtShape, getKernels, record, uniform, Random } from '@loopflow/tensor';
import { checkSize } from './errors';

/**
 * A fully connected layer `y = x W^T + b`, as `torch.nn.Linear`.
 * `weight` is `[outFeatures, inFeatures]` (PyTorch layout), `bias` is `[outFeatures]` or null.
 */
export interface LinearModule {
  kind: 'linear';
  config: {
    /** Size of the last dimension of the input. */
    inFeatures: number;
    /** Size of the last dimension of the output. */
    outFeatures: number;
    /** Whether the layer adds a bias. */
    bias: boolean;
  };
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * A Linear layer with PyTorch's default initialisation: weight and bias drawn from
 * U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)) (kaiming_uniform with a = sqrt(5) reduces to that).
 * The weight is drawn first, row-major, then the bias.
 *
 * @example
 * const head = createLinear(new Random(0), 128, 10); // weight [10, 128], bias [10]
 * const logits = linear(head, h);                    // [B, 128] -> [B, 10]
 */
export function createLinear(rng: Random, inFeatures: number, outFeatures: number, options: { bias?: boolean; dtype?: DType } = {}): LinearModule {
  checkSize('createLinear', 'inFeatures', inFeatures, true);
  checkSize('createLinear', 'outFeatures', outFeatures, true);
  const hasBias = options.bias ?? true;
  const dtype = options.dtype ?? 'float32';
  const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
  const weight = uniform(rng, [outFeatures, inFeatures], -bound, bound, { dtype });
  const bias = hasBias ? uniform(rng, [outFeatures], -bound, bound, { dtype }) : null;
  return { kind: 'linear', config: { inFeatures, outFeatures, bias: hasBias }, weight, bias };
}

function checkDtype(where: string, expected: DType, t: Tensor, name: string): void {
  if (t.dtype !== expected) {
    throw new LoopflowError('DTYPE_MISMATCH', `${where}: ${name} is ${t.dtype} but the input is ${expected}; convert one with .to('${t.dtype}') or create the layer with { dtype: '${expected}' }`);
  }
}

/** Checks a Linear module's shapes and dtypes against its input `x [..., inFeatures]` (for `linear` and `linearGelu`). */
export function checkLinear(where: string, m: LinearModule, x: Tensor): void {
  const { inFeatures, outFeatures } = m.config;
  const { weight, bias } = m;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError(`${where}: input of shape ${fmtShape(x.shape)}; expected [..., ${inFeatures}] (inFeatures ${inFeatures})`);
  }
  if (weight.ndim !== 2 || weight.shape[0] !== outFeatures || weight.shape[1] !== inFeatures) {
    throw new ShapeError(`${where}: weight has shape ${fmtShape(weight.shape)}; expected [${outFeatures}, ${inFeatures}] ([outFeatures, inFeatures])`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`${where}: bias has shape ${fmtShape(bias.shape)}; expected [${outFeatures}]`);
  }
  checkDtype(where, x.dtype, weight, 'weight');
  if (bias) checkDtype(where, x.dtype, bias, 'bias');
}

/**
 * Applies a Linear layer: `x [..., inFeatures] -> [..., outFeatures]` (a 1-D `[inFeatures]`
 * input gives `[outFeatures]`).
 *
 * One fused autograd node: the product reads the stored `[out, in]` weight as its transpose
 * (the kernel's `transB`), so no transposed copy is made per call; the bias is written into
 * the output before the product accumulates onto it.
 *
 * @example linear(createLinear(rng, 3, 2), x) // [B, T, 3] -> [B, T, 2]
 */
export function linear(m: LinearModule, x: Tensor): Tensor {
  const { inFeatures, outFeatures } = m.config;
  const { weight, bias } = m;
  checkLinear('linear', m, x);
  const dtype = x.dtype;

  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const out = allocate(dtype, rows * outFeatures); // [rows, out]
  if (bias) for (let r = 0; r < rows; r++) out.set(bias.data, r * outFeatures);
  // out[rows, out] += x[rows, in] @ W^T, W stored [out, in]
  getKernels(dtype).matmul(x.data, weight.data, out, rows, inFeatures, outFeatures, { transB: true, accumulate: true });
  const y = new Tensor(out, [...x.shape.slice(0, -1), outFeatures]);

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('linear', inputs, y, (g) => {
    const kernels = getKernels(dtype);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, x.size); // [rows, in] = g[rows, out] @ W[out, in]
      kernels.matmul(g.data, weight.data, d, rows, outFeatures, inFeatures);
      gx = new Tensor(d, x.shape);
    }
    if (weight.requiresGrad) {
      const d = allocate(dtype, weight.size); // [out, in] = g^T[out, rows] @ x[rows, in]
      kernels.matmul(g.data, x.data, d, outFeatures, rows, inFeatures, { transA: true });
      gw = new Tensor(d, weight.shape);
    }
    if (bias && bias.requiresGrad) {
      const d = allocate(dtype, outFeatures); // sum of g over rows
      for (let r = 0; r < rows; r++) {
        const base = r * outFeatures;
        for (let j = 0; j < outFeatures; j++) d[j] += g.data[base + j];
      }
      gb = new Tensor(d, bias.shape);
    }
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}
