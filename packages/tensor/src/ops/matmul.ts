import { Tensor } from '../tensor';
import { allocate } from '../create';
import { record } from '../autograd';
import { getKernels } from '../backend/registry';
import { ShapeError, fmtShape } from '../errors';
import { broadcastShapes, sizeOf } from '../shape';
import { checkDtypes, expandData, sumToShape } from './util';

/**
 * Matrix product. 2-D: `[m, k] @ [k, n] -> [m, n]`. Batched: `[..., m, k] @ [..., k, n]`
 * with the batch dims broadcast; a 2-D right operand is shared by every batch (one large
 * product). 1-D operands are not accepted: reshape them to a row or column first.
 *
 * @example matmul(h, wHh) // [B, H] @ [H, 4H] -> [B, 4H]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const dtype = checkDtypes('matmul', a, b);
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}; expected both operands to have at least 2 dimensions (reshape a vector to [1, n] or [n, 1])`);
  }
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const k2 = b.shape[b.ndim - 2];
  const n = b.shape[b.ndim - 1];
  if (k !== k2) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} do not fit: the inner sizes are ${k} and ${k2}; expected [..., m, k] @ [..., k, n]`);
  }
  const kernels = getKernels(dtype);

  // a [..., m, k] @ b [k, n]: one product over all rows of a.
  if (b.ndim === 2) {
    const rows = a.size / Math.max(k, 1);
    const out = allocate(dtype, rows * n);
    kernels.matmul(a.data, b.data, out, rows, k, n);
    const shape = [...a.shape.slice(0, -1), n];
    return record('matmul', [a, b], new Tensor(out, shape), (g) => {
      const gk = getKernels(dtype);
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        const d = allocate(dtype, a.size);
        gk.matmul(g.data, b.data, d, rows, n, k, { transB: true }); // g @ b^T
        ga = new Tensor(d, a.shape);
      }
      if (b.requiresGrad) {
        const d = allocate(dtype, b.size);
        gk.matmul(a.data, g.data, d, k, rows, n, { transA: true }); // a^T @ g
        gb = new Tensor(d, b.shape);
      }
      return [ga, gb];
    });
  }

  // Batched with broadcast batch dims.
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const aFull = [...batchShape, m, k];
  const bFull = [...batchShape, k, n];
  const ad = expandData(a, aFull);
  const bd = expandData(b, bFull);
  const out = allocate(dtype, batch * m * n);
  for (let i = 0; i < batch; i++) {
    kernels.matmul(ad.subarray(i * m * k, (i + 1) * m * k), bd.subarray(i * k * n, (i + 1) * k * n), out.subarray(i * m * n, (i + 1) * m * n), m, k, n);
  }
  return record('matmul', [a, b], new Tensor(out, [...batchShape, m, n]), (g) => {
    const gk = getKernels(dtype);
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      const d = allocate(dtype, batch * m * k);
      for (let i = 0; i < batch; i++) {
        gk.matmul(g.data.subarray(i * m * n, (i + 1) * m * n), bd.subarray(i * k * n, (i + 1) * k * n), d.subarray(i * m * k, (i + 1) * m * k), m, n, k, { transB: true });
      }
      ga = sumToShape(new Tensor(d, aFull), a.shape);
    }
    if (b.requiresGrad) {
      const d = allocate(dtype, batch * k * n);
      for (let i = 0; i < batch; i++) {
        gk.matmul(ad.subarray(i * m * k, (i + 1) * m * k), g.data.subarray(i * m * n, (i + 1) * m * n), d.subarray(i * k * n, (i + 1) * k * n), k, m, n, { transA: true });
      }
      gb = sumToShape(new Tensor(d, bFull), b.shape);
    }
    return [ga, gb];
  });
}
