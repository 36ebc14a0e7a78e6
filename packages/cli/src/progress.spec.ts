import type { RunEvent } from '@loopflow/pipeline';
import { barProgress, plainProgress, PLAIN_STEP_INTERVAL_MS } from './progress';
import { formatDuration, table } from './format';

describe('plain progress (not a terminal)', () => {
  it('prints each epoch with the time left, and a step line at most every 10 s', () => {
    let text = '';
    let now = 0;
    const p = plainProgress({ write: (s: string) => (text += s) }, { now: () => now });
    p.handle({ type: 'train-start', epochs: 4, batchesPerEpoch: 10, updatesPerBatch: 1, parameters: 1234 });
    for (let step = 1; step <= 10; step++) {
      now += 1500; // 1.5 s per step: a line after 7 steps (10.5 s)
      p.handle({ type: 'step', epoch: 1, step, batch: step - 1, loss: 2 - step / 10, lr: 0.01, gradNorm: 1, ms: 1500 });
    }
    p.handle({ type: 'epoch', epoch: 1, trainLoss: 1.5, valid: { loss: 1.6 }, lr: 0.01, ms: 15000 });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('training 1,234 parameters for 4 epochs (10 steps each)');
    expect(lines[1]).toBe('epoch 1/4  step 7/10  loss 1.3  0.6667 steps/s  eta 50s'); // 10.5 s for 0.7 epoch -> 15 s per epoch, 3.3 epochs left
    expect(lines[2]).toBe('epoch 1/4  train loss 1.5  validation loss 1.6  lr 0.01  15s  eta 45s');
    expect(lines).toHaveLength(3);
    expect(PLAIN_STEP_INTERVAL_MS).toBe(10000);
  });
});

describe('baseline lines', () => {
  // the events of an evaluate stage and a baselines stage, in the order a run emits them
  const events: RunEvent[] = [
    { type: 'evaluation', split: 'validation', metrics: { rmse: 0.861, mae: 0.724, count: 75 } },
    { type: 'evaluation', split: 'test', metrics: { rmse: 0.9412, mae: 0.8, count: 75 } },
    { type: 'baseline', name: 'seasonal-naive', split: 'validation', metrics: { rmse: 2.577, mae: 2.492, count: 75 } },
    { type: 'baseline', name: 'seasonal-naive-drift', split: 'test', metrics: { rmse: 1.27912, mae: 1.103, count: 75 } },
  ];
  const expected = [
    'validation: rmse 0.861, mae 0.724, count 75',
    'test: rmse 0.9412, mae 0.8, count 75',
    'baseline seasonal-naive, validation: rmse 2.577, mae 2.492, count 75',
    'baseline seasonal-naive-drift, test: rmse 1.279, mae 1.103, count 75',
  ];

  it('plain progress prints each baseline as it is measured, after the model on the same splits', () => {
    let text = '';
    const p = plainProgress({ write: (s: string) => (text += s) }, { now: () => 0 });
    events.forEach((e) => p.handle(e));
    p.stop();
    expect(text.trim().split('\n')).toEqual(expected);
  });

  it('bar progress prints them too, once the bars have ended', () => {
    let text = '';
    const out = { write: (s: string) => ((text += s), true) };
    const p = barProgress(out);
    p.handle({ type: 'train-start', epochs: 1, batchesPerEpoch: 1, updatesPerBatch: 1, parameters: 10 });
    p.handle({ type: 'done', epochs: 1, steps: 1 });
    text = ''; // what the bars drew
    events.forEach((e) => p.handle(e));
    p.stop();
    expect(text.trim().split('\n')).toEqual(expected);
  });
});

describe('formatting', () => {
  it('durations and tables', () => {
    expect([formatDuration(5), formatDuration(65), formatDuration(3725)]).toEqual(['5s', '1m 05s', '1h 02m']);
    expect(table(['a', 'bb'], [['1', '2'], ['333', '4']])).toBe('a    bb\n---  --\n1    2\n333  4');
  });
});
