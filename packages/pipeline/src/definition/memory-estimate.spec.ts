import { Random } from '@loopflow/tensor';
import { parameters } from '@loopflow/layers';
import { buildModel } from '../model/builders';
import type { ModelDescription } from '../vocabulary/model';
import { estimateTrainingMemory, formatBytes, memoryProblem } from './memory-estimate';
import { validateDefinition } from './validate';
import { cleanup, namesDefinition, problemsOfText, tempDir, writeNames } from '../testing/fixtures';
import type { PipelineDefinition } from './types';

const GB = 1024 ** 3;

function withModel(model: Record<string, unknown>, batchSize = 8): PipelineDefinition {
  const d = namesDefinition();
  d.stages[5] = { stage: 'batch', batchSize };
  d.stages[6] = model as { stage: string };
  return d;
}

describe('estimateTrainingMemory', () => {
  it.each([
    [{ cell: 'lstm', hiddenSize: 12, embeddingSize: 6, numLayers: 2 }],
    [{ cell: 'gru', hiddenSize: 5, embeddingSize: 3, numLayers: 3 }],
    [{ cell: 'rnn', hiddenSize: 7, embeddingSize: 4 }],
    [{ cell: 'indrnn', hiddenSize: 9, embeddingSize: 2, numLayers: 2 }],
  ])('counts the recurrent core as the built model has it: %j', (options) => {
    // the built model has an embedding (vocab x E) and a head to the vocabulary; the estimate
    // counts neither the vocabulary nor more than one output: the rest must be equal
    const vocab = 11;
    const description = { kind: 'recurrent', task: 'language-model', options, input: { kind: 'tokens', vocabSize: vocab }, outputSize: vocab } as ModelDescription;
    const built = parameters(buildModel(description, new Random(1)).modules).reduce((n, p) => n + p.size, 0);
    const estimate = estimateTrainingMemory(withModel({ stage: 'recurrent', ...options })) as NonNullable<ReturnType<typeof estimateTrainingMemory>>;
    const H = options.hiddenSize;
    expect(estimate.parameters).toBe(built - vocab * options.embeddingSize - (H * vocab + vocab) + (H + 1));
  });

  it('weights, gradients and Adam state are 4 bytes a parameter each (2 numbers of state); activations batch x steps x hidden x layers x (gates + states)', () => {
    const d = withModel({ stage: 'recurrent', cell: 'lstm', hiddenSize: 10, embeddingSize: 1, numLayers: 2 }, 32);
    d.stages[4] = { stage: 'next-token', mode: 'windows', length: 50 };
    const e = estimateTrainingMemory(d) as NonNullable<ReturnType<typeof estimateTrainingMemory>>;
    expect(e.bytes.parameters).toBe(4 * e.parameters);
    expect(e.bytes.gradients).toBe(4 * e.parameters);
    expect(e.bytes.optimizer).toBe(8 * e.parameters);
    expect([e.batch, e.steps, e.stepsKnown]).toEqual([32, 50, true]);
    expect(e.bytes.activations).toBe(4 * 32 * 50 * 10 * 2 * (4 + 2));
    d.stages[7] = { stage: 'train', epochs: 1, bptt: { stepsPerUpdate: 5, stepsBackward: 10 } };
    expect(estimateTrainingMemory(d)?.steps).toBe(10); // truncated BPTT keeps 10 steps
  });

  it('formats bytes in powers of 1024', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(12 * GB), formatBytes(8.8 * 1024 * GB)]).toEqual(['512 bytes', '1.5 KB', '12 GB', '8.8 TB']);
  });
});

describe('validation refuses a model that cannot fit memory (issue 16)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeNames(dir);
  });
  afterAll(() => cleanup(dir));

  it('hiddenSize 65536 x 64 layers: MEMORY at the model stage, with the figure and the limit', () => {
    const d = withModel({ stage: 'recurrent', cell: 'lstm', hiddenSize: 65536, numLayers: 64 });
    const problems = validateDefinition(d, { baseDir: dir, totalMemory: 16 * GB });
    expect(problems).toEqual([expect.objectContaining({ code: 'MEMORY', path: '/stages/6', expected: 'at most 12 GB', found: expect.stringMatching(/^at least \d+ TB$/) })]);
    expect(problems[0].message).toMatch(/^recurrent: training this model needs at least \d+ TB of memory, more than the limit of 12 GB \(75% of this machine's 16 GB\): 2\.\d\de\+12 parameters/);
    expect(problems[0].hint).toContain('"memoryLimitMB"');
  });

  it('is located at line:column when read from text, and memoryLimitMB raises (or lowers) the limit', () => {
    const big = withModel({ stage: 'recurrent', cell: 'lstm', hiddenSize: 20000, numLayers: 8 });
    const text = JSON.stringify(big, null, 2);
    const [p] = problemsOfText(dir, text).filter((q) => q.code === 'MEMORY');
    // the position of the model stage: its opening brace, on the line before its "stage" key
    expect(p.position?.line).toBe(text.split('\n').findIndex((l) => l.includes('"recurrent"')));
    const estimate = estimateTrainingMemory(big)?.bytes.total as number;
    const mb = Math.ceil(estimate / 1024 ** 2);
    expect(memoryProblem({ ...big, memoryLimitMB: mb }, 1)).toBeNull();
    expect(memoryProblem({ ...big, memoryLimitMB: mb - 1 }, 1024 * 1024 * GB)).toMatchObject({ code: 'MEMORY', message: expect.stringContaining(`(memoryLimitMB ${mb - 1})`) });
  });

  it("the caller's memoryLimitMB (the CLI's --memory-limit) goes over the definition's, both ways", () => {
    const big = withModel({ stage: 'recurrent', cell: 'lstm', hiddenSize: 20000, numLayers: 8 });
    const mb = Math.ceil((estimateTrainingMemory(big)?.bytes.total as number) / 1024 ** 2);
    expect(memoryProblem({ ...big, memoryLimitMB: mb - 1 }, 1, mb)).toBeNull();
    expect(memoryProblem({ ...big, memoryLimitMB: mb }, 1024 * 1024 * GB, mb - 1)).toMatchObject({ code: 'MEMORY', message: expect.stringContaining(`(--memory-limit ${mb - 1})`) });
    expect(validateDefinition({ ...big, memoryLimitMB: 1 }, { baseDir: dir, memoryLimitMB: mb })).toEqual([]);
    expect(validateDefinition(big, { baseDir: dir, memoryLimitMB: mb - 1, totalMemory: 1024 * 1024 * GB })).toEqual([expect.objectContaining({ code: 'MEMORY', expected: `at most ${formatBytes((mb - 1) * 1024 ** 2)}` })]);
  });

  it('the names example fits a 1 GB machine; an attention model counts its steps² weights', () => {
    expect(validateDefinition(namesDefinition(), { baseDir: dir, totalMemory: GB })).toEqual([]);
    const d = withModel({ stage: 'attention', dModel: 64, heads: 4, layers: 2 }, 64);
    d.stages[4] = { stage: 'next-token', mode: 'windows', length: 8192 };
    const problems = validateDefinition(d, { baseDir: dir, totalMemory: 16 * GB });
    expect(problems).toEqual([expect.objectContaining({ code: 'MEMORY', path: '/stages/6' })]);
    expect(problems[0].message).toContain('(batch 64 x 8192 steps)');
  });
});

describe('a 50 MB description', () => {
  it('is refused at /description with the limit', () => {
    const d = { ...namesDefinition(), description: 'x'.repeat(50 * 1024 * 1024) };
    const problems = validateDefinition(d, { checkFiles: false });
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', path: '/description', expected: expect.stringContaining('10000') })]);
  });
});
