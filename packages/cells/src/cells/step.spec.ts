import { Random, Tensor, gradCheck, tensor } from '@loopflow/tensor';
import { CellParams, createRecurrent, cellStep, initialCellState, layerParams, lstmStep, gruStep, rnnStep, indRNNStep, stepFunction, RecurrentKind } from '../index';
import { KIND_CASES, randn, referenceLayer } from '../test-helpers';

const KINDS = KIND_CASES;

function setup(kind: RecurrentKind, nonlinearity: 'tanh' | 'relu' | undefined, seed: number, inputSize = 3, hiddenSize = 5) {
  const rng = new Random(seed);
  const module = createRecurrent(rng, { kind, inputSize, hiddenSize, nonlinearity, recurrentInit: kind === 'indrnn' ? { low: -1, high: 1 } : undefined }, { dtype: 'float64' });
  return { rng, module, params: layerParams(module, 0, false) };
}

describe('cell steps', () => {
  for (const [cell, kind, nonlinearity] of KINDS) {
    it(`${cell}: one step matches a plain-loop reference`, () => {
      const { rng, module, params } = setup(kind, nonlinearity, 11);
      const batch = 3;
      const x = randn(rng, [batch, 3]);
      const state = { h: randn(rng, [batch, 5], 'float64', 0.5), c: cell === 'lstm' ? randn(rng, [batch, 5], 'float64', 0.5) : undefined };
      const [next, y] = cellStep(cell, params, cell === 'lstm' ? state : { h: state.h }, x);
      expect(y).toBe(next.h);
      expect(y.shape).toEqual([batch, 5]);
      for (let b = 0; b < batch; b++) {
        const row = (t: Tensor) => Array.from(t.data.subarray(b * 5, (b + 1) * 5));
        const ref = referenceLayer(cell, module, 0, false, [Array.from(x.data.subarray(b * 3, (b + 1) * 3))], row(state.h), state.c ? row(state.c) : null);
        row(next.h).forEach((v, j) => expect(v).toBeCloseTo(ref.h[j], 12));
        if (cell === 'lstm') row(next.c as Tensor).forEach((v, j) => expect(v).toBeCloseTo((ref.c as number[])[j], 12));
      }
    });

    it(`${cell}: gradCheck of two chained steps (x, state, every parameter) in float64`, () => {
      const { rng, params } = setup(kind, nonlinearity, 5, 3, 5);
      const x1 = randn(rng, [3, 3]);
      const x2 = randn(rng, [3, 3]);
      const h0 = randn(rng, [3, 5], 'float64', 0.5);
      const c0 = randn(rng, [3, 5], 'float64', 0.5);
      const step = stepFunction(cell);
      const fn = (a: Tensor, b: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor): Tensor => {
        const p: CellParams = { weightIh: wih, weightHh: whh, biasIh: bih, biasHh: bhh };
        const s0 = cell === 'lstm' ? { h, c } : { h };
        const [s1] = step(p, s0, a);
        const [s2, y] = step(p, s1, b);
        return cell === 'lstm' ? (s2.c as Tensor) : y;
      };
      const inputs = [x1, x2, h0, c0, params.weightIh, params.weightHh, params.biasIh as Tensor, params.biasHh as Tensor];
      const result = gradCheck(fn as (...t: Tensor[]) => Tensor, inputs, { skip: cell === 'lstm' ? [] : [3] });
      if (!result.ok) throw new Error(JSON.stringify(result.inputs));
      expect(result.inputs.length).toBe(cell === 'lstm' ? 8 : 7);
    });
  }

  it('the named steps are the kinds they say', () => {
    const { rng, params } = setup('rnn', 'relu', 3);
    const x = randn(rng, [2, 3]);
    const s = { h: randn(rng, [2, 5]) };
    expect(rnnStep(params, s, x, 'relu')[1].data).toEqual(cellStep('rnn_relu', params, s, x)[1].data);
    expect(rnnStep(params, s, x)[1].data).toEqual(cellStep('rnn_tanh', params, s, x)[1].data);
    const lstm = setup('lstm', undefined, 3).params;
    expect(lstmStep(lstm, initialCellState('lstm', 2, 5, 'float64'), x)[0].c?.shape).toEqual([2, 5]);
    expect(gruStep(setup('gru', undefined, 3).params, s, x)[1].shape).toEqual([2, 5]);
    const ind = setup('indrnn', 'relu', 3).params;
    expect(indRNNStep(ind, s, x)[1].data).toEqual(cellStep('indrnn_relu', ind, s, x)[1].data);
  });

  it('a hand-worked IndRNN step: h = relu(W_ih x + b_ih + w_hh * h + b_hh)', () => {
    const p: CellParams = {
      weightIh: tensor([[1, 2], [-1, 0.5]], undefined, { dtype: 'float64' }),
      weightHh: tensor([0.5, 2], undefined, { dtype: 'float64' }),
      biasIh: tensor([0.1, 0], undefined, { dtype: 'float64' }),
      biasHh: tensor([0, -0.25], undefined, { dtype: 'float64' }),
    };
    const [, y] = indRNNStep(p, { h: tensor([[2, 1]], undefined, { dtype: 'float64' }) }, tensor([[1, 1]], undefined, { dtype: 'float64' }));
    // unit 0: 1 + 2 + 0.1 + 0.5*2 + 0 = 4.1; unit 1: -1 + 0.5 + 0 + 2*1 - 0.25 = 1.25
    expect(y.toArray()).toEqual([[4.1, 1.25]]);
    const [, y2] = indRNNStep(p, { h: tensor([[2, -1]], undefined, { dtype: 'float64' }) }, tensor([[1, 1]], undefined, { dtype: 'float64' }));
    expect(y2.toArray()).toEqual([[4.1, 0]]); // -2.75 through relu
  });

  it('rejects a state of the wrong size with STATE_SHAPE and says what to pass', () => {
    const { params } = setup('lstm', undefined, 1, 3, 16);
    const x = randn(new Random(1), [2, 3]);
    const bad = { h: randn(new Random(1), [2, 8]), c: randn(new Random(1), [2, 8]) };
    expect(() => lstmStep(params, bad, x)).toThrow(expect.objectContaining({ code: 'STATE_SHAPE' }));
    expect(() => lstmStep(params, bad, x)).toThrow('lstm: state.h has shape [2,8], expected [2,16] (batch 2, hiddenSize 16); pass a state from initialCellState()');
    expect(() => lstmStep(params, { h: randn(new Random(1), [2, 16]) }, x)).toThrow(/state.c has shape undefined/);
    expect(() => lstmStep(params, initialCellState('lstm', 2, 16, 'float64'), randn(new Random(1), [2, 4]))).toThrow(expect.objectContaining({ code: 'INPUT_SHAPE' }));
  });
});
