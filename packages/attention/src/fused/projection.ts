import { Tensor, allocate, getKernels, record } from '@loopflow/tensor';

/**
 * The projections of multi-head attention's fused path, each one autograd node (one product
 * forward, two backward, the bias written into the output before the product accumulates onto
 * it) instead of a product node plus a broadcast-add node. Weights are stored `[in, out]` and
 * applied as `x @ W`, as in `multiHeadAttention`.
 */

let ones: Float32Array | Float64Array = new Float32Array(0);

/**
 * Column sums of `g [rows, n]` (the bias gradient): the product ones[1, rows] @ g, so that a
 * float32 g is summed by the WebAssembly matmul (a plain loop over 2048 x 384 floats cost
 * several times more than copying them in).
 */
function columnSums(g: Tensor, rows: number, n: number): Float32Array | Float64Array {
  const dtype = g.dtype;
  if (ones.length < rows || (dtype === 'float32') !== ones instanceof Float32Array) ones = allocate(dtype, rows).fill(1);
  const out = allocate(dtype, n);
  getKernels(dtype).matmul(ones.length === rows ? ones : ones.subarray(0, rows), g.data, out, 1, rows, n);
  return out;
}

/**
 * `x @ W + b`: x `[..., in]`, W `[in, out]`, b `[out]` or null -> `[..., out]`, one node.
 *
 * @example affine(x, m.Wo, m.bo) // [B, T, d] -> [B, T, d]
 */
export function affine(x: Tensor, W: Tensor, b: Tensor | null): Tensor {
  const dtype = x.dtype;
  const [inSize, outSize] = W.shape;
  const rows = x.size / inSize;
  const out = allocate(dtype, rows * outSize);
  if (b) for (let r = 0; r < rows; r++) out.set(b.data, r * outSize);
  getKernels(dtype).matmul(x.data, W.data, out, rows, inSize, outSize, { accumulate: b !== null });
  const y = new Tensor(out, [...x.shape.slice(0, -1), outSize]);
  const inputs = b ? [x, W, b] : [x, W];
  return record('affine', inputs, y, (g) => {
    const kernels = getKernels(dtype);
    let gx: Tensor | null = null;
    let gW: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, x.size); // [rows, in] = g [rows, out] @ W^T
      kernels.matmul(g.data, W.data, d, rows, outSize, inSize, { transB: true });
      gx = new Tensor(d, x.shape);
    }
    if (W.requiresGrad) {
      const d = allocate(dtype, W.size); // [in, out] = x^T [in, rows] @ g [rows, out]
      kernels.matmul(x.data, g.data, d, inSize, rows, outSize, { transA: true });
      gW = new Tensor(d, W.shape);
    }
    if (b && b.requiresGrad) gb = new Tensor(columnSums(g, rows, outSize), b.shape);
    return b ? [gx, gW, gb] : [gx, gW];
  });
}

/**
 * The queries, keys and values of self-attention in one product: `x [B, T, d]` ->
 * `[B, T, 3d]` = x @ [Wq | Wk | Wv] + [bq | bk | bv] (q in columns [0, d), k in [d, 2d), v in
 * [2d, 3d)), one node. The weights are joined per call (3 d^2 floats); the backward pass runs
 * one product for dx and one for the joined weight gradient, then splits it.
 *
 * @example projectQkv(x, [m.Wq, m.Wk, m.Wv], [m.bq, m.bk, m.bv]) // [B, T, 3 * dModel]
 */
export function projectQkv(x: Tensor, weights: readonly [Tensor, Tensor, Tensor], biases: readonly [Tensor | null, Tensor | null, Tensor | null]): Tensor {
  const dtype = x.dtype;
  const d = weights[0].shape[0];
  const n = 3 * d;
  const rows = x.size / d;
  const joined = allocate(dtype, d * n); // [d, 3d]
  for (let i = 0; i < d; i++) weights.forEach((w, part) => joined.set(w.data.subarray(i * d, (i + 1) * d), i * n + part * d));
  const hasBias = biases[0] !== null;
  const out = allocate(dtype, rows * n);
  if (hasBias) {
    const bias = allocate(dtype, n);
    biases.forEach((b, part) => bias.set((b as Tensor).data, part * d));
    for (let r = 0; r < rows; r++) out.set(bias, r * n);
  }
  getKernels(dtype).matmul(x.data, joined, out, rows, d, n, { accumulate: hasBias });
  const y = new Tensor(out, [...x.shape.slice(0, -1), n]);
  const inputs = hasBias ? [x, ...weights, ...biases.map((b) => b as Tensor)] : [x, ...weights];
  return record('projectQkv', inputs, y, (g) => {
    const kernels = getKernels(dtype);
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      const dx = allocate(dtype, x.size); // [rows, d] = g [rows, 3d] @ joined^T
      kernels.matmul(g.data, joined, dx, rows, n, d, { transB: true });
      gx = new Tensor(dx, x.shape);
    }
    let gw: (Tensor | null)[] = [null, null, null];
    if (weights.some((w) => w.requiresGrad)) {
      const dj = allocate(dtype, d * n); // [d, 3d] = x^T @ g
      kernels.matmul(x.data, g.data, dj, d, rows, n, { transA: true });
      gw = weights.map((w, part) => {
        if (!w.requiresGrad) return null;
        const dw = allocate(dtype, d * d);
        for (let i = 0; i < d; i++) dw.set(dj.subarray(i * n + part * d, i * n + (part + 1) * d), i * d);
        return new Tensor(dw, w.shape);
      });
    }
    if (!hasBias) return [gx, ...gw];
    const sums = biases.some((b) => (b as Tensor).requiresGrad) ? columnSums(g, rows, n) : null; // [3d]
    const gb = biases.map((b, part) => (sums && (b as Tensor).requiresGrad ? new Tensor(sums.slice(part * d, (part + 1) * d), (b as Tensor).shape) : null));
    return [gx, ...gw, ...gb];
  });
}
