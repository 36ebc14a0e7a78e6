import { Random, Tensor, noGrad, sub, mul, sum, grad } from '@loopflow/tensor';
import { createLinear, loadStateDict, namedParameters, stateDict } from '@loopflow/layers';
import { constrain, createIndRNN, createLSTM, indRNNBound, parameterShapes, recurrentParameters, runRecurrent } from './index';
import { maxAbsDiff, randn } from './test-helpers';

describe('modules as plain data', () => {
  it('a generic walker names the parameters as PyTorch does, also nested in a model', () => {
    const lstm = createLSTM(new Random(1), { inputSize: 5, hiddenSize: 4, numLayers: 2, bidirectional: true });
    expect(namedParameters(lstm).map(([n]) => n)).toEqual(Object.keys(parameterShapes('lstm', lstm.config)));
    const model = { lstm, head: createLinear(new Random(2), 8, 3) };
    const names = namedParameters(model).map(([n]) => n);
    expect(names.slice(0, 4)).toEqual(['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0']);
    expect(names).toContain('lstm.weight_hh_l1_reverse');
    expect(names.slice(-2)).toEqual(['head.weight', 'head.bias']);
  });

  it('a state dict moves between modules of the same config without conversion', () => {
    const a = createLSTM(new Random(1), { inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const b = createLSTM(new Random(2), { inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const x = randn(new Random(3), [5, 2, 3], 'float32');
    expect(maxAbsDiff(runRecurrent(a, x).output.data, runRecurrent(b, x).output.data)).toBeGreaterThan(1e-3);
    loadStateDict(b, stateDict(a));
    expect(maxAbsDiff(runRecurrent(a, x).output.data, runRecurrent(b, x).output.data)).toBe(0);
  });
});

describe('IndRNN', () => {
  it('has a recurrent vector [H] per layer and direction, initialized from recurrentInit and clipped to the bound', () => {
    const bound = indRNNBound(100); // 2^(1/100)
    expect(bound).toBeCloseTo(Math.pow(2, 0.01), 15);
    const ind = createIndRNN(new Random(1), { inputSize: 3, hiddenSize: 64, numLayers: 2, bidirectional: true, recurrentBound: 0.5, recurrentInit: { low: -1, high: 1 } });
    expect((ind.weight_hh_l1_reverse as Tensor).shape).toEqual([64]);
    expect((ind.weight_ih_l1 as Tensor).shape).toEqual([64, 128]);
    const recurrent = recurrentParameters(ind).filter(([n]) => n.startsWith('weight_hh')).flatMap(([, p]) => Array.from(p.data));
    expect(Math.max(...recurrent.map(Math.abs))).toBe(0.5);
    expect(recurrent.filter((v) => Math.abs(v) === 0.5).length).toBeGreaterThan(20); // clipped, not redrawn
    const defaults = createIndRNN(new Random(1), { inputSize: 3, hiddenSize: 64 });
    const w = Array.from((defaults.weight_hh_l0 as Tensor).data);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...w)).toBeLessThanOrEqual(1);
    expect(defaults.config.nonlinearity).toBe('relu');
  });

  it('constrain(module) after an update keeps |w_hh| <= recurrentBound and leaves other weights alone', () => {
    const bound = indRNNBound(10, 2);
    const ind = createIndRNN(new Random(2), { inputSize: 2, hiddenSize: 6, recurrentBound: bound });
    const x = randn(new Random(3), [10, 3, 2], 'float32');
    const loss = sum(mul(runRecurrent(ind, x).output, -1));
    const params = recurrentParameters(ind).map(([, p]) => p);
    const grads = grad(loss, params);
    // A large SGD step pushes the recurrent weights out of range.
    noGrad(() => params.forEach((p, i) => p.data.set(sub(p, mul(grads[i], 10)).data)));
    const before = Float32Array.from((ind.weight_ih_l0 as Tensor).data);
    expect(Math.max(...Array.from((ind.weight_hh_l0 as Tensor).data).map(Math.abs))).toBeGreaterThan(bound);
    constrain(ind);
    expect(Math.max(...Array.from((ind.weight_hh_l0 as Tensor).data).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Array.from((ind.weight_ih_l0 as Tensor).data)).toEqual(Array.from(before));
    // A module without a bound, or of another kind, is left as it is.
    const lstm = createLSTM(new Random(1), { inputSize: 2, hiddenSize: 3 });
    const copy = Float32Array.from((lstm.weight_hh_l0 as Tensor).data);
    expect(Array.from((constrain(lstm).weight_hh_l0 as Tensor).data)).toEqual(Array.from(copy));
  });
});
