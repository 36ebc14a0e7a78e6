import { Random, Tensor, argmax, logSoftmax, mean, mul, neg, noGrad, oneHot, slice, sum } from '@loopflow/tensor';
import { parameters } from '@loopflow/layers';
import { createDecoder, decoder, DecoderModel } from './decoder';

/**
 * A tiny decoder-only model learns to copy the previous token (target at t is x[t-1]), which
 * needs attention to look one position back, with plain SGD written here.
 */
describe('a tiny decoder learns to copy the previous token', () => {
  const V = 4, T = 8, B = 32;

  /** Mean cross-entropy of predicting x[t-1] at every t >= 1, and the accuracy. */
  function evaluate(model: DecoderModel, ids: Tensor) {
    const logits = slice(decoder(model, ids), 1, 1, T); // [B, T-1, V]
    const targets = slice(ids, 1, 0, T - 1); // [B, T-1]
    const loss = neg(mean(sum(mul(logSoftmax(logits, -1), oneHot(targets, V)), -1)));
    const predicted = argmax(logits, -1);
    let correct = 0;
    for (let i = 0; i < predicted.size; i++) if (predicted.data[i] === targets.data[i]) correct++;
    return { loss, accuracy: correct / predicted.size };
  }

  it('goes from chance (ln 4 = 1.39) to nearly perfect in 60 SGD steps', () => {
    const model = createDecoder(new Random(0), { input: { kind: 'tokens', vocabSize: V }, outputSize: V, dModel: 16, heads: 2, layers: 1 });
    const params = parameters(model);
    const data = new Random(1);
    const batch = () => new Tensor(Float32Array.from({ length: B * T }, () => data.int(V)), [B, T]);
    const lr = 0.5;

    const before = noGrad(() => evaluate(model, batch()));
    for (let step = 0; step < 60; step++) {
      const { loss } = evaluate(model, batch());
      for (const p of params) p.grad = null;
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          const g = p.grad as Tensor;
          for (let i = 0; i < p.size; i++) p.data[i] -= lr * g.data[i];
        }
      });
    }
    const after = noGrad(() => evaluate(model, batch()));
    expect(before.loss.item()).toBeGreaterThan(1.2);
    expect(before.accuracy).toBeLessThan(0.5);
    expect(after.loss.item()).toBeLessThan(0.25);
    expect(after.accuracy).toBeGreaterThan(0.9);
  });
});
