import * as path from 'path';
import { Random, Tensor, sum } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { collate, Sample, Vocabulary } from '@loopflow/data';
import { buildModel } from './builders';
import type { ModelDescription } from '../vocabulary/model';
import { loadModel, saveModel } from './model-file';
import { generateText, forecastAhead } from './generate';
import { cleanup, tempDir } from '../testing/fixtures';

const tokens: Sample[] = [
  { kind: 'tokens', input: [2, 4, 5], target: [4, 5, 3] },
  { kind: 'tokens', input: [2, 6], target: [6, 3] },
];
const labelled: Sample[] = [
  { kind: 'labelled', input: [4, 5, 6], label: 1 },
  { kind: 'labelled', input: [6], label: 0 },
];
const series: Sample[] = [
  { kind: 'series', input: [[1, 2], [2, 3], [3, 4]], target: [[4], [5]], index: 0 },
  { kind: 'series', input: [[2, 3], [3, 4], [4, 5]], target: [[5], [6]], index: 1 },
];

const tokenInput = { kind: 'tokens' as const, vocabSize: 8 };
const describe3 = (kind: string, options: Record<string, unknown>): [string, ModelDescription, Sample[], number[]][] => [
  [`${kind} language model`, { kind, task: 'language-model', options, input: tokenInput, outputSize: 8 }, tokens, [3, 2, 8]],
  [`${kind} classifier`, { kind, task: 'classification', options, input: tokenInput, outputSize: 2 }, labelled, [2, 2]],
  [`${kind} forecaster`, { kind, task: 'forecast', options, input: { kind: 'features', size: 2 }, outputSize: 2, horizon: 2, targetFeatures: 1 }, series, [2, 2, 1]],
];

describe('models: one interface over every family and task', () => {
  const cases = [
    ...describe3('recurrent', { cell: 'lstm', hiddenSize: 5, embeddingSize: 3 }),
    ...describe3('recurrent', { cell: 'rnn', hiddenSize: 4, numLayers: 2 }),
    ...describe3('feedback', { layers: [{ name: 'h', size: 4, cell: 'gru' }, { name: 'out', size: 3, cell: 'linear' }], feedback: [{ kind: 'indirect', from: 'out', to: 'h' }] }),
    ...describe3('attention', { dModel: 8, heads: 2, layers: 1 }),
  ];
  it.each(cases)('%s gives the task layout and a gradient to every parameter', (_name, description, samples, shape) => {
    const model = buildModel(description, new Random(1));
    const batch = collate(samples);
    const { output } = model.forward(batch, undefined, { training: true, rng: new Random(2) });
    expect(output.shape).toEqual(shape);
    expect(Array.from(output.data).every(Number.isFinite)).toBe(true);
    sum(output).backward();
    const missing = namedParameters(model.modules).filter(([, p]) => p.grad === null).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('a bidirectional classifier reads both directions (2H into the head)', () => {
    const model = buildModel({ kind: 'recurrent', task: 'classification', options: { cell: 'gru', hiddenSize: 3, bidirectional: true }, input: tokenInput, outputSize: 2 }, new Random(0));
    expect((model.modules as { head: { weight: Tensor } }).head.weight.shape).toEqual([2, 6]);
    expect(model.stateful).toBe(false);
  });

  it('padding does not change a sequence result (lengths are honoured)', () => {
    const model = buildModel({ kind: 'recurrent', task: 'classification', options: { cell: 'lstm', hiddenSize: 4 }, input: tokenInput, outputSize: 2 }, new Random(3));
    const alone = model.forward(collate([labelled[1]]), undefined, { training: false }).output.data;
    const padded = model.forward(collate(labelled), undefined, { training: false }).output.data;
    expect(Array.from(padded.slice(2, 4))).toEqual(Array.from(alone));
  });
});

describe('model files', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => cleanup(dir));

  it('saves model.safetensors + model.json and loads a model that computes the same outputs', () => {
    const vocabulary = Vocabulary.build([['a', 'b', 'c', 'd']]);
    const description: ModelDescription = { kind: 'recurrent', task: 'language-model', options: { cell: 'gru', hiddenSize: 6 }, input: tokenInput, outputSize: 8 };
    const model = buildModel(description, new Random(9));
    const file = saveModel(dir, 'test', model, { vocabulary, tokenizer: { kind: 'char', lowerCase: false } });
    expect(file.parameters).toBe(3 * 6 * 8 + 3 * 6 * 6 + 2 * 3 * 6 + 6 * 8 + 8);
    const loaded = loadModel(dir);
    const batch = collate(tokens);
    expect(Array.from(loaded.model.forward(batch, undefined, { training: false }).output.data)).toEqual(Array.from(model.forward(batch, undefined, { training: false }).output.data));
    expect(loaded.artifacts.vocabulary?.list()).toEqual(vocabulary.list());
    // generation is seeded: the same seed gives the same samples, from the saved model as from the trained one
    const options = { count: 3, maxLength: 8, temperature: 1, seed: 4 };
    expect(generateText(loaded.model, loaded.artifacts.vocabulary as Vocabulary, loaded.artifacts.tokenizer, options)).toEqual(generateText(model, vocabulary, { kind: 'char', lowerCase: false }, options));
    expect(path.basename(file.weights)).toBe('model.safetensors');
  });

  it('forecasts ahead autoregressively from the last rows, in original units', () => {
    const description: ModelDescription = { kind: 'recurrent', task: 'forecast', options: { cell: 'rnn', hiddenSize: 3 }, input: { kind: 'features', size: 1 }, outputSize: 2, horizon: 2, targetFeatures: 1 };
    const model = buildModel(description, new Random(5));
    const rows = forecastAhead(model, { lookBack: 3, horizon: 2, inputColumns: [0], targetColumns: [0], lastRows: [[0.1], [0.2], [0.3]] }, undefined, 5);
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.every((r) => r.values.length === 1 && Number.isFinite(r.values[0]))).toBe(true);
  });
});
