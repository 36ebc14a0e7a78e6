/**
 * Truncated BPTT: the window plan, its forward calls, the time-major slicer, and a whole
 * TBPTT(k1, k2 > k1) run against a hand-written loop (one forward per window, loss on its last
 * k1 steps, the carried state taken k2 - k1 steps before the window's end).
 */
import { Random, Tensor, slice, tensor } from '@loopflow/tensor';
import { createLinear, linear, stateDict } from '@loopflow/layers';
import { createLSTM, runRecurrent } from '@loopflow/cells';
import type { RecurrentState } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { sgd } from '@loopflow/optimizers';
import { bpttWindows, timeMajorSlicer, windowSegments } from './bptt';
import { detachCarried } from './carried-state';
import { runAll, toBatches, tokenSequences } from './spec-helpers';
import type { TimeChunk } from './types';

describe('bpttWindows / windowSegments', () => {
  it('k2 = k1: consecutive chunks, the last one shorter, one forward call each', () => {
    const windows = bpttWindows(10, 4);
    expect(windows).toEqual([
      { index: 0, start: 0, lossStart: 0, end: 4, carryAt: 4 },
      { index: 1, start: 4, lossStart: 4, end: 8, carryAt: 8 },
      { index: 2, start: 8, lossStart: 8, end: 10, carryAt: null },
    ]);
    expect(windows.map(windowSegments)).toEqual([[{ start: 0, end: 4, inLoss: true }], [{ start: 4, end: 8, inLoss: true }], [{ start: 8, end: 10, inLoss: true }]]);
    expect(bpttWindows(3, 5)).toEqual([{ index: 0, start: 0, lossStart: 0, end: 3, carryAt: null }]); // full BPTT over a short batch
  });

  it('k2 > k1: windows reach back k2 steps; calls are cut where the loss starts and where the next window starts', () => {
    const windows = bpttWindows(8, 2, 3);
    expect(windows[1]).toEqual({ index: 1, start: 1, lossStart: 2, end: 4, carryAt: 3 });
    expect(windowSegments(windows[1])).toEqual([
      { start: 1, end: 2, inLoss: false },
      { start: 2, end: 3, inLoss: true },
      { start: 3, end: 4, inLoss: true },
    ]);
    expect(bpttWindows(6, 2, 6).map((w) => [w.start, w.carryAt])).toEqual([[0, 0], [0, 0], [0, null]]); // every window from step 0
    expect(() => bpttWindows(8, 3, 2)).toThrow(/stepsBackward \(2\) is less than stepsPerUpdate \(3\)/);
  });

  it('timeMajorSlicer cuts the listed fields along time and keeps the others', () => {
    const batch = { inputs: tensor([[1, 2], [3, 4], [5, 6]]), targets: tensor([7, 8, 9]), lengths: [3, 3] };
    const slicer = timeMajorSlicer<typeof batch>(['inputs', 'targets']);
    expect(slicer.length(batch)).toBe(3);
    const part = slicer.slice(batch, 1, 3);
    expect(part.inputs.toArray()).toEqual([[3, 4], [5, 6]]);
    expect(part.targets.toArray()).toEqual([8, 9]);
    expect(part.lengths).toBe(batch.lengths);
    expect(() => slicer.length({ ...batch, targets: tensor([1, 2]) })).toThrow(/batch\.targets has shape \[2\] but batch\.inputs has 3 steps/);
  });
});

describe('TBPTT(k1 = 2, k2 = 3) through train() equals a hand-written loop', () => {
  const vocab = 5;
  const [batch] = toBatches(tokenSequences(2, 7, vocab, 4), 2).map((b) => ({ inputs: b.inputs.to('float64'), targets: b.targets }));
  const makeModel = () => {
    const rng = new Random(8);
    return { lstm: createLSTM(rng, { inputSize: vocab, hiddenSize: 3 }, { dtype: 'float64' }), head: createLinear(rng, 3, vocab, { dtype: 'float64' }) };
  };
  type Model = ReturnType<typeof makeModel>;
  const logitsOf = (m: Model, x: Tensor, state: RecurrentState | undefined) => {
    const { output, state: next } = runRecurrent(m.lstm, x, { initialState: state }); // [t, B, H]
    return { logits: linear(m.head, output), state: next }; // [t, B, V]
  };

  it('same chunks, same losses, same final weights', async () => {
    const model = makeModel();
    const chunks: TimeChunk[] = [];
    const events = await runAll<Model, typeof batch, RecurrentState>({
      model,
      forward: (m, b, state, ctx) => {
        chunks.push(ctx.chunk!);
        const { logits, state: next } = logitsOf(m, b.inputs, state);
        return { loss: crossEntropy(logits, b.targets), state: next };
      },
      optimizer: (p) => sgd(p, { lr: 0.5 }),
      bptt: { stepsPerUpdate: 2, stepsBackward: 3, slicer: timeMajorSlicer(['inputs', 'targets']) },
      trainBatches: () => [batch],
      epochs: 2,
    });
    expect(chunks.slice(0, 6).map((c) => [c.start, c.end, c.inLoss])).toEqual([
      [0, 1, true], [1, 2, true], // window [0,2): carry at 1 (the next window starts there)
      [1, 2, false], [2, 3, true], [3, 4, true], // window [1,4): loss on [2,4)
      [3, 4, false], // window [3,6) begins
    ]);

    // the hand-written loop: one forward per window over [start, end), loss on [lossStart, end)
    const hand = makeModel();
    const params = Object.values(stateDict(hand));
    const handLosses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      let carried: RecurrentState | undefined;
      const T = batch.inputs.shape[0];
      for (let lossStart = 0; lossStart < T; lossStart += 2) {
        const start = Math.max(0, lossStart - 1);
        const end = Math.min(lossStart + 2, T);
        const nextStart = lossStart + 2 < T ? lossStart + 1 : null;
        const { logits } = logitsOf(hand, slice(batch.inputs, 0, start, end), carried);
        const loss = crossEntropy(slice(logits, 0, lossStart - start, end - start), slice(batch.targets, 0, lossStart, end));
        if (nextStart !== null) carried = detachCarried(logitsOf(hand, slice(batch.inputs, 0, start, nextStart), carried).state);
        handLosses.push(loss.item());
        for (const p of params) p.grad = null;
        loss.backward();
        for (const p of params) for (let i = 0; i < p.size; i++) p.data[i] -= 0.5 * p.grad!.data[i];
      }
    }
    const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses).toHaveLength(handLosses.length);
    losses.forEach((l, i) => expect(l).toBeCloseTo(handLosses[i], 12));
    const trained = stateDict(model);
    for (const [name, t] of Object.entries(stateDict(hand))) {
      Array.from(t.data).forEach((v, i) => expect(trained[name].data[i]).toBeCloseTo(v, 12));
    }
  });
});
