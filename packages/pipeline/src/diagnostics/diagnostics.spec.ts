import { Random, noGrad, softmax, Tensor } from '@loopflow/tensor';
import { LabelledSample, Sample, Vocabulary } from '@loopflow/data';
import { buildModel } from '../model/builders';
import { prepare } from '../stages/data/batching';
import type { TrainedBundle } from '../vocabulary/bundle';
import { equalLengthBatch, gradientFlowOf, runDiagnostics } from './diagnostics';

const labelled = (input: number[], label: number): LabelledSample => ({ kind: 'labelled', input, label });

function bundleOf(kind: string, options: Record<string, unknown>, validation: Sample[]): TrainedBundle {
  const train = [labelled([4, 5], 0), labelled([5, 4, 4], 1)];
  const data = prepare({ train, validation, test: [] }, { batchSize: 3, shuffle: false, dropRemainder: false }, 0, { vocabulary: Vocabulary.build([['a', 'b']]) });
  const model = buildModel({ kind, task: 'classification', options, input: { kind: 'tokens', vocabSize: 6 }, outputSize: 2 }, new Random(5));
  return { data, model, training: { epochs: 1, steps: 1, stoppedEarly: false, history: [], optimizer: undefined as never, loss: {}, ms: 0 } };
}

describe('gradient-flow diagnostics', () => {
  // lengths 2, 4, 4, 3, 4, 4: the most common length is 4, and the batch takes the first 3 of them
  const validation = [labelled([4, 5], 0), labelled([4, 5, 5, 4], 1), labelled([5, 5, 4, 4], 0), labelled([5, 4, 5], 1), labelled([4, 4, 4, 4], 1), labelled([5, 5, 5, 5], 0)];

  it('traces one validation batch of equal-length sequences (no padding)', () => {
    const batch = equalLengthBatch(bundleOf('recurrent', { cell: 'rnn', hiddenSize: 3 }, validation).data, 'validation');
    expect(batch?.size).toBe(3);
    expect(batch?.lengths).toEqual([4, 4, 4]);
    expect(Array.from(batch?.targets.data ?? [])).toEqual([1, 0, 1]);
  });

  it('the norm at the last step is that of the head\'s gradient, (softmax - onehot) W / B (worked independently)', () => {
    const bundle = bundleOf('recurrent', { cell: 'rnn', hiddenSize: 3 }, validation);
    const flow = gradientFlowOf(bundle);
    expect(flow).toMatchObject({ split: 'validation', batchSize: 3, steps: 4 });
    const norms = flow?.entries[0].norms as number[];
    expect(norms).toHaveLength(4);
    const batch = equalLengthBatch(bundle.data, 'validation')!;
    const head = (bundle.model.modules as { head: { weight: Tensor } }).head.weight; // [2, H]
    const expected = noGrad(() => {
      const p = softmax(bundle.model.forward(batch, undefined, { training: false }).output, -1).data; // [B, 2]
      let total = 0;
      for (let b = 0; b < 3; b++) {
        const g = [p[b * 2] - (batch.targets.data[b] === 0 ? 1 : 0), p[b * 2 + 1] - (batch.targets.data[b] === 1 ? 1 : 0)].map((v) => v / 3);
        for (let h = 0; h < 3; h++) total += (g[0] * head.data[h] + g[1] * head.data[3 + h]) ** 2;
      }
      return Math.sqrt(total);
    });
    expect(norms[3]).toBeCloseTo(expected, 5);
    for (const n of norms) expect(n).toBeGreaterThan(0);
  });

  it('leaves a note instead for models without a hidden-state trace', () => {
    const bundle = bundleOf('feedback', { layers: [{ name: 'h', size: 3, cell: 'rnn_tanh' }], feedback: [{ kind: 'lateral', layer: 'h' }] }, validation);
    const diagnostics = runDiagnostics(bundle);
    expect(diagnostics.gradientFlow).toBeUndefined();
    expect(diagnostics.notes[0]).toMatch(/gradient flow: not traced for a feedback model/);
  });
});
