import { Random, Tensor, ones, sum, tensor, zeros } from '@loopflow/tensor';
import { createActivation } from './activation';
import { createDropout } from './dropout';
import { createEmbedding } from './embedding';
import { createLayerNorm } from './layer-norm';
import { createLinear, linear } from './linear';
import { createSequential } from './sequential';
import { namedParameters, parameters, zeroGrad } from './parameters';
import { loadStateDict, stateDict } from './state-dict';

function buildModel(seed = 1) {
  const rng = new Random(seed);
  return {
    config: { hiddenSize: 4, note: ones([2], { requiresGrad: true }) }, // skipped: 'config'
    emb: createEmbedding(rng, 10, 3),
    // a user-defined cell: plain data, not one of this package's kinds
    rnn: { cells: [{ weightIh: ones([4, 3], { requiresGrad: true }), weightHh: ones([4, 4], { requiresGrad: true }), bias: zeros([4], { requiresGrad: true }) }] },
    body: createSequential([createLinear(rng, 4, 4), createActivation('tanh'), createDropout(0.1, 5), createLayerNorm(4)]),
    head: createLinear(rng, 4, 2),
    carried: zeros([2, 4]), // requiresGrad false: a carried state, not a parameter
  };
}

const names = (m: unknown) => namedParameters(m).map(([n]) => n);

describe('namedParameters', () => {
  it('names parameters by their object path, PyTorch-style, in insertion order', () => {
    expect(names(buildModel())).toEqual([
      'emb.weight',
      'rnn.cells.0.weightIh',
      'rnn.cells.0.weightHh',
      'rnn.cells.0.bias',
      'body.layers.0.weight',
      'body.layers.0.bias',
      'body.layers.3.weight',
      'body.layers.3.bias',
      'head.weight',
      'head.bias',
    ]);
  });

  it('names a top-level Sequential like torch.nn.Sequential, and honours a prefix', () => {
    const seq = createSequential([createLinear(new Random(1), 2, 3), createActivation('relu'), createLinear(new Random(2), 3, 1, { bias: false })]);
    expect(names(seq)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.2.weight']);
    expect(namedParameters(seq, 'model').map(([n]) => n)).toEqual(['model.layers.0.weight', 'model.layers.0.bias', 'model.layers.2.weight']);
    expect(namedParameters(seq.layers[0])).toEqual([['weight', seq.layers[0].kind === 'linear' ? seq.layers[0].weight : null], ['bias', expect.any(Tensor)]]);
  });

  it('lists a tied tensor once, survives cycles, and walks class instances but not typed arrays', () => {
    const shared = ones([3], { requiresGrad: true });
    class Model {
      encoder = { weight: shared };
      decoder = { weight: shared, extra: ones([1], { requiresGrad: true }) };
      buffer = new Float32Array(1_000_000);
      self: unknown = this;
    }
    const m = new Model();
    Object.defineProperty(m, 'computed', { enumerable: true, get: () => { throw new Error('getters must not run'); } });
    const list = namedParameters(m);
    expect(list.map(([n]) => n)).toEqual(['encoder.weight', 'decoder.extra']);
    expect(list[0][1]).toBe(shared);
    expect(parameters([shared, { a: shared }])).toEqual([shared]);
  });

  it('parameters and zeroGrad cover every parameter', () => {
    const model = buildModel();
    expect(parameters(model).length).toBe(10);
    sum(linear(model.head, ones([1, 4]))).backward();
    expect(model.head.weight.grad).not.toBeNull();
    zeroGrad(model);
    expect(parameters(model).every((p) => p.grad === null)).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  it('stateDict shares storage with the module', () => {
    const model = buildModel();
    const dict = stateDict(model);
    expect(Object.keys(dict)).toEqual(names(model));
    expect(dict['head.weight']).toBe(model.head.weight);
    expect(Object.keys(stateDict(model, { includeFrozen: true }))).toContain('carried');
  });

  it('copies values in place, keeping the tensor objects (optimizer references stay valid)', () => {
    const a = buildModel(1);
    const b = buildModel(2);
    const weightBefore = b.head.weight;
    const dataBefore = b.head.weight.data;
    expect(Array.from(b.head.weight.data)).not.toEqual(Array.from(a.head.weight.data));
    const result = loadStateDict(b, stateDict(a));
    expect(result).toEqual({ missing: [], unexpected: [] });
    expect(b.head.weight).toBe(weightBefore);
    expect(b.head.weight.data).toBe(dataBefore);
    for (const [name, t] of namedParameters(a)) expect(Array.from(stateDict(b)[name].data)).toEqual(Array.from(t.data));
    // no aliasing: changing a afterwards does not change b
    a.head.weight.data[0] = 123;
    expect(b.head.weight.data[0]).not.toBe(123);
  });

  it('converts float64 values into a float32 parameter', () => {
    const m = createLinear(new Random(1), 2, 1);
    loadStateDict(m, { weight: tensor([[0.5, -0.25]], undefined, { dtype: 'float64' }), bias: tensor([2], undefined, { dtype: 'float64' }) });
    expect(m.weight.dtype).toBe('float32');
    expect(m.weight.toList()).toEqual([0.5, -0.25]);
    expect(m.bias?.toList()).toEqual([2]);
  });

  it('refuses a shape mismatch naming the key and both shapes, changing nothing', () => {
    const m = createLinear(new Random(1), 3, 2);
    const before = m.bias?.toList();
    const dict = { weight: zeros([3, 2]), bias: zeros([2]) };
    expect(() => loadStateDict(m, dict)).toThrow(expect.objectContaining({ code: 'STATE_DICT_SHAPE', message: expect.stringMatching(/'weight'.*\[3,2\].*\[2,3\]/) }));
    expect(m.bias?.toList()).toEqual(before); // checked before copying
  });

  it('strict (default) refuses missing and unexpected keys, listing them; non-strict reports them', () => {
    const m = createLinear(new Random(1), 3, 2);
    const dict = { weight: ones([2, 3]), 'head.bias': ones([2]) };
    let error: unknown;
    try {
      loadStateDict(m, dict);
    } catch (e) {
      error = e;
    }
    expect(error).toEqual(expect.objectContaining({ code: 'STATE_DICT_KEYS' }));
    expect((error as Error).message).toContain("'bias'");
    expect((error as Error).message).toContain("'head.bias'");
    expect(m.weight.toList()).not.toEqual([1, 1, 1, 1, 1, 1]); // nothing copied

    expect(loadStateDict(m, dict, { strict: false })).toEqual({ missing: ['bias'], unexpected: ['head.bias'] });
    expect(m.weight.toList()).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('accepts keys of frozen tensors and of tied second names without calling them unexpected', () => {
    const shared = ones([2], { requiresGrad: true });
    const model = { a: { w: shared }, b: { w: shared }, frozen: zeros([2]) };
    const result = loadStateDict(model, { 'a.w': tensor([1, 2]), 'b.w': tensor([1, 2]), frozen: tensor([3, 4]) });
    expect(result).toEqual({ missing: [], unexpected: [] });
    expect(model.frozen.toList()).toEqual([3, 4]);
    expect(() => loadStateDict(model, {}, { includeFrozen: true })).toThrow(expect.objectContaining({ code: 'STATE_DICT_KEYS', message: expect.stringContaining("'frozen'") }));
  });
});
