import { Tensor, tensor, zeros } from '@loopflow/tensor';
import { Sample, Scaler, Vocabulary } from '@loopflow/data';
import { evaluateSplit } from './evaluate';
import { prepare } from '../stages/data/batching';
import type { PipelineModel } from '../vocabulary/model';
import type { ModelBundle } from '../vocabulary/bundle';
import type { Artifacts } from '../vocabulary/artifacts';

/** A "model" whose output is a fixed function of the batch. */
function fake(task: PipelineModel['description']['task'], output: (inputs: Tensor) => Tensor): PipelineModel {
  return { description: { kind: 'fake', task, options: {}, input: { kind: 'features', size: 1 }, outputSize: 1 }, modules: {}, stateful: false, forward: (batch) => ({ output: output(batch.inputs) }) };
}
function bundle(samples: Sample[], model: PipelineModel, artifacts: Artifacts): ModelBundle {
  const data = prepare({ train: samples, validation: [], test: samples }, { batchSize: 3, shuffle: false, dropRemainder: false }, 0, artifacts);
  return { data, model };
}

describe('evaluateSplit (hand-worked)', () => {
  it('classification: accuracy, precision, recall, F1 and the mean cross-entropy', () => {
    // logits [0, ln 3] predict class 1 with p = 3/4; [ln 3, 0] predict class 0 with p = 3/4
    const samples: Sample[] = [4, 5, 6, 7].map((id, i) => ({ kind: 'labelled', input: [id], label: [1, 0, 1, 0][i] }));
    const predictOne = new Set([4, 5]); // predictions 1, 1, 0, 0
    const model = fake('classification', (ids) => tensor(Array.from(ids.data).flatMap((id) => (predictOne.has(id) ? [0, Math.log(3)] : [Math.log(3), 0])), [ids.shape[1], 2]));
    const vocabulary = Vocabulary.build([['a', 'b', 'c', 'd']]);
    const result = evaluateSplit(bundle(samples, model, { vocabulary }), 'test');
    // two right (p = 3/4), two wrong (p = 1/4): loss = (2 ln(4/3) + 2 ln 4) / 4
    expect(result?.metrics.loss).toBeCloseTo((2 * Math.log(4 / 3) + 2 * Math.log(4)) / 4, 6);
    expect(result?.metrics).toMatchObject({ accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5, count: 4 });
    expect(result?.confusion).toEqual([[1, 1], [1, 1]]);
    expect(evaluateSplit(bundle(samples, model, { vocabulary }), 'validation')).toBeUndefined();
  });

  it('forecast: RMSE and MAE in the original units (the scaler inverted)', () => {
    const scaler = Scaler.fit('standard', [[0], [10]]); // mean 5, std 5
    // truth 6 and 9 (scaled 0.2 and 0.8); the model always predicts scaled 0 = 5 ppm: errors 1 and 4
    const samples: Sample[] = [6, 9].map((v, index) => ({ kind: 'series', input: [[0]], target: [[(v - 5) / 5]], index }));
    const model = fake('forecast', (x) => zeros([1, x.shape[1], 1]));
    const result = evaluateSplit(bundle(samples, model, { scaler, series: { lookBack: 1, horizon: 1, inputColumns: [0], targetColumns: [0] } }), 'test');
    expect(result?.metrics.rmse).toBeCloseTo(Math.sqrt((1 + 16) / 2), 5);
    expect(result?.metrics.mae).toBeCloseTo(2.5, 5);
    expect(result?.metrics.loss).toBeCloseTo((0.2 ** 2 + 0.8 ** 2) / 2, 6); // trained on scaled MSE
  });

  it('language model: a uniform model over 4 tokens has perplexity 4 and 2 bits per character', () => {
    const vocabulary = Vocabulary.build([]); // the 4 special tokens
    const samples: Sample[] = [{ kind: 'tokens', input: [2, 1, 1], target: [1, 1, 3] }, { kind: 'tokens', input: [2], target: [3] }];
    const model = fake('language-model', (ids) => zeros([ids.shape[0], ids.shape[1], 4]));
    const result = evaluateSplit(bundle(samples, model, { vocabulary, tokenizer: { kind: 'char', lowerCase: false } }), 'test');
    expect(result?.metrics.loss).toBeCloseTo(Math.log(4), 6);
    expect(result?.metrics.perplexity).toBeCloseTo(4, 5);
    expect(result?.metrics.bitsPerCharacter).toBeCloseTo(2, 6);
    expect(result?.metrics.tokens).toBe(4); // padding not counted
  });
});
