/**
 * Conformance cases of @loopflow/cells against PyTorch's nn.RNN / nn.LSTM / nn.GRU: every
 * case named rnn_tanh_*, rnn_relu_*, lstm_* or gru_*. Builds the stack from the file's config
 * (kind, input_size, hidden_size, num_layers, bidirectional), loads the weights by their
 * PyTorch names (no conversion: the module's parameters are direct properties under those
 * names), runs x `[T, B, I]` from h0 (and c0), takes
 * `loss = sum(out*R) + sum(hn*Rh) (+ sum(cn*Rc))` and compares out, hn, cn, loss and the
 * gradients of x, h0, c0 and every parameter. Runs in the context's dtype (float32 default).
 */
import { Random, Tensor, add, grad, mul, sum } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { RecurrentKind, RecurrentModule, createRecurrent, parameterShapes, runRecurrent } from '@loopflow/cells';
import { GoldenFormatError } from '../errors';
import { compareWith, configNumber, expectShape, loadTensor } from '../golden';
import type { CaseHandler, CaseOutcome, Comparison, Golden, RunContext } from '../types';

const CASE_PATTERN = /^(rnn_tanh|rnn_relu|lstm|gru)_/;
const KIND_PATTERN = /^(rnn_tanh|rnn_relu|lstm|gru)$/;

function positiveInteger(golden: Golden, key: string): number {
  const value = configNumber(golden, key);
  if (!Number.isInteger(value) || value < 1) {
    throw new GoldenFormatError(`case '${golden.case}': config.${key} is ${value}; expected a positive integer`);
  }
  return value;
}

/** The module the golden file describes, with its parameters loaded from the file (trainable). */
function moduleFromGolden(golden: Golden, dtype: DType): { module: RecurrentModule; kind: RecurrentKind; names: string[]; params: Tensor[] } {
  const kindName = golden.config.kind;
  if (typeof kindName !== 'string' || !KIND_PATTERN.test(kindName)) {
    throw new GoldenFormatError(`case '${golden.case}': config.kind is ${JSON.stringify(kindName)}; expected 'rnn_tanh', 'rnn_relu', 'lstm' or 'gru'`);
  }
  const kind: RecurrentKind = kindName.startsWith('rnn') ? 'rnn' : (kindName as RecurrentKind);
  const module = createRecurrent(new Random(0), {
    kind,
    inputSize: positiveInteger(golden, 'input_size'),
    hiddenSize: positiveInteger(golden, 'hidden_size'),
    numLayers: positiveInteger(golden, 'num_layers'),
    bidirectional: golden.config.bidirectional === true,
    ...(kind === 'rnn' ? { nonlinearity: kindName === 'rnn_relu' ? ('relu' as const) : ('tanh' as const) } : {}),
  }, { dtype });
  const shapes = parameterShapes(kind, module.config);
  const names = Object.keys(shapes);
  const params = names.map((name) => {
    const p = loadTensor(golden, name, dtype, { requiresGrad: true, shape: shapes[name] });
    (module as Record<string, unknown>)[name] = p; // a PyTorch state dict entry, as is
    return p;
  });
  return { module, kind, names, params };
}

/**
 * Runs one recurrent golden case in `context.dtype` (float32 when omitted).
 *
 * @example runRecurrentCase(golden, { dtype: 'float64' }).status // 'ran'
 */
export function runRecurrentCase(golden: Golden, context: Partial<RunContext> = {}): CaseOutcome {
  const dtype = context.dtype ?? 'float32';
  const { module, kind, names, params } = moduleFromGolden(golden, dtype);
  const { inputSize, hiddenSize, numLayers, bidirectional } = module.config;
  const rows = numLayers * (bidirectional ? 2 : 1);
  const x = loadTensor(golden, 'x', dtype, { requiresGrad: true, shape: [-1, -1, inputSize] }); // [T, B, I]
  const [timeSteps, batch] = x.shape;
  const stateShape = [rows, batch, hiddenSize]; // [L*D, B, H]
  const h0 = loadTensor(golden, 'h0', dtype, { requiresGrad: true, shape: stateShape });
  const c0 = kind === 'lstm' ? loadTensor(golden, 'c0', dtype, { requiresGrad: true, shape: stateShape }) : null;

  const { output, state } = runRecurrent(module, x, { initialState: c0 ? { h: h0, c: c0 } : { h: h0 } });
  const outputWeights = loadTensor(golden, 'R', dtype, { shape: [timeSteps, batch, output.shape[2]] });
  let loss = add(sum(mul(output, outputWeights)), sum(mul(state.h, loadTensor(golden, 'Rh', dtype, { shape: stateShape }))));
  if (c0) loss = add(loss, sum(mul(state.c as Tensor, loadTensor(golden, 'Rc', dtype, { shape: stateShape }))));
  expectShape(golden, 'loss', [1]);

  const inputs = c0 ? [x, h0, c0] : [x, h0];
  const grads = grad(loss, [...inputs, ...params]);
  const comparisons: Comparison[] = [compareWith(golden, 'out', output), compareWith(golden, 'hn', state.h)];
  if (c0) comparisons.push(compareWith(golden, 'cn', state.c as Tensor));
  comparisons.push({ name: 'loss', actual: loss.data, expected: golden.tensors.loss.data, shape: [1] });
  comparisons.push(compareWith(golden, 'grad_x', grads[0]), compareWith(golden, 'grad_h0', grads[1]));
  if (c0) comparisons.push(compareWith(golden, 'grad_c0', grads[2]));
  names.forEach((name, i) => comparisons.push(compareWith(golden, `grad_${name}`, grads[inputs.length + i])));
  return { status: 'ran', comparisons };
}

export const handlers: CaseHandler[] = [
  {
    description: 'RNN (tanh/relu), LSTM, GRU stacks (@loopflow/cells): out, hn, cn, loss and the gradients of x, h0, c0 and every parameter',
    matches: (caseName: string) => CASE_PATTERN.test(caseName),
    run: (golden: Golden, context?: RunContext) => runRecurrentCase(golden, context),
  },
];
