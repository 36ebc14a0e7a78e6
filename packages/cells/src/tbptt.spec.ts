import { Random, Tensor, grad, mul, noGrad, slice, sum } from '@loopflow/tensor';
import { RecurrentModule, createLSTM, createRNN, detachState, recurrentParameters, runRecurrent, truncatedBPTT, TruncatedBPTTUpdate } from './index';
import { maxAbsDiff, randn } from './test-helpers';

const forwardOf = (module: RecurrentModule) => (xs: Tensor, state: { h: Tensor; c?: Tensor } | undefined) => runRecurrent(module, xs, { initialState: state });

/** Runs TBPTT without updating the weights; returns each update's gradients of sum(output * R) and its output. */
function collect(module: RecurrentModule, x: Tensor, R: Tensor, k1: number, k2: number, wrt: Tensor[]) {
  const updates: { window: TruncatedBPTTUpdate['window']; grads: Tensor[]; output: Tensor }[] = [];
  truncatedBPTT({ sequenceLength: x.shape[0], stepsPerUpdate: k1, stepsBackward: k2 }).run(x, forwardOf(module), ({ window, output }) => {
    const loss = sum(mul(output, slice(R, 0, window.lossStart, window.end)));
    updates.push({ window, grads: grad(loss, wrt), output });
  });
  return updates;
}

describe('truncatedBPTT', () => {
  const T = 10;
  const module = createLSTM(new Random(1), { inputSize: 3, hiddenSize: 4, numLayers: 2 }, { dtype: 'float64' });
  const params = recurrentParameters(module).map(([, p]) => p);
  const x = randn(new Random(2), [T, 2, 3], 'float64', 1, true);
  const R = randn(new Random(3), [T, 2, 4]);

  it('plans windows: an update every k1 steps, the forward from k2 steps back', () => {
    const plan = truncatedBPTT({ sequenceLength: 10, stepsPerUpdate: 4, stepsBackward: 6 });
    expect(plan.windows).toEqual([
      { index: 0, start: 0, lossStart: 0, end: 4, carryAt: 2 },
      { index: 1, start: 2, lossStart: 4, end: 8, carryAt: 6 },
      { index: 2, start: 6, lossStart: 8, end: 10, carryAt: null },
    ]);
    expect(truncatedBPTT({ sequenceLength: 7, stepsPerUpdate: 3 }).windows.map((w) => [w.start, w.lossStart, w.end])).toEqual([[0, 0, 3], [3, 3, 6], [6, 6, 7]]);
    expect(() => truncatedBPTT({ sequenceLength: 10, stepsPerUpdate: 4, stepsBackward: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('k1 = k2 = T is full BPTT', () => {
    const [only, ...rest] = collect(module, x, R, T, T, [x, ...params]);
    expect(rest).toEqual([]);
    const full = runRecurrent(module, x);
    const expected = grad(sum(mul(full.output, R)), [x, ...params]);
    expected.forEach((g, i) => expect(maxAbsDiff(only.grads[i].data, g.data)).toBeLessThan(1e-13));
  });

  it('k1 = k2 < T: the gradient stops at the chunk start (state carried detached)', () => {
    const updates = collect(module, x, R, 4, 4, [x, ...params]);
    expect(updates.map((u) => u.window.lossStart)).toEqual([0, 4, 8]);
    // Hand-built second chunk: run chunk 1, detach, run chunk 2, loss on chunk 2.
    const first = runRecurrent(module, slice(x, 0, 0, 4));
    const second = runRecurrent(module, slice(x, 0, 4, 8), { initialState: detachState(first.state) });
    const expected = grad(sum(mul(second.output, slice(R, 0, 4, 8))), [x, ...params]);
    expected.forEach((g, i) => expect(maxAbsDiff(updates[1].grads[i].data, g.data)).toBeLessThan(1e-13));
    // x of the first chunk gets nothing from the second update; its own chunk does.
    const gx = updates[1].grads[0].data;
    expect(Array.from(gx.subarray(0, 4 * 2 * 3)).every((v) => v === 0)).toBe(true);
    expect(Array.from(gx.subarray(4 * 2 * 3, 8 * 2 * 3)).some((v) => v !== 0)).toBe(true);
    // Not vacuous: without the detach the gradient of the weights differs.
    const attached = runRecurrent(module, slice(x, 0, 4, 8), { initialState: first.state });
    const [gAttached] = grad(sum(mul(attached.output, slice(R, 0, 4, 8))), [params[1]]);
    expect(maxAbsDiff(updates[1].grads[2].data, gAttached.data)).toBeGreaterThan(1e-6);
  });

  it('k2 > k1: the loss of the last k1 steps, back-propagated k2 steps to a detached stored state', () => {
    const k1 = 3;
    const k2 = 5;
    const updates = collect(module, x, R, k1, k2, [x, ...params]);
    expect(updates.map((u) => [u.window.start, u.window.lossStart, u.window.end])).toEqual([[0, 0, 3], [1, 3, 6], [4, 6, 9], [7, 9, 10]]);
    for (const u of updates.slice(1)) {
      const { start, lossStart, end } = u.window;
      // Direct computation: the state at `start` from a forward with no gradient, detached explicitly there.
      const stored = noGrad(() => runRecurrent(module, slice(x, 0, 0, start)).state);
      const run = runRecurrent(module, slice(x, 0, start, end), { initialState: detachState(stored) });
      const lossOutput = slice(run.output, 0, lossStart - start, end - start); // the last k1 steps only
      expect(maxAbsDiff(u.output.data, lossOutput.data)).toBeLessThan(1e-13);
      const expected = grad(sum(mul(lossOutput, slice(R, 0, lossStart, end))), [x, ...params]);
      expected.forEach((g, i) => expect(maxAbsDiff(u.grads[i].data, g.data)).toBeLessThan(1e-13));
      // The gradient reaches x back to `start` and no further.
      const gx = u.grads[0].data;
      const row = 2 * 3;
      expect(Array.from(gx.subarray(0, start * row)).every((v) => v === 0)).toBe(true);
      expect(Array.from(gx.subarray(start * row, (start + 1) * row)).some((v) => v !== 0)).toBe(true);
    }
  });

  it('returns the detached final state, to carry into the next sequence', () => {
    const rnn = createRNN(new Random(4), { inputSize: 3, hiddenSize: 4 }, { dtype: 'float64' });
    const final = truncatedBPTT({ sequenceLength: T, stepsPerUpdate: 3, stepsBackward: 4 }).run(x, forwardOf(rnn), () => undefined);
    expect(final.h.requiresGrad).toBe(false);
    expect(maxAbsDiff(final.h.data, runRecurrent(rnn, x).state.h.data)).toBeLessThan(1e-14);
    expect(() => truncatedBPTT({ sequenceLength: 9, stepsPerUpdate: 3 }).run(x, forwardOf(rnn), () => undefined)).toThrow(expect.objectContaining({ code: 'INPUT_SHAPE' }));
  });
});
