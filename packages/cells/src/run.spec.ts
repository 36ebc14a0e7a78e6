import { Random, Tensor, add, gradCheck, grad, mul, permute, select, slice, sum, tensor } from '@loopflow/tensor';
import {
  RecurrentKind, RecurrentModule, createRecurrent, createLSTM, createGRU, initialState, parameterShapes, recurrentParameters,
  runRecurrent, setLayerRunner, runLayerDirection, LayerRunnerArgs, detachState,
} from './index';
import { KIND_CASES, maxAbsDiff, randn, referenceStack, sequenceOf } from './test-helpers';

const KINDS = KIND_CASES; // every cell kind

function build(kind: RecurrentKind, nonlinearity: 'tanh' | 'relu' | undefined, seed: number, extra: Record<string, unknown> = {}): RecurrentModule {
  return createRecurrent(new Random(seed), { kind, inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity, ...extra }, { dtype: 'float64' });
}

/** Replaces every parameter by the given tensors (in recurrentParameters order). */
function withParams(module: RecurrentModule, params: Tensor[]): RecurrentModule {
  const copy: Record<string, unknown> = { kind: module.kind, config: module.config };
  recurrentParameters(module).forEach(([name], i) => (copy[name] = params[i]));
  return copy as RecurrentModule;
}

describe('runRecurrent: variable lengths', () => {
  const lengths = [5, 2, 4, 1];
  for (const [label, kind, nonlinearity] of KINDS) {
    it(`${label} (2 layers, bidirectional): padded batch = each sequence alone, unpadded`, () => {
      const module = build(kind, nonlinearity, 3);
      const rng = new Random(4);
      const x = randn(rng, [5, 4, 3]);
      const h0 = randn(rng, [4, 4, 4], 'float64', 0.5);
      const c0 = randn(rng, [4, 4, 4], 'float64', 0.5);
      const init = kind === 'lstm' ? { h: h0, c: c0 } : { h: h0 };
      const { output, state } = runRecurrent(module, x, { lengths, initialState: init });
      expect(output.shape).toEqual([5, 4, 8]);
      lengths.forEach((len, b) => {
        const xb = slice(slice(x, 1, b, b + 1), 0, 0, len); // [len, 1, 3]
        const rows = (t: Tensor) => slice(t, 1, b, b + 1);
        const alone = runRecurrent(module, xb, { initialState: kind === 'lstm' ? { h: rows(h0), c: rows(c0) } : { h: rows(h0) } });
        const padded = slice(slice(output, 1, b, b + 1), 0, 0, len);
        expect(maxAbsDiff(padded.data, alone.output.data)).toBeLessThan(1e-12);
        // padded steps output exactly zero
        for (let t = len; t < 5; t++) expect(Array.from(select(select(output, 0, t), 0, b).data).every((v) => v === 0)).toBe(true);
        expect(maxAbsDiff(rows(state.h).data, alone.state.h.data)).toBeLessThan(1e-12);
        if (kind === 'lstm') expect(maxAbsDiff(rows(state.c as Tensor).data, (alone.state.c as Tensor).data)).toBeLessThan(1e-12);
      });
    });

    it(`${label}: matches an independent plain-loop reference of the whole stack`, () => {
      const module = build(kind, nonlinearity, 8);
      const x = randn(new Random(9), [4, 2, 3]);
      const { output, state } = runRecurrent(module, x);
      for (let b = 0; b < 2; b++) {
        const ref = referenceStack(module, sequenceOf(x, b, 4));
        expect(maxAbsDiff(sequenceOf(output, b, 4).flat(), ref.outputs.flat())).toBeLessThan(1e-12);
        ref.h.forEach((row, r) => expect(maxAbsDiff(state.h.data.subarray((r * 2 + b) * 4, (r * 2 + b + 1) * 4), row)).toBeLessThan(1e-12));
      }
    });
  }

  it('a mask [T, B] gives the same result as the lengths it encodes', () => {
    const module = build('gru', undefined, 2);
    const x = randn(new Random(1), [4, 3, 3]);
    const mask = tensor([[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 0, 0]], undefined, { dtype: 'float64' });
    const a = runRecurrent(module, x, { mask });
    const b = runRecurrent(module, x, { lengths: [4, 2, 1] });
    expect(maxAbsDiff(a.output.data, b.output.data)).toBe(0);
    const gaps = tensor([[1, 1, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0]], undefined, { dtype: 'float64' });
    expect(() => runRecurrent(module, x, { mask: gaps })).toThrow(expect.objectContaining({ code: 'INVALID_LENGTHS' }));
    expect(() => runRecurrent(module, x, { lengths: [4, 5, 1] })).toThrow(/lengths\[1\] is 5; expected an integer in \[0, 4\]/);
    expect(() => runRecurrent(module, x, { lengths: [4, 2] })).toThrow(expect.objectContaining({ code: 'INVALID_LENGTHS' }));
  });

  it('gradients: padded steps receive no gradient, and the reverse direction starts at each sequence\'s own end', () => {
    const module = build('lstm', undefined, 5);
    const x = randn(new Random(6), [4, 2, 3], 'float64', 1, true);
    const { output, state } = runRecurrent(module, x, { lengths: [4, 2] });
    const loss = add(sum(mul(output, randn(new Random(7), [4, 2, 8]))), sum(state.h));
    const [gx] = grad(loss, [x]);
    for (let t = 2; t < 4; t++) for (let i = 0; i < 3; i++) expect(gx.data[(t * 2 + 1) * 3 + i]).toBe(0);
    expect(Math.abs(gx.data[(1 * 2 + 1) * 3])).toBeGreaterThan(0);
  });
});

describe('runRecurrent: gradCheck of whole stacks in float64 (2 layers, bidirectional, masks)', () => {
  for (const [label, kind, nonlinearity] of KINDS) {
    it(label, () => {
      const module = createRecurrent(new Random(21), { kind, inputSize: 3, hiddenSize: 3, numLayers: 2, bidirectional: true, nonlinearity }, { dtype: 'float64' });
      const params = recurrentParameters(module).map(([, p]) => p);
      const rng = new Random(22);
      const x = randn(rng, [3, 2, 3]);
      const h0 = randn(rng, [4, 2, 3], 'float64', 0.5);
      const c0 = randn(rng, [4, 2, 3], 'float64', 0.5);
      const fn = (xs: Tensor, h: Tensor, c: Tensor, ...ps: Tensor[]): Tensor => {
        const r = runRecurrent(withParams(module, ps), xs, { lengths: [3, 2], initialState: kind === 'lstm' ? { h, c } : { h } });
        return add(sum(mul(r.output, r.output)), sum(kind === 'lstm' ? (r.state.c as Tensor) : r.state.h));
      };
      const result = gradCheck(fn as (...t: Tensor[]) => Tensor, [x, h0, c0, ...params], { skip: kind === 'lstm' ? [] : [2] });
      if (!result.ok) throw new Error(JSON.stringify(result.inputs.filter((r) => r.maxRelError > 1e-5)));
      expect(result.inputs.length).toBe(params.length + (kind === 'lstm' ? 3 : 2));
    });
  }
});

describe('runRecurrent: layout, state, dropout', () => {
  it('batchFirst [B, T, I] gives the time-major result permuted', () => {
    const tm = createLSTM(new Random(1), { inputSize: 3, hiddenSize: 4, numLayers: 2 }, { dtype: 'float64' });
    const bf = { ...tm, config: { ...tm.config, batchFirst: true } } as RecurrentModule;
    const x = randn(new Random(2), [5, 2, 3]);
    const a = runRecurrent(tm, x);
    const b = runRecurrent(bf, permute(x, [1, 0, 2]), { mask: tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], undefined, { dtype: 'float64' }) });
    expect(b.output.shape).toEqual([2, 5, 4]);
    expect(maxAbsDiff(permute(b.output, [1, 0, 2]).data, a.output.data)).toBe(0);
    expect(maxAbsDiff(b.state.h.data, a.state.h.data)).toBe(0);
  });

  it('carrying the final state into the next call equals one call over the whole sequence (values and gradients)', () => {
    const module = createGRU(new Random(3), { inputSize: 3, hiddenSize: 4, numLayers: 2 }, { dtype: 'float64' });
    const x = randn(new Random(4), [7, 2, 3]);
    const whole = runRecurrent(module, x);
    const first = runRecurrent(module, slice(x, 0, 0, 3));
    const second = runRecurrent(module, slice(x, 0, 3, 7), { initialState: first.state });
    expect(maxAbsDiff(slice(whole.output, 0, 3, 7).data, second.output.data)).toBeLessThan(1e-14);
    const w = module.weight_hh_l0 as Tensor;
    const [gWhole] = grad(sum(whole.state.h), [w]);
    const [gChunked] = grad(sum(second.state.h), [w]);
    expect(maxAbsDiff(gWhole.data, gChunked.data)).toBeLessThan(1e-12);
    // Detached, the gradient no longer reaches the first chunk: it differs.
    const detached = runRecurrent(module, slice(x, 0, 3, 7), { initialState: detachState(first.state) });
    const [gDetached] = grad(sum(detached.state.h), [w]);
    expect(maxAbsDiff(gWhole.data, gDetached.data)).toBeGreaterThan(1e-6);
  });

  it('dropout applies between layers in training only, seeded', () => {
    const module = createLSTM(new Random(5), { inputSize: 3, hiddenSize: 6, numLayers: 2, dropout: 0.5 });
    const x = randn(new Random(6), [4, 2, 3], 'float32');
    const evalOut = runRecurrent(module, x).output;
    const a = runRecurrent(module, x, { training: true, rng: new Random(9) }).output;
    const b = runRecurrent(module, x, { training: true, rng: new Random(9) }).output;
    const c = runRecurrent(module, x, { training: true, rng: new Random(10) }).output;
    expect(maxAbsDiff(a.data, b.data)).toBe(0);
    expect(maxAbsDiff(a.data, evalOut.data)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(a.data, c.data)).toBeGreaterThan(1e-3);
    expect(() => runRecurrent(module, x, { training: true })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // One layer: nothing between layers, so training changes nothing.
    const single = createLSTM(new Random(5), { inputSize: 3, hiddenSize: 6, dropout: 0.5 });
    expect(maxAbsDiff(runRecurrent(single, x, { training: true, rng: new Random(1) }).output.data, runRecurrent(single, x).output.data)).toBe(0);
  });
});

describe('modules and errors', () => {
  it('names and shapes parameters as PyTorch, initialized U(-1/sqrt(H), 1/sqrt(H))', () => {
    const lstm = createLSTM(new Random(1), { inputSize: 5, hiddenSize: 16, numLayers: 2, bidirectional: true });
    expect(Object.keys(parameterShapes('lstm', lstm.config))).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    expect((lstm.weight_ih_l1 as Tensor).shape).toEqual([64, 32]);
    expect((lstm.weight_hh_l0_reverse as Tensor).shape).toEqual([64, 16]);
    const k = 1 / Math.sqrt(16);
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, p] of recurrentParameters(lstm)) {
      expect(p.requiresGrad).toBe(true);
      for (const v of p.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    expect(lo).toBeGreaterThanOrEqual(-k);
    expect(hi).toBeLessThanOrEqual(k);
    expect(lo).toBeLessThan(-0.9 * k);
    expect(hi).toBeGreaterThan(0.9 * k);
    const noBias = createGRU(new Random(1), { inputSize: 2, hiddenSize: 3, bias: false });
    expect(Object.keys(noBias).filter((n) => n.startsWith('bias'))).toEqual([]);
  });

  it('h0 of the wrong shape: STATE_SHAPE with what was expected and what to do', () => {
    const lstm = createLSTM(new Random(1), { inputSize: 3, hiddenSize: 16, numLayers: 2 });
    const x = randn(new Random(1), [4, 2, 3], 'float32');
    const s = initialState(lstm, 2);
    const bad = { h: randn(new Random(1), [2, 2, 8], 'float32'), c: s.c };
    expect(() => runRecurrent(lstm, x, { initialState: bad })).toThrow(expect.objectContaining({ code: 'STATE_SHAPE' }));
    expect(() => runRecurrent(lstm, x, { initialState: bad })).toThrow(
      "lstm: h0 has shape [2,2,8], expected [2,2,16] (layers*directions 2, batch 2, hiddenSize 16); pass a state from this layer's initialState()",
    );
    expect(() => runRecurrent(lstm, x, { initialState: { h: s.h } })).toThrow(/lstm: c0 is missing/);
    expect(() => runRecurrent(lstm, x, { initialState: initialState(lstm, 2, 'float64') })).toThrow(/h0 is float64 but the parameters are float32/);
  });

  it('input, parameter and config errors carry codes', () => {
    const gru = createGRU(new Random(1), { inputSize: 3, hiddenSize: 4 });
    expect(() => runRecurrent(gru, randn(new Random(1), [4, 2, 5], 'float32'))).toThrow(expect.objectContaining({ code: 'INPUT_SHAPE' }));
    expect(() => runRecurrent(gru, randn(new Random(1), [4, 3], 'float32'))).toThrow(/expected \[T,B,3\]/);
    const broken = { ...gru } as Record<string, unknown>;
    delete broken.bias_hh_l0;
    expect(() => runRecurrent(broken as RecurrentModule, randn(new Random(1), [4, 2, 3], 'float32'))).toThrow(expect.objectContaining({ code: 'MISSING_PARAMETER' }));
    const wrong = { ...gru, weight_hh_l0: randn(new Random(1), [12, 5], 'float32') } as RecurrentModule;
    expect(() => runRecurrent(wrong, randn(new Random(1), [4, 2, 3], 'float32'))).toThrow(/'weight_hh_l0' has shape \[12,5\], expected \[12,4\]/);
    expect(() => createGRU(new Random(1), { inputSize: 0, hiddenSize: 4 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => createLSTM(new Random(1), { inputSize: 2, hiddenSize: 4, dropout: 1 })).toThrow(/dropout/);
    expect(() => createLSTM(new Random(1), { inputSize: 2, hiddenSize: 4, nonlinearity: 'relu' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('a fused layer runner is used when installed, and declining falls back to the composed path', () => {
    const module = createLSTM(new Random(2), { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }, { dtype: 'float64' });
    const x = randn(new Random(3), [3, 2, 3]);
    const reference = runRecurrent(module, x);
    const seen: LayerRunnerArgs[] = [];
    const previous = setLayerRunner((args) => {
      seen.push(args);
      return args.reverse ? null : runLayerDirection(args.kind, args.weights, args.xProjected, args.h0, args.c0, args.lengths, args.reverse);
    });
    try {
      const fused = runRecurrent(module, x);
      expect(seen.map((a) => [a.kind, a.reverse, a.xProjected.shape])).toEqual([
        ['lstm', false, [3, 2, 16]], ['lstm', true, [3, 2, 16]], ['lstm', false, [3, 2, 16]], ['lstm', true, [3, 2, 16]],
      ]);
      expect(maxAbsDiff(fused.output.data, reference.output.data)).toBe(0);
      // per-step hidden states need the composed path
      runRecurrent(module, x, { keepHiddenStates: true });
      expect(seen.length).toBe(4);
    } finally {
      setLayerRunner(previous);
    }
  });
});
