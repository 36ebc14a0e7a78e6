/**
 * Conformance handler for the `causal_mha` case: causal multi-head self-attention over
 * batch-major `x [B, T, D]`, `y = concat_h(softmax(mask(Q_h K_h^T / sqrt(dh))) V_h) Wo + bo`
 * with `Q = x Wq + bq` etc. The golden's weights are applied as `x @ W` with `W [in, out]`;
 * @loopflow/attention stores them as `torch.nn.MultiheadAttention` does (`in_proj_weight
 * [3D, D]`, each block `[out, in]`; `out_proj.weight [D, D]`), so they are put in that layout
 * here with tensor ops (transpose, concat), through which the gradients of the golden's own
 * tensors flow: `grad_Wq` etc. compare as they are. Compared: `y`, `att` (softmax probabilities
 * `[B, heads, T, T]`), `loss = sum(y * R)` and every `grad_*`. Every size comes from the file.
 */
import { Tensor, concat, grad, mul, reshape, sum, transpose } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { multiHeadAttention, multiHeadAttentionFromTensors } from '@loopflow/attention';
import { GoldenFormatError } from '../errors';
import { compareWith, configNumber, loadTensor } from '../golden';
import type { CaseHandler, CaseOutcome, Golden, RunContext } from '../types';

const PARAMETERS = ['Wq', 'Wk', 'Wv', 'Wo', 'bq', 'bk', 'bv', 'bo'] as const;

/**
 * Runs `causal_mha` in `context.dtype` (float32 when not given; float64 with `{ dtype: 'float64' }`).
 *
 * @example runCausalMha(golden, { dtype: 'float64' })
 */
export function runCausalMha(golden: Golden, context: Partial<RunContext> = {}): CaseOutcome {
  const dtype: DType = context.dtype ?? 'float32';
  const T = configNumber(golden, 'seq_len');
  const B = configNumber(golden, 'batch');
  const D = configNumber(golden, 'd_model');
  const heads = configNumber(golden, 'heads');
  if (!Number.isInteger(heads) || heads < 1 || D % heads !== 0) {
    throw new GoldenFormatError(`case '${golden.case}': config.heads ${heads} does not divide config.d_model ${D}`);
  }
  const x = loadTensor(golden, 'x', dtype, { requiresGrad: true, shape: [B, T, D] }); // [B, T, D]
  const R = loadTensor(golden, 'R', dtype, { shape: [B, T, D] }); // [B, T, D]
  const params: Record<string, Tensor> = {};
  for (const name of PARAMETERS) {
    params[name] = loadTensor(golden, name, dtype, { requiresGrad: true, shape: name.startsWith('W') ? [D, D] : [D] }); // W [in, out], b [out]
  }
  const mha = multiHeadAttentionFromTensors({
    in_proj_weight: concat([transpose(params.Wq), transpose(params.Wk), transpose(params.Wv)], 0), // [3D, D]
    in_proj_bias: concat([params.bq, params.bk, params.bv], 0), // [3D]
    'out_proj.weight': transpose(params.Wo), // [D, D], [out, in]
    'out_proj.bias': params.bo,
  }, heads);

  const { output: y, weights: att } = multiHeadAttention(mha, x, { causal: true }); // [B, T, D], [B, heads, T, T]
  const loss = sum(mul(y, R)); // scalar
  const grads = grad(loss, [x, ...PARAMETERS.map((n) => params[n])]);
  return {
    status: 'ran',
    comparisons: [
      compareWith(golden, 'y', y),
      compareWith(golden, 'att', att),
      compareWith(golden, 'loss', reshape(loss, [1])),
      compareWith(golden, 'grad_x', grads[0]),
      ...PARAMETERS.map((n, i) => compareWith(golden, `grad_${n}`, grads[i + 1])),
    ],
  };
}

export const handlers: CaseHandler[] = [
  {
    description: 'Causal multi-head self-attention forward (y, att), loss = sum(y*R) and every gradient',
    matches: (caseName) => caseName === 'causal_mha',
    run: runCausalMha,
  },
];
