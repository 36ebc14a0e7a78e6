import { CellError } from './errors';
import { Nonlinearity, RecurrentKind, familyDefault } from './kinds';

/** Bounds of a uniform initialization. */
export interface UniformRange {
  low: number;
  high: number;
}

/**
 * The sizes and options of a recurrent layer stack, as PyTorch's `nn.LSTM(...)` arguments.
 * Every field is filled in a module's `config` (defaults applied).
 */
export interface RecurrentConfig {
  /** Features of each input step (I). */
  inputSize: number;
  /** Features of the hidden state of each direction (H). */
  hiddenSize: number;
  /** Stacked layers (L); layer k+1 reads layer k's output. Default 1. */
  numLayers: number;
  /** Run a second, reversed direction per layer and concatenate: outputs are 2H wide. Default false. */
  bidirectional: boolean;
  /** Dropout probability on the outputs of every layer but the last (training only). Default 0. */
  dropout: number;
  /** Input and output are `[B, T, F]` instead of `[T, B, F]` (states stay `[L*D, B, H]`). Default false. */
  batchFirst: boolean;
  /** Whether the layers have `bias_ih_l*` and `bias_hh_l*`. Default true. */
  bias: boolean;
  /** Activation of `rnn` (default tanh) and `indrnn` (default relu) layers; absent for lstm / gru. */
  nonlinearity?: Nonlinearity;
  /** IndRNN only: `constrain(module)` clips every recurrent weight to `[-bound, bound]`. */
  recurrentBound?: number;
  /** IndRNN only: the range the recurrent weights are drawn from (default `{ low: 0, high: 1 }`). */
  recurrentInit?: UniformRange;
}

/** What the constructors accept: the sizes, and any of the other fields of {@link RecurrentConfig}. */
export type RecurrentOptions = Pick<RecurrentConfig, 'inputSize' | 'hiddenSize'> & Partial<RecurrentConfig>;

/** Number of directions: 2 when bidirectional, else 1. */
export function directionsOf(config: Pick<RecurrentConfig, 'bidirectional'>): number {
  return config.bidirectional ? 2 : 1;
}

function positiveInteger(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new CellError('INVALID_CONFIG', `${kind}: config.${field} is ${JSON.stringify(value)}; expected a positive integer`);
  }
  return value;
}

function flag(kind: string, field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new CellError('INVALID_CONFIG', `${kind}: config.${field} is ${JSON.stringify(value)}; expected true or false`);
  }
  return value;
}

/**
 * Checks a config and fills in the defaults. Throws `CellError('INVALID_CONFIG')` naming the
 * field that is wrong.
 *
 * @example normalizeConfig('lstm', { inputSize: 8, hiddenSize: 16 }).numLayers // 1
 */
export function normalizeConfig(kind: RecurrentKind, options: RecurrentOptions): RecurrentConfig {
  const family = familyDefault(kind); // throws INVALID_CONFIG for an unknown kind
  if (options === null || typeof options !== 'object') {
    throw new CellError('INVALID_CONFIG', `${kind}: config is ${JSON.stringify(options)}; expected an object with inputSize and hiddenSize`);
  }
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new CellError('INVALID_CONFIG', `${kind}: config.dropout is ${JSON.stringify(dropout)}; expected a probability in [0, 1)`);
  }
  const config: RecurrentConfig = {
    inputSize: positiveInteger(kind, 'inputSize', options.inputSize),
    hiddenSize: positiveInteger(kind, 'hiddenSize', options.hiddenSize),
    numLayers: positiveInteger(kind, 'numLayers', options.numLayers ?? 1),
    bidirectional: flag(kind, 'bidirectional', options.bidirectional, false),
    dropout,
    batchFirst: flag(kind, 'batchFirst', options.batchFirst, false),
    bias: flag(kind, 'bias', options.bias, true),
  };
  if (family.nonlinearity !== null) {
    const nonlinearity = options.nonlinearity ?? family.nonlinearity;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new CellError('INVALID_CONFIG', `${kind}: config.nonlinearity is ${JSON.stringify(nonlinearity)}; expected 'tanh' or 'relu'`);
    }
    config.nonlinearity = nonlinearity;
  } else if (options.nonlinearity !== undefined) {
    throw new CellError('INVALID_CONFIG', `${kind}: config.nonlinearity is set (${JSON.stringify(options.nonlinearity)}) but ${kind} has fixed gate activations; remove it`);
  }
  if (family.diagonal) {
    if (options.recurrentBound !== undefined) {
      if (typeof options.recurrentBound !== 'number' || !(options.recurrentBound > 0)) {
        throw new CellError('INVALID_CONFIG', `indrnn: config.recurrentBound is ${JSON.stringify(options.recurrentBound)}; expected a positive number (e.g. indRNNBound(sequenceLength))`);
      }
      config.recurrentBound = options.recurrentBound;
    }
    const init = options.recurrentInit ?? { low: 0, high: 1 };
    if (typeof init !== 'object' || typeof init.low !== 'number' || typeof init.high !== 'number' || !(init.low <= init.high)) {
      throw new CellError('INVALID_CONFIG', `indrnn: config.recurrentInit is ${JSON.stringify(init)}; expected { low, high } with low <= high`);
    }
    config.recurrentInit = { low: init.low, high: init.high };
  } else if (options.recurrentBound !== undefined || options.recurrentInit !== undefined) {
    throw new CellError('INVALID_CONFIG', `${kind}: recurrentBound / recurrentInit apply to indrnn only (its recurrent weights are a vector); remove them`);
  }
  return config;
}
