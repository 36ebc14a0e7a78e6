import * as fs from 'fs';
import * as path from 'path';
import { DType, Random, Tensor, add, grad, mul, sum } from '@loopflow/tensor';
import { RecurrentKind, RecurrentModule, createRecurrent, parameterShapes, runRecurrent } from './index';

// PyTorch 2.11 float64 references (copied from ../shared/goldens/pytorch): out, hn, cn, the
// loss sum(out*R)+sum(hn*Rh)(+sum(cn*Rc)) and the gradient of every input and parameter.
interface Golden {
  case: string;
  config: { kind: string; input_size: number; hidden_size: number; num_layers: number; bidirectional: boolean };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const load = (name: string): Golden => JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', `${name}.json`), 'utf8'));

function maxRelativeError(actual: ArrayLike<number>, expected: number[], atol: number): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > atol) worst = Math.max(worst, err / Math.max(Math.abs(expected[i]), 1e-12));
  }
  return worst;
}

function runGolden(golden: Golden, dtype: DType): { actual: Record<string, ArrayLike<number>> } {
  const t = (name: string, requiresGrad = false): Tensor => {
    const g = golden.tensors[name];
    const data = dtype === 'float64' ? Float64Array.from(g.data) : Float32Array.from(g.data);
    return new Tensor(data, g.shape, requiresGrad);
  };
  const kindName = golden.config.kind;
  const kind: RecurrentKind = kindName.startsWith('rnn') ? 'rnn' : (kindName as RecurrentKind);
  const module = createRecurrent(new Random(0), {
    kind,
    inputSize: golden.config.input_size,
    hiddenSize: golden.config.hidden_size,
    numLayers: golden.config.num_layers,
    bidirectional: golden.config.bidirectional,
    nonlinearity: kind === 'rnn' ? (kindName === 'rnn_relu' ? 'relu' : 'tanh') : undefined,
  }, { dtype }) as Record<string, unknown> & RecurrentModule;
  const names = Object.keys(parameterShapes(kind, module.config));
  for (const name of names) (module as Record<string, unknown>)[name] = t(name, true);
  const x = t('x', true);
  const h0 = t('h0', true);
  const c0 = kind === 'lstm' ? t('c0', true) : undefined;
  const { output, state } = runRecurrent(module, x, { initialState: { h: h0, c: c0 } });
  let loss = add(sum(mul(output, t('R'))), sum(mul(state.h, t('Rh'))));
  if (kind === 'lstm') loss = add(loss, sum(mul(state.c as Tensor, t('Rc'))));
  const wrt = [x, h0, ...(c0 ? [c0] : []), ...names.map((n) => module[n] as Tensor)];
  const grads = grad(loss, wrt);
  const actual: Record<string, ArrayLike<number>> = { out: output.data, hn: state.h.data, loss: loss.data, grad_x: grads[0].data, grad_h0: grads[1].data };
  if (c0) Object.assign(actual, { cn: (state.c as Tensor).data, grad_c0: grads[2].data });
  names.forEach((n, i) => (actual[`grad_${n}`] = grads[i + (c0 ? 3 : 2)].data));
  return { actual };
}

const cases = ['rnn_tanh_L1', 'rnn_tanh_L2_bi', 'lstm_L1', 'lstm_L2_bi', 'gru_L1', 'gru_L2_bi'];

describe('PyTorch goldens', () => {
  for (const name of cases) {
    for (const [dtype, atol, rtol] of [['float64', 1e-12, 1e-9], ['float32', 1e-5, 1e-4]] as [DType, number, number][]) {
      it(`${name} in ${dtype}: output, final state, loss and every gradient`, () => {
        const golden = load(name);
        const { actual } = runGolden(golden, dtype);
        const compared = Object.keys(actual);
        // Every parameter gradient in the file was compared (not a vacuous subset).
        const expectedNames = Object.keys(golden.tensors).filter((k) => k.startsWith('grad_') || ['out', 'hn', 'cn', 'loss'].includes(k));
        expect(compared.sort()).toEqual(expectedNames.sort());
        for (const key of compared) {
          const err = maxRelativeError(actual[key], golden.tensors[key].data, atol);
          if (err > rtol) throw new Error(`${name} ${dtype}: ${key} differs from PyTorch by ${err} (relative)`);
        }
      });
    }
  }
});
