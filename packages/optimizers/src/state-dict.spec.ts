import { Tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { Optimizer, OptimizerStateDict, adagrad, adam, adamw, rmsprop, sgd } from './index';
import { decodeArray, encodeArray } from './state-codec';
import { expectCode, gradFor, randomNumbers, randomParam } from './spec-helpers';

const shapes = [[3, 4], [5], [2, 1, 3]];
const steps = 15;
// grads[step][param]; the third parameter gets no gradient before step 7 (its state is null when saved at 5)
const grads = Array.from({ length: steps }, (_, k) => shapes.map((s, j) => (j === 2 && k < 7 ? null : randomNumbers(s.reduce((a, b) => a * b, 1)))));

type Make = (params: Tensor[]) => Optimizer;
const optimizers: [string, Make, Make][] = [
  // [label, make with the real options, make with other options (loadStateDict must restore the real ones)]
  ['sgd nesterov', (ps) => sgd(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }), (ps) => sgd(ps)],
  ['sgd momentum + dampening', (ps) => sgd(ps, { lr: 0.05, momentum: 0.5, dampening: 0.2 }), (ps) => sgd(ps)],
  ['adam amsgrad', (ps) => adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.01 }), (ps) => adam(ps)],
  ['adamw', (ps) => adamw(ps, { lr: 0.01, betas: [0.85, 0.995] }), (ps) => adamw(ps)],
  ['rmsprop centered + momentum', (ps) => rmsprop(ps, { lr: 0.01, centered: true, momentum: 0.9 }), (ps) => rmsprop(ps)],
  ['adagrad', (ps) => adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }), (ps) => adagrad(ps)],
];

function feed(opt: Optimizer, params: Tensor[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    params.forEach((p, j) => (p.grad = grads[k][j] ? gradFor(p, grads[k][j] as number[]) : null));
    opt.step();
    opt.zeroGrad();
  }
}

const copy = (p: Tensor): Tensor => {
  const c = p.clone();
  c.requiresGrad = true;
  return c;
};

describe('resume from a saved state is bit-identical', () => {
  for (const [label, make, makeOther] of optimizers) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const encoding of ['base64', 'array'] as const) {
        it(`${label}, ${dtype}, ${encoding}`, () => {
          const params = shapes.map((s) => randomParam(s, dtype));
          const opt = make(params);
          feed(opt, params, 0, 5);
          const saved = JSON.parse(JSON.stringify(opt.stateDict({ encoding }))) as OptimizerStateDict;
          expect(saved.state[2]).toBeNull();
          const atFive = params.map(copy);
          feed(opt, params, 5, 10);

          const resumed = makeOther(atFive);
          resumed.loadStateDict(saved);
          expect(resumed.hyper).toEqual(opt.hyper);
          feed(resumed, atFive, 5, 10);
          atFive.forEach((p, j) => {
            expect(p.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
            expect(Array.from(p.data)).toEqual(Array.from(params[j].data)); // exact, not close
          });
          // and the moments too
          expect(resumed.stateDict()).toEqual(opt.stateDict());
        });
      }
    }
  }

  it('restores the lr saved (a schedule may have changed it)', () => {
    const p = [randomParam([2])];
    const opt = adam(p, { lr: 0.01 });
    opt.lr = 0.003;
    const other = adam([randomParam([2])]);
    other.loadStateDict(opt.stateDict());
    expect(other.lr).toBe(0.003);
  });
});

describe('loadStateDict errors', () => {
  const p = [randomParam([3]), randomParam([2])];
  const opt = adam(p);
  p.forEach((x) => (x.grad = gradFor(x, x.data)));
  opt.step();
  const saved = opt.stateDict();
  it('another optimizer kind, another parameter count, another shape', () => {
    expectCode(() => sgd(p).loadStateDict(saved), 'STATE_MISMATCH', /saved from a 'adam' optimizer; this one is 'sgd'/);
    expectCode(() => adam([p[0]]).loadStateDict(saved), 'STATE_MISMATCH', /holds 2 parameters but this optimizer has 1/);
    expectCode(() => adam([randomParam([3]), randomParam([4])]).loadStateDict(saved), 'STATE_MISMATCH', /params\[1\] was saved with shape \[2\]/);
  });
  it('corrupt data and invalid hyper-parameters', () => {
    const broken = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    (broken.state[0]!.buffers.expAvg as { base64: string }).base64 = 'abc';
    expectCode(() => adam(p).loadStateDict(broken), 'STATE_INVALID', /not a multiple of 4/);
    const badHyper = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    badHyper.hyper.lr = -1;
    expectCode(() => adam(p).loadStateDict(badHyper), 'INVALID_ARGUMENT');
    expectCode(() => adam(p).loadStateDict({} as OptimizerStateDict), 'STATE_INVALID');
  });
});

describe('state codec', () => {
  it('base64 matches Node Buffer and round-trips special values exactly', () => {
    const special = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 1e-40, 3.4e38, Math.PI];
    for (let n = 0; n <= special.length; n++) {
      const f32 = Float32Array.from(special.slice(0, n));
      const f64 = Float64Array.from(special.slice(0, n));
      for (const arr of [f32, f64]) {
        const enc = encodeArray(arr) as { base64: string };
        expect(enc.base64).toBe(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).toString('base64'));
        const back = decodeArray(JSON.parse(JSON.stringify(enc)), arr instanceof Float64Array ? 'float64' : 'float32', n, 'test');
        expect(Object.is(back[1], arr[1])).toBe(true); // -0 stays -0 when present
        expect(Array.from(back)).toEqual(Array.from(arr));
      }
    }
  });
  it('decodes plain arrays and converts to the parameter dtype', () => {
    const back = decodeArray([1, 2.5, 3], 'float32', 3, 'test');
    expect(back).toBeInstanceOf(Float32Array);
    expect(Array.from(back)).toEqual([1, 2.5, 3]);
    expectCode(() => decodeArray([1, 2], 'float32', 3, 'test'), 'STATE_MISMATCH');
  });
});
