import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Random, Tensor, sum } from '@loopflow/tensor';
import { namedParameters, parameters } from '@loopflow/layers';
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

  describe('a damaged run folder is refused with a code (issue 16)', () => {
    const description: ModelDescription = { kind: 'recurrent', task: 'language-model', options: { cell: 'gru', hiddenSize: 3 }, input: tokenInput, outputSize: 8 };
    const fresh = (name: string): string => {
      const runDir = path.join(dir, name);
      fs.mkdirSync(runDir);
      saveModel(runDir, 'test', buildModel(description, new Random(9)), {});
      return runDir;
    };

    it('model.json records the SHA-256 of the weights; a changed byte is MODEL_CHECKSUM', () => {
      const runDir = fresh('checksum');
      const weights = path.join(runDir, 'model.safetensors');
      const bytes = fs.readFileSync(weights);
      const file = JSON.parse(fs.readFileSync(path.join(runDir, 'model.json'), 'utf8'));
      expect(file.weightsSha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
      bytes[bytes.length - 1] ^= 1; // one bit of the last weight
      fs.writeFileSync(weights, bytes);
      expect(() => loadModel(runDir)).toThrow(expect.objectContaining({ code: 'MODEL_CHECKSUM', message: expect.stringMatching(/model\.safetensors: SHA-256 [0-9a-f]{64} differs from [0-9a-f]{64}, written in model\.json/) }));
    });

    it('missing weights, or a folder in their place: RUN_INVALID naming the file, not ENOENT/EISDIR', () => {
      const runDir = fresh('missing');
      const weights = path.join(runDir, 'model.safetensors');
      fs.rmSync(weights);
      expect(() => loadModel(runDir)).toThrow(expect.objectContaining({ code: 'RUN_INVALID', message: `${weights} (the model weights) is missing; the run folder is incomplete or damaged: run the definition again, or resume it from its checkpoints` }));
      fs.mkdirSync(weights);
      expect(() => loadModel(runDir)).toThrow(expect.objectContaining({ code: 'RUN_INVALID', message: expect.stringContaining('(the model weights) is a folder, not a file') }));
      fs.writeFileSync(path.join(runDir, 'model.json'), '{"format": ');
      expect(() => loadModel(runDir)).toThrow(expect.objectContaining({ code: 'RUN_INVALID', message: expect.stringContaining('model.json is not valid JSON') }));
    });

    it.each([NaN, Infinity])('weights holding %s are MODEL_NOT_FINITE naming the tensor, not sampled', (bad) => {
      const runDir = fresh(`nonfinite-${bad}`);
      const model = buildModel(description, new Random(9));
      (parameters(model.modules)[0] as Tensor).data[2] = bad;
      saveModel(runDir, 'test', model, {}); // a diverged model, with a valid checksum
      expect(() => loadModel(runDir)).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FINITE', message: expect.stringMatching(new RegExp(`tensor '[^']+' holds 1 non-finite value \\(the first, ${bad}, at index 2\\); the training diverged`)) }));
    });
  });
});
