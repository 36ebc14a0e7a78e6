import type { PipelineDefinition } from '../definition/types';
import { applyOverrides } from './overrides';

const definition: PipelineDefinition = {
  name: 'names',
  seed: 3,
  stages: [
    { stage: 'first-names' },
    { stage: 'tokenize' },
    { stage: 'random-split' },
    { stage: 'vocabulary' },
    { stage: 'next-token' },
    { stage: 'batch', batchSize: 64 },
    { stage: 'recurrent', cell: 'lstm', hiddenSize: 128 },
    { stage: 'train', epochs: 30, optimizer: { kind: 'adam', lr: 0.003 }, earlyStopping: { patience: 4 } },
  ],
};

describe('applyOverrides', () => {
  it('sets options by stage name, dotted path or pointer, on a copy', () => {
    const out = applyOverrides(definition, { 'train.epochs': 2, 'first-names.limit': 500, 'stages.6.hiddenSize': 16, '/stages/7/optimizer/lr': 0.01, seed: 9 });
    expect(out.stages[7]).toEqual({ stage: 'train', epochs: 2, optimizer: { kind: 'adam', lr: 0.01 }, earlyStopping: { patience: 4 } });
    expect(out.stages[0]).toEqual({ stage: 'first-names', limit: 500 });
    expect(out.stages[6].hiddenSize).toBe(16);
    expect(out.seed).toBe(9);
    expect(definition.stages[7].epochs).toBe(30); // the original is untouched
  });

  it('removes an option given undefined', () => {
    const out = applyOverrides(definition, { 'train.earlyStopping': undefined });
    expect(out.stages[7]).toEqual({ stage: 'train', epochs: 30, optimizer: { kind: 'adam', lr: 0.003 } });
  });

  it('names the field that does not resolve', () => {
    expect(() => applyOverrides(definition, { 'evaluate.splits': ['test'] })).toThrow(/override 'evaluate.splits': 'evaluate.splits' starts with 'evaluate', which is neither a top-level key nor a stage/);
    expect(() => applyOverrides(definition, { 'train.schedule.kind': 'step' })).toThrow(/does not lead into the definition/);
  });
});
