/**
 * The attention case of the `cells` bench, loopflow side, through public package APIs only
 * (@loopflow/attention's `multiHeadAttention`, which takes its fused WebAssembly attention node
 * here: float32, no weights; `LOOPFLOW_ATTENTION_PATH=composed` runs the composed path of tensor
 * ops and autograd instead). The model of issue 13 and of PyTorch's anchor
 * (tools/bench/pytorch/bench_torch.py, kind "attention"):
 *
 *     x one-hot [B, T, V] -> h = Linear(V -> H) -> a = causal single-head attention(h)
 *     (`multiHeadAttention` with heads 1: in_proj (q, k, v) and out_proj with biases, scaled dot product,
 *     `causal: true`, no weights returned) -> logits = Linear(H -> V)(h + a)
 *
 * mean `crossEntropy` over all B * T positions (next-symbol targets), `backward()`,
 * `adam.step()` (lr 1e-3). One iteration is one training step; throughput is trained time
 * steps per second (T * B per step), as for the recurrent cases. Batch-major, as the
 * attention package is; the tokens are the bench's shared stream, transposed.
 */
import { Random, Tensor, add, getBackendName, oneHot, reshape } from '@loopflow/tensor';
import { createLinear, linear, parameters } from '@loopflow/layers';
import { createMultiHeadAttention, fusedAttentionAvailable, getAttentionPath, multiHeadAttention } from '@loopflow/attention';
import { crossEntropy } from '@loopflow/losses';
import { adam } from '@loopflow/optimizers';
import type { ModelSize } from './cells-config';
import { Workload, trainingTokens } from './cells-workload';

/** Time-major `[T, B]` to batch-major `[B, T]`. */
export function batchMajor(tokens: Int32Array, steps: number, batch: number): Int32Array {
  const out = new Int32Array(steps * batch);
  for (let t = 0; t < steps; t++) for (let b = 0; b < batch; b++) out[b * steps + t] = tokens[t * batch + b];
  return out;
}

/** Which path the model's attention took: `fused` (the WebAssembly kernels) or `composed`. */
function attentionPathName(): string {
  return getAttentionPath() !== 'composed' && fusedAttentionAvailable() ? 'fused' : 'composed';
}

/** A loopflow attention training workload at `size` (T = size.steps, B = size.batch, width size.hidden). */
export async function loopflowAttentionTraining(size: ModelSize, seed: number): Promise<Workload> {
  const { vocab, hidden, steps, batch } = size;
  const rng = new Random(seed);
  const model = {
    input: createLinear(rng, vocab, hidden),
    attention: createMultiHeadAttention(rng, { dModel: hidden, heads: 1 }),
    head: createLinear(rng, hidden, vocab),
  };
  const optimizer = adam(parameters(model), { lr: 1e-3 });
  const { inputs, targets } = trainingTokens(size, seed);
  const x = reshape(oneHot(batchMajor(inputs, steps, batch), vocab), [batch, steps, vocab]); // [B, T, V]
  const y = batchMajor(targets, steps, batch); // [B, T]
  let loss: number | undefined;
  return {
    stepsPerIteration: steps * batch,
    iterate() {
      optimizer.zeroGrad();
      const h: Tensor = linear(model.input, x); // [B, T, H]
      const { output } = multiHeadAttention(model.attention, h, { causal: true, returnWeights: false }); // [B, T, H]
      const logits = linear(model.head, add(h, output)); // [B, T, V]
      const objective = crossEntropy(logits, y); // mean over B * T
      objective.backward();
      optimizer.step();
      loss = objective.data[0];
    },
    describe: () => `backend=${getBackendName()} LOOPFLOW_THREADS=${process.env.LOOPFLOW_THREADS || 'unset'} attention=${attentionPathName()}(multiHeadAttention heads=1 causal) T=${steps} B=${batch}`,
    lastLoss: () => loss,
    dispose() {},
  };
}
