import { DType, Random, Tensor, recurrentUniform, uniform } from '@loopflow/tensor';
import { RecurrentOptions, normalizeConfig } from './config';
import { RecurrentKind, familyDefault } from './kinds';
import { RecurrentModule, parameterShapes } from './module';
import { constrain } from './indrnn';

/** Options of the constructors that are not part of the (serialized) config. */
export interface CreateRecurrentOptions {
  /** Element type of the parameters (default 'float32'; 'float64' for gradCheck and references). */
  dtype?: DType;
}

/**
 * A recurrent layer stack of any kind, initialized as PyTorch does: every weight and bias
 * `U(-1/sqrt(H), 1/sqrt(H))` (IndRNN's recurrent vector from `config.recurrentInit`, then
 * clipped to `config.recurrentBound`). Parameters are trainable leaves.
 *
 * @example
 * const gru = createRecurrent(new Random(1), { kind: 'gru', inputSize: 8, hiddenSize: 16, numLayers: 2 });
 * gru.weight_hh_l1 // Tensor [48, 16]
 */
export function createRecurrent(rng: Random, options: RecurrentOptions & { kind: RecurrentKind }, createOptions: CreateRecurrentOptions = {}): RecurrentModule {
  const { kind, ...rest } = options;
  const config = normalizeConfig(kind, rest);
  const dtype = createOptions.dtype ?? 'float32';
  const module: Record<string, unknown> = { kind, config };
  const { diagonal } = familyDefault(kind); // IndRNN: weight_hh is a vector drawn from recurrentInit
  for (const [name, shape] of Object.entries(parameterShapes(kind, config))) {
    let p: Tensor;
    if (diagonal && name.startsWith('weight_hh')) {
      const range = config.recurrentInit ?? { low: 0, high: 1 };
      p = uniform(rng, shape, range.low, range.high, { dtype, requiresGrad: true });
    } else {
      p = recurrentUniform(rng, shape, config.hiddenSize, { dtype, requiresGrad: true });
    }
    p.name = name;
    module[name] = p;
  }
  return constrain(module as RecurrentModule);
}

/**
 * An Elman RNN stack (PyTorch `nn.RNN`): `h' = act(W_ih x + b_ih + W_hh h + b_hh)`,
 * act = tanh (default) or relu (`nonlinearity: 'relu'`).
 *
 * @example const rnn = createRNN(new Random(0), { inputSize: 3, hiddenSize: 5 });
 */
export function createRNN(rng: Random, options: RecurrentOptions, createOptions?: CreateRecurrentOptions): RecurrentModule {
  return createRecurrent(rng, { ...options, kind: 'rnn' }, createOptions);
}

/**
 * An LSTM stack (PyTorch `nn.LSTM`, gate order i, f, g, o; weights `[4H, I]`).
 *
 * @example const lstm = createLSTM(new Random(0), { inputSize: 64, hiddenSize: 128, batchFirst: true });
 */
export function createLSTM(rng: Random, options: RecurrentOptions, createOptions?: CreateRecurrentOptions): RecurrentModule {
  return createRecurrent(rng, { ...options, kind: 'lstm' }, createOptions);
}

/**
 * A GRU stack (PyTorch `nn.GRU`, gate order r, z, n; reset applied after the recurrent
 * product: `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`).
 *
 * @example const gru = createGRU(new Random(0), { inputSize: 8, hiddenSize: 16, bidirectional: true });
 */
export function createGRU(rng: Random, options: RecurrentOptions, createOptions?: CreateRecurrentOptions): RecurrentModule {
  return createRecurrent(rng, { ...options, kind: 'gru' }, createOptions);
}

/**
 * An IndRNN stack (Li et al. 2018): `h' = act(W_ih x + b_ih + w_hh * h + b_hh)` with an
 * elementwise recurrent vector `weight_hh_l<k>` `[H]`; act = relu by default. Set
 * `recurrentBound` (e.g. `indRNNBound(T)`) and call `constrain(module)` after each update.
 *
 * @example const ind = createIndRNN(new Random(0), { inputSize: 2, hiddenSize: 64, numLayers: 2, recurrentBound: indRNNBound(1000) });
 */
export function createIndRNN(rng: Random, options: RecurrentOptions, createOptions?: CreateRecurrentOptions): RecurrentModule {
  return createRecurrent(rng, { ...options, kind: 'indrnn' }, createOptions);
}
