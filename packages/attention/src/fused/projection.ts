import { Tensor, allocate, getKernels, record } from '@loopflow/tensor';

/**
 * The projections of multi-head attention's fused path, each one autograd node (one product
 * forward, two backward, the bias written into the output before the product accumulates onto
 * it) instead of a product node plus a broadcast-add node. Weights are stored `[out, in]` as in
 * PyTorch (`in_proj_weight [3d, d]`, `out_proj.weight [d, d]`) and read in place as the
 * product's transpose (`transB`, which the kernel's packing of B absorbs): no copy of a weight
 * per call.
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
 * `x @ W[first : first + count]^T + b[first : first + count]`: x `[..., in]`, W `[rows, in]`
 * ([out, in], PyTorch layout; a block of its rows is read in place), b `[rows]` or null ->
 * `[..., count]`, one node named `op`. The gradients of W and b have their full shapes, zero
 * outside the rows used.
 */
function projectRowsAs(op: string, x: Tensor, W: Tensor, b: Tensor | null, first: number, count: number): Tensor {
  const dtype = x.dtype;
  const inSize = W.shape[1];
  const rows = x.size / inSize;
  const weight = W.data.subarray(first * inSize, (first + count) * inSize); // [count, in]
  const out = allocate(dtype, rows * count);
  if (b) {
    const bias = b.data.subarray(first, first + count);
    for (let r = 0; r < rows; r++) out.set(bias, r * count);
  }
  getKernels(dtype).matmul(x.data, weight, out, rows, inSize, count, { transB: true, accumulate: b !== null });
  const y = new Tensor(out, [...x.shape.slice(0, -1), count]);
  const inputs = b ? [x, W, b] : [x, W];
  return record(op, inputs, y, (g) => {
    const kernels = getKernels(dtype);
    let gx: Tensor | null = null;
    let gW: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, x.size); // [rows, in] = g [rows, count] @ W[first : first + count]
      kernels.matmul(g.data, weight, d, rows, count, inSize);
      gx = new Tensor(d, x.shape);
    }
    if (W.requiresGrad) {
      // x^T [in, rows] @ g [rows, count] = the rows' gradient transposed, [in, count]: the kernel
      // transposes x (rows x in) rather than g (rows x count, up to 3x wider), and the small
      // [in, count] result is transposed into rows [first, first + count) of W's [rows, in].
      const t = allocate(dtype, inSize * count);
      kernels.matmul(x.data, g.data, t, inSize, rows, count, { transA: true });
      const d = allocate(dtype, W.size);
      for (let i = 0; i < inSize; i++) for (let j = 0; j < count; j++) d[(first + j) * inSize + i] = t[i * count + j];
      gW = new Tensor(d, W.shape);
    }
    if (b && b.requiresGrad) {
      const d = allocate(dtype, b.size);
      d.set(columnSums(g, rows, count), first);
      gb = new Tensor(d, b.shape);
    }
    return b ? [gx, gW, gb] : [gx, gW];
  });
}

/**
 * `x @ W^T + b`: x `[..., in]`, W `[out, in]`, b `[out]` or null -> `[..., out]`, one node.
 *
 * @example affine(x, m.out_proj.weight, m.out_proj.bias) // [B, T, d] -> [B, T, d]
 */
export function affine(x: Tensor, W: Tensor, b: Tensor | null): Tensor {
  return projectRowsAs('affine', x, W, b, 0, W.shape[0]);
}

/**
 * Rows `[first, first + count)` of a stacked projection, one node: self-attention's queries,
 * keys and values in one product, `x [B, T, d]` -> `[B, T, 3d]` = x @ in_proj_weight^T +
 * in_proj_bias (q in columns [0, d), k in [d, 2d), v in [2d, 3d)); cross-attention's queries
 * (rows [0, d)) and its keys and values (rows [d, 3d)).
 *
 * @example projectRows(x, m.in_proj_weight, m.in_proj_bias, 0, 3 * d) // [B, T, 3 * dModel]
 */
export function projectRows(x: Tensor, W: Tensor, b: Tensor | null, first: number, count: number): Tensor {
  return projectRowsAs('projectRows', x, W, b, first, count);
}
