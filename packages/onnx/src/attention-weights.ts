import { Tensor } from '@loopflow/tensor';
import { OnnxError } from './errors';
import { weightData } from './weights';

/**
 * A multi-head attention layer's projections as the graph uses them: `Wq`, `Wk`, `Wv`, `Wo`
 * `[in, out] = [d, d]` row-major (applied as `x @ W`), biases `[d]` or null.
 */
export interface AttentionWeights {
  dModel: number;
  heads: number;
  Wq: Float32Array; Wk: Float32Array; Wv: Float32Array; Wo: Float32Array;
  bq: Float32Array | null; bk: Float32Array | null; bv: Float32Array | null; bo: Float32Array | null;
}

function transposeSquare(rowsOutIn: Float32Array, d: number, rowOffset = 0): Float32Array {
  const out = new Float32Array(d * d); // [in, out]
  for (let o = 0; o < d; o++) for (let i = 0; i < d; i++) out[i * d + o] = rowsOutIn[(rowOffset + o) * d + i];
  return out;
}

/**
 * THE one place that reads an attention module's stored weights (so a change of their layout
 * is adapted here only). Reads either layout:
 * - loopflow's `Wq, Wk, Wv, Wo` `[in, out]` with `bq, bk, bv, bo` (the `causal_mha` golden's);
 * - PyTorch's `nn.MultiheadAttention`: `in_proj_weight` `[3d, d]` (rows q, k, v; `[out, in]`),
 *   `in_proj_bias` `[3d]`, `out_proj.weight` `[d, d]` and `out_proj.bias` `[d]` (also accepted
 *   flat as `out_proj_weight` / `out_proj_bias`).
 * `where` names the module in errors (`blocks.0.attention`).
 */
export function attentionWeights(module: unknown, where: string): AttentionWeights {
  const m = module as Record<string, unknown> & { config?: { dModel?: number; heads?: number } };
  if (!m || typeof m !== 'object' || !m.config) {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: ${where} is ${m === null ? 'null' : typeof m}; expected a multi-head attention module ({ kind: 'multiHeadAttention', config: { dModel, heads }, ... })`);
  }
  const d = m.config.dModel as number;
  const heads = m.config.heads as number;
  if (!Number.isInteger(d) || !Number.isInteger(heads) || d < 1 || heads < 1 || d % heads !== 0) {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: ${where}.config has dModel ${JSON.stringify(d)} and heads ${JSON.stringify(heads)}; expected positive integers with dModel a multiple of heads`);
  }
  const optional = (name: string, value: unknown, shape: number[]): Float32Array | null => (value === null || value === undefined ? null : weightData(`${where}.${name}`, value, shape));
  if (m.in_proj_weight !== undefined) {
    const outProj = (m.out_proj ?? {}) as { weight?: unknown; bias?: unknown };
    const inProj = weightData(`${where}.in_proj_weight`, m.in_proj_weight, [3 * d, d]); // [3d, d], rows q, k, v
    const inBias = optional('in_proj_bias', m.in_proj_bias, [3 * d]);
    const outWeight = weightData(`${where}.out_proj.weight`, outProj.weight ?? m.out_proj_weight, [d, d]);
    const outBias = optional('out_proj.bias', outProj.bias ?? m.out_proj_bias, [d]);
    return {
      dModel: d, heads,
      Wq: transposeSquare(inProj, d, 0), Wk: transposeSquare(inProj, d, d), Wv: transposeSquare(inProj, d, 2 * d), Wo: transposeSquare(outWeight, d),
      bq: inBias ? inBias.slice(0, d) : null, bk: inBias ? inBias.slice(d, 2 * d) : null, bv: inBias ? inBias.slice(2 * d) : null, bo: outBias,
    };
  }
  const square = (name: string): Float32Array => weightData(`${where}.${name}`, m[name] as Tensor, [d, d]);
  return {
    dModel: d, heads,
    Wq: square('Wq'), Wk: square('Wk'), Wv: square('Wv'), Wo: square('Wo'),
    bq: optional('bq', m.bq, [d]), bk: optional('bk', m.bk, [d]), bv: optional('bv', m.bv, [d]), bo: optional('bo', m.bo, [d]),
  };
}
