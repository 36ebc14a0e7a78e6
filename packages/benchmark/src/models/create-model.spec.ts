import { Random, Tensor, noGrad, permute, slice } from '@loopflow/tensor';
import { DecoderModel, decoder } from '@loopflow/attention';
import { indRNNBound } from '@loopflow/cells';
import { MODEL_KINDS } from '../names';
import { createBenchModel } from './create-model';
import { LSTM_FORGET_BIAS } from './architecture';

function randomInput(T: number, B: number, I: number, seed: number): Tensor {
  const rng = new Random(seed);
  return new Tensor(Float32Array.from({ length: T * B * I }, () => rng.uniform(-1, 1)), [T, B, I]);
}

describe('bench models', () => {
  it('every kind maps [T, B, I] to the outputs of the steps read', () => {
    const io = { inputSize: 3, outputSize: 4 };
    for (const kind of MODEL_KINDS) {
      const m = createBenchModel(kind, io, 2000, new Random(0), { maxLength: 12 });
      const x = randomInput(12, 2, 3, 1);
      expect(m.forward(x, 11).shape).toEqual([1, 2, 4]);
      expect(m.forward(x, 0).shape).toEqual([12, 2, 4]);
      expect(m.recurrent === null).toBe(kind === 'transformer');
    }
  });

  it('outputs at step t do not depend on later inputs (all models are causal)', () => {
    for (const kind of MODEL_KINDS) {
      const m = createBenchModel(kind, { inputSize: 2, outputSize: 1 }, 1500, new Random(2), { maxLength: 8 });
      const x = randomInput(8, 1, 2, 3);
      const y = randomInput(8, 1, 2, 3);
      for (let i = 5 * 2; i < 8 * 2; i++) y.data[i] = 9; // change steps 5..7 only
      const a = noGrad(() => m.forward(x, 0)).data;
      const b = noGrad(() => m.forward(y, 0)).data;
      for (let t = 0; t < 5; t++) expect(b[t]).toBeCloseTo(a[t], 5);
      expect(Math.abs(b[7] - a[7])).toBeGreaterThan(1e-6);
    }
  });

  it("the transformer's forward (its last block on the steps read only) equals the full decoder's output at those steps", () => {
    const m = createBenchModel('transformer', { inputSize: 2, outputSize: 3 }, 3000, new Random(4), { maxLength: 70 });
    expect(m.description).toContain('the last block computes only the positions the task reads');
    const x = randomInput(70, 3, 2, 5);
    const full = noGrad(() => permute(decoder(m.module as DecoderModel, permute(x, [1, 0, 2])), [1, 0, 2])); // [T, B, O], every step
    for (const readFrom of [69, 40, 0]) {
      const y = noGrad(() => m.forward(x, readFrom));
      expect(y.shape).toEqual([70 - readFrom, 3, 3]);
      const want = slice(full, 0, readFrom).data;
      const scale = Math.max(...Array.from(want, Math.abs));
      let worst = 0;
      y.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]))));
      expect(worst / scale).toBeLessThan(1e-5);
    }
  });

  it('the LSTM starts with forget bias 1; IndRNN weights stay within 2^(1/T) after a step', () => {
    const lstm = createBenchModel('lstm', { inputSize: 2, outputSize: 1 }, 1000, new Random(0), { maxLength: 10 });
    const H = lstm.width;
    const bhh = (lstm.recurrent as unknown as Record<string, Tensor>).bias_hh_l0.data;
    for (let i = H; i < 2 * H; i++) expect(bhh[i]).toBe(LSTM_FORGET_BIAS);
    expect(Math.abs(bhh[0])).toBeLessThan(1);

    const ind = createBenchModel('indrnn', { inputSize: 2, outputSize: 1 }, 1000, new Random(0), { maxLength: 100 });
    const u = (ind.recurrent as unknown as Record<string, Tensor>).weight_hh_l1;
    u.data[0] = 5;
    u.data[1] = -5;
    ind.afterStep();
    expect(u.data[0]).toBeCloseTo(indRNNBound(100), 6);
    expect(u.data[1]).toBeCloseTo(-indRNNBound(100), 6);
    expect(ind.recurrent!.config.numLayers).toBe(2);
  });
});
