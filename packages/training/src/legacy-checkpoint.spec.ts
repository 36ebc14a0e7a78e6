import { Tensor } from '@loopflow/tensor';
import { upgradeCheckpoint } from './legacy-checkpoint';
import type { LoadedCheckpoint } from './checkpoint-read';

// The conversion of a whole old checkpoint (weights, optimizer moments, resume) is checked
// against a checkpoint written by the loopflow of the time in pipeline's pytorch-interop.spec.ts;
// here: a model of one's own that names its tensors Wq..Wo is left alone.

function checkpointOf(names: string[]): LoadedCheckpoint {
  const model = Object.fromEntries(names.map((n, i) => [n, new Tensor(new Float32Array(4).fill(i), [2, 2])]));
  const parameters = names.map((name) => ({ name, shape: [2, 2], dtype: 'float32' as const }));
  return {
    path: 'ckpt',
    trainer: { model: { parameters, generators: [] } } as unknown as LoadedCheckpoint['trainer'],
    model,
    optimizer: { format: 'loopflow.optimizer-checkpoint/1', optimizer: { format: 'loopflow.optimizer/1', optimizer: 'sgd', hyper: {}, params: parameters, state: names.map(() => null) }, scheduler: null },
    best: null,
  };
}

describe('upgradeCheckpoint', () => {
  const names = ['mine.Wq', 'mine.Wk', 'mine.Wv', 'mine.Wo'];

  it('leaves a checkpoint alone when the model it resumes still has its names', () => {
    const ckpt = checkpointOf(names);
    expect(upgradeCheckpoint(ckpt, { parameters: names.map((name) => ({ name })) })).toBe(ckpt);
  });

  it('converts the same names when the model now has in_proj_weight and out_proj (states stay null)', () => {
    const upgraded = upgradeCheckpoint(checkpointOf(names), { parameters: [{ name: 'mine.in_proj_weight' }, { name: 'mine.out_proj.weight' }] });
    expect(upgraded.trainer.model.parameters).toEqual([
      { name: 'mine.in_proj_weight', shape: [6, 2], dtype: 'float32' },
      { name: 'mine.out_proj.weight', shape: [2, 2], dtype: 'float32' },
    ]);
    expect(Object.keys(upgraded.model)).toEqual(['mine.in_proj_weight', 'mine.out_proj.weight']);
    expect(Array.from(upgraded.model['mine.in_proj_weight'].data)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(upgraded.optimizer.optimizer.state).toEqual([null, null]);
    expect(upgraded.optimizer.optimizer.params.map((p) => p.shape)).toEqual([[6, 2], [2, 2]]);
  });
});
